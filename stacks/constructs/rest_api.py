"""The REST API, generated from `outlay.routes.ROUTES`: one method per route, every one Cognito-authorized.

The stage is named `api`, so the base URL ends in `/api` exactly like the local gateway
(`http://localhost:8000/api`) and CloudFront can forward `/api/*` to it without rewriting paths.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Mapping
from typing import Any

from aws_cdk import RemovalPolicy
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct
from outlay.openapi import GATEWAY_VALIDATION_RESPONSES, gateway_error_template
from outlay.routes import ROUTES, Route

from stacks.config import EnvironmentConfig
from stacks.constructs import deliberate as record
from stacks.constructs.buckets import removal_policy
from stacks.constructs.nag import acknowledge
from stacks.constructs.python_function import LOGS_WITHOUT_CMK, retention_days

STAGE_NAME = "api"
CORS_HEADERS = ["Authorization", "Content-Type", "Idempotency-Key"]


def _schema_builder() -> Callable[[str], dict[str, Any]] | None:
    """`outlay.openapi.request_schema` once that module exists (it is written alongside this stack)."""
    if importlib.util.find_spec("outlay.openapi") is None:
        return None
    from outlay import openapi

    return getattr(openapi, "request_schema", None)


class OutlayRestApi(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvironmentConfig,
        user_pool: cognito.IUserPool,
        functions: Mapping[str, lambda_.IFunction],
    ) -> None:
        super().__init__(scope, construct_id)
        origins = list(config.web_origins)
        self.access_logs = logs.LogGroup(
            self,
            "AccessLogs",
            retention=retention_days(config.log_retention_days),
            removal_policy=removal_policy(config),
        )
        record.deliberate(self.access_logs, record.LOG_GROUP_CMK, LOGS_WITHOUT_CMK)
        self.authorizer = apigw.CognitoUserPoolsAuthorizer(self, "Authorizer", cognito_user_pools=[user_pool])
        self.api = apigw.RestApi(
            self,
            "Api",
            # A display name, not an identifier (need not be unique); per environment so the ApiName
            # metric dimension, and so the 5XX alarm, never mixes two environments of one account.
            rest_api_name=f"outlay-{config.name}",
            description=f"Outlay API ({config.name})",
            endpoint_types=[apigw.EndpointType.REGIONAL],
            # API Gateway writes access and execution logs only once the account (per region) names a
            # CloudWatch role. That setting is account-wide: the role is RETAINed so deleting one
            # environment never takes logging away from the others deployed in the same account.
            cloud_watch_role=True,
            cloud_watch_role_removal_policy=RemovalPolicy.RETAIN,
            deploy_options=apigw.StageOptions(
                stage_name=STAGE_NAME,
                throttling_rate_limit=config.throttle.rate_limit,
                throttling_burst_limit=config.throttle.burst_limit,
                tracing_enabled=True,
                # Per-method metrics bill as custom metrics (~$33/month); alarms and the dashboard use
                # the free per-API ones.
                metrics_enabled=False,
                logging_level=apigw.MethodLoggingLevel.ERROR,
                data_trace_enabled=False,  # request/response bodies would put user data in logs
                access_log_destination=apigw.LogGroupLogDestination(self.access_logs),
                access_log_format=apigw.AccessLogFormat.json_with_standard_fields(
                    caller=True,
                    http_method=True,
                    ip=True,
                    protocol=True,
                    request_time=True,
                    resource_path=True,
                    response_length=True,
                    status=True,
                    user=True,
                ),
            ),
            # Preflight only where a cross-origin caller is configured (local dev); the cloud site is
            # same-origin through CloudFront and needs none.
            default_cors_preflight_options=apigw.CorsOptions(
                allow_origins=origins, allow_headers=CORS_HEADERS, allow_methods=apigw.Cors.ALL_METHODS
            )
            if origins
            else None,
            default_method_options=apigw.MethodOptions(
                authorizer=self.authorizer, authorization_type=apigw.AuthorizationType.COGNITO
            ),
        )
        self.validator = self.api.add_request_validator(
            "Validator", validate_request_body=True, validate_request_parameters=True
        )
        self._gateway_responses(origins)
        integrations = {
            name: apigw.LambdaIntegration(fn, allow_test_invoke=False, scope_permission_to_method=False)
            for name, fn in functions.items()
        }
        schema_of = _schema_builder()
        self.models_attached = schema_of is not None
        for route in ROUTES:
            self._add_route(route, integrations[route.function], schema_of)
        self._acknowledge()

    def _add_route(
        self,
        route: Route,
        integration: apigw.Integration,
        schema_of: Callable[[str], dict[str, Any]] | None,
    ) -> None:
        resource = self.api.root.resource_for_path(route.path)
        models: dict[str, apigw.IModel] | None = None
        model_resource: apigw.CfnModel | None = None
        # Optional bodies (body_required=False) are left to the handler: API Gateway would validate
        # an absent body against the model and reject it.
        if route.body_model and route.body_required and schema_of is not None:
            model_name = route.body_model.rsplit(".", 1)[-1]
            model_resource = apigw.CfnModel(
                self,
                f"Model{model_name}",
                rest_api_id=self.api.rest_api_id,
                content_type="application/json",
                schema=schema_of(route.body_model),
            )
            models = {
                "application/json": apigw.Model.from_model_name(self, f"{model_name}Ref", model_resource.ref)
            }
        method = resource.add_method(
            route.method,
            integration,
            request_validator=self.validator,
            request_parameters={f"method.request.path.{p}": True for p in route.path_params} or None,
            request_models=models,
        )
        if model_resource is not None:
            method.node.add_dependency(model_resource)

    def _gateway_responses(self, origins: list[str]) -> None:
        # Errors API Gateway answers itself (401 from the authorizer, throttling, 5xx) must still carry
        # CORS headers, or the browser reports a CORS failure instead of the real status.
        headers = {"Access-Control-Allow-Origin": f"'{origins[0]}'", "Vary": "'Origin'"} if origins else None
        # Its request validator's refusals answer in the product's error shape, like the functions
        # (local/validation.py renders the same templates).
        for name in GATEWAY_VALIDATION_RESPONSES:
            response_type = getattr(apigw.ResponseType, name)
            self.api.add_gateway_response(
                f"Gateway{response_type.response_type}",
                type=response_type,
                status_code="400",
                response_headers=headers,
                templates={"application/json": gateway_error_template(name)},
            )
        if not origins:
            return
        for response_type in (
            apigw.ResponseType.DEFAULT_4_XX,
            apigw.ResponseType.DEFAULT_5_XX,
            apigw.ResponseType.UNAUTHORIZED,
        ):
            self.api.add_gateway_response(
                f"Gateway{response_type.response_type}", type=response_type, response_headers=headers
            )

    def _acknowledge(self) -> None:
        for method in self.api.methods:
            if method.http_method == "OPTIONS":
                for rule in ("AwsSolutions-APIG4", "AwsSolutions-COG4"):
                    acknowledge(
                        method.node.default_child,  # type: ignore[arg-type]
                        rule,
                        "CORS preflight: browsers send OPTIONS without credentials by design; "
                        "the mock integration returns headers only and reaches no function.",
                    )
        stage = self.api.deployment_stage.node.default_child
        record.deliberate(
            stage,  # type: ignore[arg-type]
            record.API_CACHE,
            "No stage cache: every answer is per user (keyed by the caller's token) and changes with "
            "each write, and a cache cluster is billed by the hour even when idle.",
        )
        acknowledge(
            stage,  # type: ignore[arg-type]
            "AwsSolutions-APIG3",
            "No WAF web ACL: its fixed monthly cost outweighs the risk for this app; stage throttling "
            "and the Cognito authorizer on every method bound abuse.",
        )
        acknowledge(
            self.api.node.find_child("CloudWatchRole"),
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
            "AmazonAPIGatewayPushToCloudWatchLogs]",
            "The AWS managed policy made for exactly this role: API Gateway's own log delivery, which "
            "creates log groups named by API id at run time.",
        )
