"""GET /aws-insights and its settings: query, request and the documented response shape.

Money is a decimal string (USD, as AWS prices and Cost Anomaly Detection report it).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

REGION_PATTERN = r"^[a-z]{2}(-gov)?-[a-z]+-[0-9]$"
# The request takes any short region-like word; the service names the ones that are no AWS region
# ("Not an AWS region: atlantis-1"), which a pattern refusal ("Invalid value for: regions.1") cannot.
REGION_WORD = r"^[a-z0-9-]{1,30}$"
MAX_REGIONS = 8


class InsightsQuery(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True, populate_by_name=True)

    connection: str = Field("all", min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    refresh: Literal["true", "false"] = "false"
    cached_only: Literal["true", "false"] = Field(
        "false", alias="cachedOnly", description="true: only what is cached (never calls AWS)"
    )


class InsightsSettingsRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True, populate_by_name=True)

    regions: list[Annotated[str, Field(pattern=REGION_WORD, max_length=30)]] | None = Field(
        None, max_length=MAX_REGIONS, description="Regions to scan; empty = default; absent = unchanged"
    )
    monthly_summary: bool | None = Field(
        None,
        alias="monthlySummary",
        description="A summary notice after each monthly import; absent = unchanged",
    )


class InsightsSettings(BaseModel):
    model_config = ConfigDict(defer_build=True, populate_by_name=True)

    regions: list[str] = Field(description="Regions the user chose; empty = regions with spend last month")
    max_regions: int = Field(alias="maxRegions")
    monthly_summary: bool = Field(alias="monthlySummary")


class Notice(BaseModel):
    model_config = ConfigDict(defer_build=True, populate_by_name=True)

    month: str
    text: str
    created_at: str = Field(alias="createdAt")


class _Out(BaseModel):
    model_config = ConfigDict(defer_build=True, populate_by_name=True)


class WasteFinding(_Out):
    kind: Literal["unattached_volume", "idle_address", "old_snapshot", "stopped_instance"]
    region: str
    resource_id: str = Field(alias="resourceId")
    description: str
    monthly_cost: str = Field(alias="monthlyCost", description="Estimated cost per month (price table)")
    currency: str
    approximate: bool = Field(description="Region not in the price table: priced as us-east-1")
    service: str = Field(description="The Cost Explorer service its charge appears under")
    console_url: str = Field(alias="consoleUrl")


class Waste(_Out):
    items: list[WasteFinding]
    total_monthly: str = Field(alias="totalMonthly")
    currency: str


class Anomaly(_Out):
    source: Literal["aws", "outlay"] = Field(description="Cost Anomaly Detection, or Outlay's run-rate check")
    service: str
    account: str
    expected: str
    actual: str = Field(description="Actual spend (aws) or this month's run-rate (outlay)")
    currency: str
    since: str


class Anomalies(_Out):
    items: list[Anomaly]
    note: str | None = None


class Commitment(_Out):
    has: bool = Field(description="False: the account has none (a valid, quiet answer)")
    utilization_percent: str | None = Field(None, alias="utilizationPercent")
    coverage_percent: str | None = Field(None, alias="coveragePercent")
    unused_hours: str | None = Field(None, alias="unusedHours")
    unused_commitment: str | None = Field(None, alias="unusedCommitment")


class Commitments(_Out):
    month: str | None
    reservations: Commitment
    savings_plans: Commitment = Field(alias="savingsPlans")


class Problem(_Out):
    feature: str
    region: str | None = None
    message: str = Field(description="What Outlay could not read and how to allow it, in plain words")


class ConnectionInsights(_Out):
    id: str
    name: str
    account_id: str = Field(alias="accountId")
    read_at: str = Field(alias="readAt", description="When these were read from AWS (ISO 8601, UTC)")
    cached: bool
    regions: list[str]
    regions_from: Literal["preference", "spend", "connection", "none"] = Field(alias="regionsFrom")
    waste: Waste
    anomalies: Anomalies
    commitments: Commitments
    problems: list[Problem]


class Insights(_Out):
    configured: bool = Field(description="False: no AWS connection yet")
    connections: list[ConnectionInsights]
    badges: dict[str, str] = Field(description="Cost Explorer service -> waste badge for its imported line")
    notice: Notice | None = Field(None, description="The monthly summary (opt-in) until it is dismissed")
