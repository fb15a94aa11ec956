"""frontend: the dashboard on CloudFront, its config.json, and receipts-bucket CORS for the site origin."""

from __future__ import annotations

from typing import Any

from aws_cdk import Aws, CfnOutput, Stack
from constructs import Construct

from stacks.api_stack import ApiStack
from stacks.auth_stack import AuthStack
from stacks.config import EnvironmentConfig
from stacks.constructs.cdk_providers import acknowledge_aws_custom_resources
from stacks.constructs.receipts_cors import ReceiptsCors
from stacks.constructs.site import Site
from stacks.data_stack import DataStack


class FrontendStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvironmentConfig,
        auth: AuthStack,
        data: DataStack,
        api: ApiStack,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.site = Site(
            self,
            "Site",
            config=config,
            api=api.api,
            receipts_bucket=data.receipts_bucket,
            access_logs=data.access_log_bucket,
            web_config={
                "region": Aws.REGION,
                "userPoolId": auth.user_pool.user_pool_id,
                "userPoolClientId": auth.client.user_pool_client_id,
            },
        )
        site_url = f"https://{self.site.domain_name}"
        api_url = f"{site_url}/api"
        ReceiptsCors(
            self,
            "ReceiptsCors",
            bucket=data.receipts_bucket,
            allowed_origins=[site_url, *config.web_origins],
        )
        acknowledge_aws_custom_resources(self)
        CfnOutput(self, "SiteUrl", value=site_url, description="The dashboard")
        CfnOutput(self, "ApiUrl", value=api_url, description="The API, same origin as the dashboard")
