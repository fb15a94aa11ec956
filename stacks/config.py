"""Typed per-environment configuration, read from the `outlay:environments` context in cdk.json.

Adding an environment is one more entry in that context object; nothing here names dev/staging/prod
except the defaults below. Synthesis never calls AWS: account and region come from the entry or from
the CLI's CDK_DEFAULT_ACCOUNT / CDK_DEFAULT_REGION, and stay unresolved (env-agnostic) otherwise.
"""

from __future__ import annotations

import math
import os
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

CONTEXT_KEY = "outlay:environments"


class ThrottleConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    rate_limit: float = Field(100, alias="rateLimit", gt=0)
    burst_limit: int = Field(200, alias="burstLimit", gt=0)


class ConcurrencyConfig(BaseModel):
    """Reserved concurrency: how many copies of each function may run (and bill) at once.

    A cap turns a runaway client, a retry storm or an invocation loop into throttles instead of a
    bill. AWS refuses any reservation that would leave the account (per region) fewer than 100
    unreserved concurrent executions, so an account still on the new-account quota of 10 must run
    with `enabled: false` until Service Quotas raises "Concurrent executions" (README, Deploy).
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)

    enabled: bool = True
    # How long one API request may keep its function busy (p99, cold start included). Sizing from
    # the stage throttle by Little's law: at `rateLimit` requests/s lasting this long, at most
    # rateLimit x apiRequestSeconds run at once, so that is each API function's cap (rounded up).
    # Bursts above the steady rate are throttled by Lambda instead of billed.
    api_request_seconds: float = Field(0.5, alias="apiRequestSeconds", gt=0, le=29)
    # Each background function (dispatcher, import worker, lake writer). At least the import
    # worker's SQS maximum concurrency (2) and the expenses stream's shard count (one batch per shard
    # at a time; a new on-demand table has a few), so neither is ever throttled.
    background: int = Field(10, ge=2)
    # Each deploy-time provider function of aws-cdk-lib (bucket deployments, auto-delete, custom
    # resources): CloudFormation calls them a few times per deployment.
    deployment: int = Field(2, ge=1)


class EnvironmentConfig(BaseModel):
    """Everything that differs between environments, and nothing that does not."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)

    name: str
    account: str | None = None
    region: str | None = None
    removal_policy: Literal["destroy", "retain"] = Field("destroy", alias="removalPolicy")
    deletion_protection: bool = Field(False, alias="deletionProtection")
    mfa: Literal["off", "optional", "required"] = "optional"
    log_retention_days: int = Field(30, alias="logRetentionDays")
    throttle: ThrottleConfig = Field(default_factory=lambda: ThrottleConfig())  # type: ignore[call-arg]
    web_origins: tuple[str, ...] = Field((), alias="webOrigins")
    alarm_email: str = Field("", alias="alarmEmail")
    # Alarms always exist; only environments with alarmActions notify the SNS topic (dev stays quiet).
    alarm_actions: bool = Field(True, alias="alarmActions")
    alarm_period_minutes: int = Field(5, alias="alarmPeriodMinutes", ge=1)
    # API 5XX responses per alarm period before the API alarm fires.
    api_5xx_threshold: int = Field(1, alias="api5xxThreshold", ge=1)
    # Reserved-concurrency caps on every function (see ConcurrencyConfig); dev turns them off.
    concurrency: ConcurrencyConfig = Field(
        default_factory=lambda: ConcurrencyConfig(), alias="reservedConcurrency"
    )
    # Days a replaced or deleted object of a data bucket (receipts, lake) stays restorable.
    noncurrent_version_days: int = Field(30, alias="noncurrentVersionDays", ge=1)
    # The CloudWatch dashboard: $3.00/month beyond the account's 3 free ones, so off unless wanted.
    dashboard: bool = False
    quicksight: bool = False
    # QuickSight principal (user or group ARN) granted the dataset; only read when quicksight is on.
    quicksight_principal_arn: str = Field("", alias="quicksightPrincipalArn")

    @field_validator("web_origins")
    @classmethod
    def _origins_have_scheme(cls, origins: tuple[str, ...]) -> tuple[str, ...]:
        for origin in origins:
            if not origin.startswith(("https://", "http://localhost", "http://127.0.0.1")):
                raise ValueError(f"web origin {origin!r} must be https:// (or http://localhost)")
            if origin.endswith("/"):
                raise ValueError(f"web origin {origin!r} must not end with '/'")
        return origins

    @property
    def is_production(self) -> bool:
        return self.removal_policy == "retain"

    def reserved_concurrency(self, kind: Literal["api", "background", "deployment"]) -> int | None:
        """The cap for one function of this kind, or None where caps are off."""
        caps = self.concurrency
        if not caps.enabled:
            return None
        if kind == "api":
            return math.ceil(self.throttle.rate_limit * caps.api_request_seconds)
        return caps.background if kind == "background" else caps.deployment

    @property
    def metrics_namespace(self) -> str:
        """Custom metrics per environment, so dev's failures never ring staging's alarms."""
        return f"Outlay/{self.name}"

    @property
    def resolved_account(self) -> str | None:
        return self.account or os.environ.get("CDK_DEFAULT_ACCOUNT")

    @property
    def resolved_region(self) -> str | None:
        return self.region or os.environ.get("CDK_DEFAULT_REGION")


def load_environments(context: dict[str, Any] | None) -> list[EnvironmentConfig]:
    """Parse the context object into configs, in the order cdk.json lists them."""
    if not context:
        raise ValueError(f"cdk.json context {CONTEXT_KEY!r} is missing or empty")
    return [EnvironmentConfig.model_validate({"name": name, **values}) for name, values in context.items()]
