"""OutlayFunction: the only way a Lambda function enters this app.

Every function runs the lambdas/ package (from one of two assets: the envelope function's with
cryptography and no pydantic, every other's the reverse) on the newest Python runtime on arm64, logs JSON into
its own log group with a retention from config, traces with X-Ray, and gets a role with no managed
policy (only what the construct and the caller's grants add). The handler comes from the route
table's function maps, so a function cannot point at an entry point that does not exist there.
Its reserved concurrency is the environment's cap for its kind (an HTTP function of the route table
or a background one: EnvironmentConfig.reserved_concurrency), and what it deliberately goes without
(a VPC, a customer managed key for its variables and logs) is recorded here, once for every function.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from aws_cdk import Duration
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs
from constructs import Construct
from outlay.routes import EVENT_FUNCTIONS, HTTP_FUNCTIONS

from stacks.config import EnvironmentConfig
from stacks.constructs import deliberate as record
from stacks.constructs.buckets import removal_policy
from stacks.constructs.local_bundling import CORE_ASSET, ENVELOPE_ASSET, lambda_code
from stacks.constructs.nag import acknowledge

RUNTIME = lambda_.Runtime.PYTHON_3_14  # newest Python runtime aws-cdk-lib 2.275 knows
ARCHITECTURE = lambda_.Architecture.ARM_64
SERVICE_NAME = "outlay"
# No pydantic plugin is used: skip their discovery (a scan of every installed distribution's entry
# points on the first model class) during INIT. bench/cold_start.py runs handlers with the same.
NO_PYDANTIC_PLUGINS = {"PYDANTIC_DISABLE_PLUGINS": "__all__"}

UNCAPPED_REASON = (
    "Reserved concurrency is off in this environment (cdk.json reservedConcurrency.enabled=false): "
    "meant for dev and for accounts whose Lambda quota is still too small for any reservation."
)


@dataclass(frozen=True)
class EnvelopeAccess:
    """The function seals and opens users' secret envelopes with `key` (only the envelope function:
    stacks/constructs/envelope_keeper.py).

    Declared once, it gives both the KMS grant and the asset with cryptography in it; a function
    without it runs from the core asset and could not decrypt even if it imported the code.
    """

    key: kms.IKey


def handler_for(name: str) -> str:
    entry = HTTP_FUNCTIONS.get(name) or EVENT_FUNCTIONS.get(name)
    if entry is None:
        raise KeyError(f"{name!r} is in neither HTTP_FUNCTIONS nor EVENT_FUNCTIONS of outlay.routes")
    return entry


class OutlayFunction(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        name: str,
        config: EnvironmentConfig,
        environment: Mapping[str, str],
        timeout: Duration | None = None,
        memory_size: int = 512,
        dead_letter_queue: sqs.IQueue | None = None,
        no_dlq_reason: str | None = None,
        envelope: EnvelopeAccess | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.opens_envelopes = envelope is not None
        self.asset = ENVELOPE_ASSET if self.opens_envelopes else CORE_ASSET
        # HTTP functions are capped from the API throttle, the rest as background functions.
        cap = config.reserved_concurrency("api" if name in HTTP_FUNCTIONS else "background")
        if self.opens_envelopes:
            # The costs API and the import worker wait on it (synchronous invokes): room for both at
            # their own caps, so it never throttles a caller that its own cap let through.
            background = config.reserved_concurrency("background")
            api = config.reserved_concurrency("api")
            cap = None if api is None or background is None else api + background
        if (dead_letter_queue is None) == (no_dlq_reason is None):
            raise ValueError("give exactly one of dead_letter_queue or no_dlq_reason")
        self.log_group = logs.LogGroup(
            self,
            "Logs",
            retention=retention_days(config.log_retention_days),
            removal_policy=removal_policy(config),
        )
        record.deliberate(self.log_group, record.LOG_GROUP_CMK, LOGS_WITHOUT_CMK)
        # Own role without AWSLambdaBasicExecutionRole: logging is granted on this log group only.
        self.role = iam.Role(self, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
        self.log_group.grant_write(self.role)
        self.function = lambda_.Function(
            self,
            "Function",
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            handler=handler_for(name),
            code=lambda_code(self, RUNTIME, ARCHITECTURE, asset=self.asset),
            role=self.role,
            timeout=timeout or Duration.seconds(29),
            memory_size=memory_size,
            # Lambda's own X-Ray tracing (no SDK in the bundle): each invocation's Initialization,
            # Invocation and Overhead segments and the caller -> function edges of the service map;
            # per-AWS-call subsegments would need the X-Ray SDK's ~450 ms import on every cold start.
            tracing=lambda_.Tracing.ACTIVE,
            logging_format=lambda_.LoggingFormat.JSON,
            application_log_level_v2=lambda_.ApplicationLogLevel.INFO,
            system_log_level_v2=lambda_.SystemLogLevel.WARN,
            log_group=self.log_group,
            dead_letter_queue=dead_letter_queue,
            reserved_concurrent_executions=cap,
            environment={
                "POWERTOOLS_SERVICE_NAME": SERVICE_NAME,
                "POWERTOOLS_METRICS_NAMESPACE": config.metrics_namespace,
                **NO_PYDANTIC_PLUGINS,
                **environment,
            },
        )
        acknowledge(
            self.role.node.find_child("DefaultPolicy"),
            "AwsSolutions-IAM5[Resource::*]",
            "X-Ray PutTraceSegments/PutTelemetryRecords (and dynamodb:ListStreams, which CDK adds for a "
            "stream consumer) support no resource-level permissions; test_functions pins that list.",
        )
        fn = self.function
        if envelope is not None:
            # Imported here: grants -> cdk_providers -> this module would be an import cycle.
            from stacks.constructs.grants import envelope_key

            envelope_key(fn, envelope.key)
        if no_dlq_reason is not None:
            record.deliberate(fn, record.LAMBDA_DLQ, no_dlq_reason, nag=["Serverless-LambdaDLQ"])
        if cap is None:
            record.deliberate(fn, record.CONCURRENCY_CAP, UNCAPPED_REASON)
        record.deliberate(
            fn,
            record.LAMBDA_VPC,
            "Reaches only AWS APIs (DynamoDB, S3, KMS, SQS, STS, Cost Explorer), all IAM-authorized over "
            "TLS; a VPC would add NAT gateways or endpoints billed by the hour and protect nothing more.",
        )
        record.deliberate(
            fn,
            record.LAMBDA_ENV_CMK,
            "The variables name tables, buckets, queues and a key id, never a secret; Lambda encrypts "
            "them at rest with its AWS managed key, and a customer key would cost $1/month for nothing.",
        )


# Shared by every log group of the app (functions here, the API's access logs in rest_api.py).
LOGS_WITHOUT_CMK = (
    "CloudWatch Logs encrypts log data at rest by default; handlers never log a secret or a token, "
    "and a customer managed key would cost $1/month per environment plus a key policy for the logs "
    "service, for no data worth it."
)

_RETENTION = {
    1: logs.RetentionDays.ONE_DAY,
    3: logs.RetentionDays.THREE_DAYS,
    5: logs.RetentionDays.FIVE_DAYS,
    7: logs.RetentionDays.ONE_WEEK,
    14: logs.RetentionDays.TWO_WEEKS,
    30: logs.RetentionDays.ONE_MONTH,
    60: logs.RetentionDays.TWO_MONTHS,
    90: logs.RetentionDays.THREE_MONTHS,
    120: logs.RetentionDays.FOUR_MONTHS,
    150: logs.RetentionDays.FIVE_MONTHS,
    180: logs.RetentionDays.SIX_MONTHS,
    365: logs.RetentionDays.ONE_YEAR,
    400: logs.RetentionDays.THIRTEEN_MONTHS,
    545: logs.RetentionDays.EIGHTEEN_MONTHS,
    731: logs.RetentionDays.TWO_YEARS,
    1827: logs.RetentionDays.FIVE_YEARS,
    3653: logs.RetentionDays.TEN_YEARS,
}


def retention_days(days: int) -> logs.RetentionDays:
    """The shortest retention CloudWatch accepts that keeps logs at least `days` days."""
    return _RETENTION[next((d for d in sorted(_RETENTION) if d >= days), max(_RETENTION))]
