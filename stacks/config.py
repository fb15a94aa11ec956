"""Typed per-environment configuration, read from the `outlay:environments` context in cdk.json.

Adding an environment is one more entry in that context object; nothing here names dev/staging/prod
except the defaults below. Synthesis never calls AWS: account and region come from the entry or from
the CLI's CDK_DEFAULT_ACCOUNT / CDK_DEFAULT_REGION, and stay unresolved (env-agnostic) otherwise.
"""

from __future__ import annotations

import os
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

CONTEXT_KEY = "outlay:environments"


class ThrottleConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    rate_limit: float = Field(100, alias="rateLimit", gt=0)
    burst_limit: int = Field(200, alias="burstLimit", gt=0)


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
