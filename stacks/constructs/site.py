"""The dashboard's delivery: private bucket behind CloudFront (OAC), `/api/*` routed to the REST API.

One origin for pages and API means the browser never makes a cross-origin call in the cloud, and
`config.json` is written from the deployed values (no value is baked into the web build).
"""

from __future__ import annotations

from pathlib import Path

from aws_cdk import Aws, Duration, Stack
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from constructs import Construct

from stacks.config import EnvironmentConfig
from stacks.constructs import deliberate as record
from stacks.constructs.buckets import secure_bucket
from stacks.constructs.cdk_providers import acknowledge_bucket_deployments
from stacks.constructs.nag import acknowledge

WEB_DIST = Path(__file__).resolve().parents[2] / "web" / "dist"
ASSETS_DIR = "assets"  # the web build's content-hashed files
TWO_YEARS = Duration.days(730)


def content_security_policy(receipts: s3.IBucket) -> str:
    cognito = f"https://cognito-idp.{Aws.REGION}.{Aws.URL_SUFFIX}"
    receipts_hosts = f"https://{receipts.bucket_regional_domain_name} https://{receipts.bucket_domain_name}"
    return "; ".join(
        [
            "default-src 'self'",
            f"connect-src 'self' {cognito} {receipts_hosts}",
            f"img-src 'self' data: blob: {receipts_hosts}",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class Site(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvironmentConfig,
        api: apigw.RestApi,
        receipts_bucket: s3.IBucket,
        access_logs: s3.IBucket,
        web_config: dict[str, str],
    ) -> None:
        super().__init__(scope, construct_id)
        self.bucket = secure_bucket(
            self,
            "Bucket",
            config=config,
            access_logs=access_logs,
            log_prefix="site/",
            no_versions_reason="The built dashboard, written by every deploy from the repository; an "
            "older site comes back by deploying its commit, and hashed assets are never pruned.",
        )
        headers = cloudfront.ResponseHeadersPolicy(
            self,
            "SecurityHeaders",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                    content_security_policy=content_security_policy(receipts_bucket), override=True
                ),
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=TWO_YEARS, include_subdomains=True, override=True
                ),
                frame_options=cloudfront.ResponseHeadersFrameOptions(
                    frame_option=cloudfront.HeadersFrameOption.DENY, override=True
                ),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
                    override=True,
                ),
            ),
        )
        api_domain = f"{api.rest_api_id}.execute-api.{Stack.of(api).region}.{Aws.URL_SUFFIX}"
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment=f"Outlay dashboard ({config.name})",
            default_root_object="index.html",
            minimum_protocol_version=cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            enable_logging=True,
            log_bucket=access_logs,
            log_file_prefix="cloudfront/",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=headers,
            ),
            additional_behaviors={
                # Stage name `api` == path prefix, so no origin path and no rewriting.
                "/api/*": cloudfront.BehaviorOptions(
                    origin=origins.HttpOrigin(
                        api_domain,
                        protocol_policy=cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
                        origin_ssl_protocols=[cloudfront.OriginSslPolicy.TLS_V1_2],
                    ),
                    viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                    allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
                    cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
                    origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
                    response_headers_policy=headers,
                ),
            },
        )
        self.domain_name = self.distribution.distribution_domain_name
        self._deploy_content(web_config)
        self._acknowledge()
        stack = Stack.of(self)
        acknowledge_bucket_deployments(
            stack,
            [f"Resource::<{stack.get_logical_id(self.bucket.node.default_child)}.Arn>/*"],  # type: ignore[arg-type]
        )

    def _deploy_content(self, web_config: dict[str, str]) -> None:
        # The one contract with the dashboard: {"region", "apiUrl", "userPoolId", "userPoolClientId"}.
        config_json = s3deploy.Source.json_data(
            "config.json", {**web_config, "apiUrl": f"https://{self.domain_name}/api"}
        )
        no_cache = [s3deploy.CacheControl.no_cache()]
        # A fresh clone (and the infra tests) has no web build: ship config.json alone, never fail synth.
        if (WEB_DIST / ASSETS_DIR).is_dir():
            s3deploy.BucketDeployment(
                self,
                "Assets",
                sources=[s3deploy.Source.asset(str(WEB_DIST / ASSETS_DIR))],
                destination_bucket=self.bucket,
                destination_key_prefix=f"{ASSETS_DIR}/",
                cache_control=[
                    s3deploy.CacheControl.set_public(),
                    s3deploy.CacheControl.max_age(Duration.days(365)),
                    s3deploy.CacheControl.immutable(),
                ],
                prune=False,  # old hashed files keep serving pages loaded before the deploy
                memory_limit=512,
            )
        pages = (
            [s3deploy.Source.asset(str(WEB_DIST), exclude=[f"{ASSETS_DIR}/*"])] if WEB_DIST.is_dir() else []
        )
        s3deploy.BucketDeployment(
            self,
            "Pages",
            sources=[*pages, config_json],
            destination_bucket=self.bucket,
            cache_control=no_cache,
            prune=False,  # never delete what the Assets deployment wrote
            memory_limit=512,
        )

    def _acknowledge(self) -> None:
        distribution = self.distribution.node.default_child
        acknowledge(
            distribution,  # type: ignore[arg-type]
            "AwsSolutions-CFR1",
            "Users anywhere may track their expenses; there is no country to block.",
        )
        record.deliberate(
            self.distribution,
            record.CLOUDFRONT_WAF,
            "No WAF web ACL: its fixed monthly cost ($5 per web ACL + $1 per rule) outweighs the risk; "
            "the API behind /api/* is Cognito-authorized and throttled per stage.",
            nag=["AwsSolutions-CFR2"],
        )
        record.deliberate(
            self.distribution,
            record.CLOUDFRONT_TLS,
            "Served on the default *.cloudfront.net certificate, which does not allow choosing the "
            "viewer TLS minimum; a custom domain with TLSv1.2_2021 is configured when one is added.",
            nag=["AwsSolutions-CFR4"],
        )
