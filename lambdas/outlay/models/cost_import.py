"""Cost import: the request body, the run record (history), and the SQS message to the worker."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from outlay.logic.months import MAX_BACKFILL_MONTHS, MONTH_PATTERN
from outlay.models.expenses import CurrencyTotal
from outlay.models.text import QueryInt

Trigger = Literal["manual", "schedule", "admin"]
RunStatus = Literal["succeeded", "failed", "partial", "running"]
MonthStatus = Literal["pending", "succeeded", "failed"]


class ImportRequest(BaseModel):
    """`{}` = previous month; `{"month": "YYYY-MM"}`; or `{"from": "YYYY-MM", "to": "YYYY-MM"}` (<= 12).

    Months must be finished (up to the previous month), a range at most 12 months: rules that depend
    on today, checked by logic/months.import_months. The schema states the static part."""

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
        defer_build=True,
        json_schema_extra={
            # `month` excludes `from`/`to`; `from` and `to` come together.
            "not": {"anyOf": [{"required": ["month", "from"]}, {"required": ["month", "to"]}]},
            "anyOf": [
                {"required": ["from", "to"]},
                {"not": {"anyOf": [{"required": ["from"]}, {"required": ["to"]}]}},
            ],
        },
    )

    month: str | None = Field(None, pattern=MONTH_PATTERN)
    from_: str | None = Field(None, alias="from", pattern=MONTH_PATTERN)
    to: str | None = Field(None, pattern=MONTH_PATTERN)
    connection_id: str | None = Field(
        None,
        alias="connectionId",
        pattern=r"^[a-z0-9-]{1,40}$",
        description="the connection to import; default: the first one (the seed's one account)",
    )


class MonthProgress(BaseModel):
    """One month of a queued (backfill) run: pending until the worker has imported it."""

    model_config = ConfigDict(populate_by_name=True, defer_build=True)

    month: str
    status: MonthStatus
    finished_at: str | None = Field(None, alias="finishedAt")
    message: str = ""
    error: str | None = None
    error_code: str | None = Field(None, alias="errorCode")


class ImportRun(BaseModel):
    """One import attempt for one user, as stored in the user's partition and shown in history.

    A multi-month backfill runs through the queue: it is "running" while `progress` has pending
    months, and its counts are the sums of the months done so far."""

    model_config = ConfigDict(populate_by_name=True, defer_build=True)

    run_id: str = Field(alias="runId")
    started_at: str = Field(alias="startedAt")
    finished_at: str | None = Field(None, alias="finishedAt")
    trigger: Trigger
    months: list[str]
    status: RunStatus
    account_id: str | None = Field(None, alias="accountId")
    connection_id: str | None = Field(None, alias="connectionId")
    # Every AWS account whose lines the run wrote (an organization's linked accounts too).
    accounts: list[str] = Field(default_factory=list)
    expenses_created: int = Field(0, alias="expensesCreated")
    expenses_updated: int = Field(0, alias="expensesUpdated")
    expenses_unchanged: int = Field(0, alias="expensesUnchanged")
    expenses_removed: int = Field(0, alias="expensesRemoved")  # lines AWS no longer reports
    # AWS reported a value for a field the user had changed: the user's value was kept.
    expenses_kept_user_edits: int = Field(0, alias="expensesKeptUserEdits")
    # Lines the user deleted (dismissed): not re-created.
    expenses_dismissed_skipped: int = Field(0, alias="expensesDismissedSkipped")
    # Months imported with Cost Explorer's final numbers / still estimated (re-imported on the 8th).
    final_months: list[str] = Field(default_factory=list, alias="finalMonths")
    estimated_months: list[str] = Field(default_factory=list, alias="estimatedMonths")
    totals: list[CurrencyTotal] = Field(default_factory=list)
    failed_months: list[str] = Field(default_factory=list, alias="failedMonths")
    error: str | None = None  # actionable message; never an AWS message (may echo key ids)
    error_code: str | None = Field(None, alias="errorCode")
    message: str = ""
    progress: list[MonthProgress] | None = None  # queued runs only, month by month


class ImportMessage(BaseModel):
    """Dispatcher -> worker SQS body. `userId` comes from our own credentials table, not a request."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, defer_build=True)

    user_id: str = Field(alias="userId", min_length=1, max_length=128)
    months: list[Annotated[str, Field(pattern=MONTH_PATTERN)]] = Field(
        min_length=1, max_length=MAX_BACKFILL_MONTHS
    )
    trigger: Trigger = "schedule"
    kind: str = "monthly"
    # A month of a queued run (backfill): the worker records it into that run, not a run of its own.
    run_id: str | None = Field(None, alias="runId", max_length=64)
    run_started_at: str | None = Field(None, alias="runStartedAt", max_length=40)
    # The connection to import; absent in messages queued before connections were a collection
    # (then the user's first connection, as then).
    connection_id: str | None = Field(None, alias="connectionId", max_length=40)


class HistoryQuery(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    limit: QueryInt = Field(20, ge=1, le=100)
    next: str | None = Field(None, max_length=2048)


class DispatchEvent(BaseModel):
    """EventBridge Scheduler payload: both kinds import the previous month unless `month` is given."""

    model_config = ConfigDict(extra="ignore", defer_build=True)

    kind: Literal["monthly", "finalize"] = "monthly"
    month: str | None = Field(None, pattern=MONTH_PATTERN)
