"""Cost import: the request body, the run record (history), and the SQS message to the worker."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from outlay.logic.months import MONTH_PATTERN
from outlay.models.expenses import CurrencyTotal

Trigger = Literal["manual", "schedule", "admin"]
RunStatus = Literal["succeeded", "failed", "partial"]


class ImportRequest(BaseModel):
    """`{}` = previous month; `{"month": "YYYY-MM"}`; or `{"from": "YYYY-MM", "to": "YYYY-MM"}` (<= 12)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, defer_build=True)

    month: str | None = Field(None, pattern=MONTH_PATTERN)
    from_: str | None = Field(None, alias="from", pattern=MONTH_PATTERN)
    to: str | None = Field(None, pattern=MONTH_PATTERN)


class ImportRun(BaseModel):
    """One import attempt for one user, as stored in the user's partition and shown in history."""

    model_config = ConfigDict(populate_by_name=True, defer_build=True)

    run_id: str = Field(alias="runId")
    started_at: str = Field(alias="startedAt")
    finished_at: str | None = Field(None, alias="finishedAt")
    trigger: Trigger
    months: list[str]
    status: RunStatus
    account_id: str | None = Field(None, alias="accountId")
    expenses_created: int = Field(0, alias="expensesCreated")
    expenses_updated: int = Field(0, alias="expensesUpdated")
    expenses_unchanged: int = Field(0, alias="expensesUnchanged")
    expenses_removed: int = Field(0, alias="expensesRemoved")  # lines AWS no longer reports
    totals: list[CurrencyTotal] = Field(default_factory=list)
    failed_months: list[str] = Field(default_factory=list, alias="failedMonths")
    error: str | None = None  # actionable message; never an AWS message (may echo key ids)
    error_code: str | None = Field(None, alias="errorCode")
    message: str = ""


class ImportMessage(BaseModel):
    """Dispatcher -> worker SQS body. `userId` comes from our own credentials table, not a request."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, defer_build=True)

    user_id: str = Field(alias="userId", min_length=1, max_length=128)
    months: list[Annotated[str, Field(pattern=MONTH_PATTERN)]] = Field(min_length=1, max_length=12)
    trigger: Trigger = "schedule"
    kind: str = "monthly"


class HistoryQuery(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    limit: int = Field(20, ge=1, le=100)
    next: str | None = Field(None, max_length=2048)


class DispatchEvent(BaseModel):
    """EventBridge Scheduler payload: both kinds import the previous month unless `month` is given."""

    model_config = ConfigDict(extra="ignore", defer_build=True)

    kind: Literal["monthly", "finalize"] = "monthly"
    month: str | None = Field(None, pattern=MONTH_PATTERN)
