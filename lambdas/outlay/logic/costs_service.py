"""The AWS cost-tracking use cases, over injected ports (pure: no boto3, clock and ids injected).

Handlers (HTTP, dispatcher, worker) parse input, call one of these, and map the result. The concrete
adapters are wired in `outlay.dal.wiring`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol, runtime_checkable

from outlay.logic import months as month_rules
from outlay.logic import role_setup
from outlay.logic.aws_errors import CostDataUnavailableError
from outlay.logic.budgets import StoredForecast
from outlay.logic.connections import ConnectionsService, ConnectionStore
from outlay.logic.cost_rules import checked_rules
from outlay.logic.cost_rules import preview as preview_rules
from outlay.logic.errors import (
    CredentialsRejectedError,
    ForbiddenError,
    InvalidInputError,
    NotFoundError,
)
from outlay.logic.import_runner import CostSource, ExpenseWriter, ImportOutcome, RunStore, run_import
from outlay.models.connections import StoredConnection
from outlay.models.cost_import import ImportMessage, ImportRequest, ImportRun, Trigger
from outlay.models.cost_rules import CostRules, CostRulesRequest
from outlay.models.credentials import (
    CredentialsStatus,
    KeysCredentialsRequest,
    SaveCredentialsRequest,
    StoredCredentials,
)
from outlay.models.expenses import DismissedLine, DismissedPage, Expense

NOT_CONFIGURED = "AWS credentials are not configured: connect an AWS account in Settings first"


# ------------------------------------------------------------------------------------------ ports
class CredentialsStore(Protocol):
    def ensure_external_id(self, sub: str, candidate: str, now_iso: str) -> str: ...


class RunHistory(Protocol):
    def put(self, sub: str, run: ImportRun) -> None: ...
    def page(
        self, sub: str, limit: int = 20, next_token: str | None = None
    ) -> tuple[list[ImportRun], str | None]: ...
    def latest(self, sub: str) -> ImportRun | None: ...
    def get(self, sub: str, run_id: str) -> ImportRun | None: ...
    def start_queued(self, sub: str, run: ImportRun) -> None: ...
    def month_store(self, started_at: str, run_id: str) -> RunStore: ...
    def latest_for_connection(self, sub: str, connection_id: str) -> ImportRun | None: ...
    def page_for_connection(
        self, sub: str, connection_id: str, limit: int = 20, next_token: str | None = None
    ) -> tuple[list[ImportRun], str | None]: ...


class ForecastResult(Protocol):
    @property
    def amount(self) -> Any: ...
    @property
    def currency(self) -> str: ...


class ConnectedAccount(CostSource, Protocol):
    def forecast(self, today_iso: str, month: str) -> ForecastResult: ...


class ForecastSink(Protocol):
    """Where a fetched forecast is kept for the budgets check (the expenses function never calls AWS)."""

    def put_forecast(self, sub: str, forecast: StoredForecast) -> None: ...


class Connector(Protocol):
    def validate_keys(self, request: KeysCredentialsRequest) -> str: ...
    def validate_role(self, sub: str, role_arn: str, external_id: str) -> str: ...
    def seal_keys(self, sub: str, request: KeysCredentialsRequest) -> dict[str, Any]: ...
    def is_management_account(self, sub: str, stored: StoredCredentials) -> bool: ...
    def connect(self, sub: str, stored: StoredCredentials) -> ConnectedAccount: ...


class DismissedLines(Protocol):
    def dismissed_page(
        self, sub: str, limit: int = 50, next_token: str | None = None
    ) -> tuple[list[DismissedLine], str | None]: ...
    def restore_dismissed(self, sub: str, expense_id: str) -> Expense: ...


class CostRuleStore(Protocol):
    def get(self, sub: str) -> CostRules: ...
    def put(self, sub: str, rules: CostRules) -> None: ...


class UserCategories(Protocol):
    def user_categories(self, sub: str) -> list[str]: ...


@runtime_checkable
class MonthLines(Protocol):
    def imported_lines(self, sub: str, month: str) -> list[Expense]: ...


class SendResult(Protocol):
    sent: int
    failed: int
    unsent: list[ImportMessage]


class Queue(Protocol):
    def send_all(self, messages: Iterable[ImportMessage]) -> SendResult: ...


def _utc_now() -> datetime:
    from datetime import UTC

    return datetime.now(UTC)


@dataclass
class CostsService:
    credentials: CredentialsStore
    runs: RunHistory
    connector: Connector
    connection_store: ConnectionStore
    writer: ExpenseWriter | None = None
    dismissed: DismissedLines | None = None
    queue: Queue | None = None
    service_account: Callable[[], str] = lambda: ""
    role_template_url: str | None = None
    forecasts: ForecastSink | None = None
    clock: Callable[[], datetime] = field(default=_utc_now)
    new_id: Callable[[], str] = field(default=lambda: uuid.uuid4().hex)
    cost_rules: CostRuleStore | None = None
    categories: UserCategories | None = None

    def __post_init__(self) -> None:
        self.connections = ConnectionsService(
            store=self.connection_store,
            connector=self.connector,
            runs=self.runs,
            external_id=self.external_id,
            now_iso=self.now_iso,
        )

    # -------------------------------------------------------------------------------- helpers
    def now_iso(self) -> str:
        return self.clock().isoformat(timespec="milliseconds").replace("+00:00", "Z")

    def today(self) -> date:
        return self.clock().date()

    def _configured(self, sub: str, connection_id: str | None = None) -> StoredConnection:
        if connection_id is not None:
            return self.connections.get(sub, connection_id)
        stored = self.connections.first(sub)
        if stored is None:
            raise InvalidInputError(NOT_CONFIGURED)
        return stored

    def external_id(self, sub: str) -> str:
        return self.credentials.ensure_external_id(sub, role_setup.new_external_id(), self.now_iso())

    # ------------------------------------------------------------------------- credentials API
    def status(self, sub: str) -> CredentialsStatus:
        """The seed's GET /aws-credentials: the user's first connection."""
        stored = self.connections.first(sub)
        latest = self.runs.latest(sub)
        configured = bool(stored and stored.configured)
        return CredentialsStatus.model_validate(
            {
                "configured": configured,
                "enabled": bool(stored and configured and stored.enabled),
                "type": stored.type if stored and configured else None,
                "region": stored.region if stored and configured else None,
                "accountId": stored.account_id if stored and configured else None,
                "roleArn": stored.role_arn if stored and configured else None,
                "accessKeyId": stored.key_hint if stored and configured else None,
                "updatedAt": stored.updated_at if stored else None,
                "lastImport": latest.model_dump(mode="json", by_alias=True, exclude_none=True)
                if latest
                else None,
            }
        )

    def save(self, sub: str, body: SaveCredentialsRequest) -> dict[str, Any]:
        """The seed's POST /aws-credentials: replaces the first connection (or creates it)."""
        request = body.root
        account_id = self.connections.save_first(sub, request)
        return {
            "message": "Credentials saved successfully",
            "enabled": request.enabled,
            "accountId": account_id,
        }

    def delete(self, sub: str) -> dict[str, str]:
        first = self.connections.first(sub)
        if first is None:
            raise NotFoundError("No AWS credentials are configured")
        # The seed's delete has no undo: the credentials are forgotten at once.
        self.connections.delete(sub, first.connection_id, undoable=False)
        return {"message": "Credentials deleted successfully"}

    def toggle(self, sub: str, enabled: bool) -> dict[str, Any]:
        first = self.connections.first(sub)
        if first is None:
            raise NotFoundError("No AWS credentials are configured")
        self.connections.set_enabled(sub, first.connection_id, enabled)
        state = "enabled" if enabled else "disabled"
        return {"message": f"Scheduled imports {state}", "enabled": enabled}

    def role_setup(self, sub: str) -> dict[str, Any]:
        return role_setup.role_setup(self.service_account(), self.external_id(sub), self.role_template_url)

    # ------------------------------------------------------------------------------- imports
    def import_for(
        self,
        sub: str,
        months: list[str],
        trigger: Trigger,
        stored: StoredConnection,
        runs: RunStore | None = None,
        run_id: str | None = None,
    ) -> ImportOutcome:
        if self.writer is None:
            raise RuntimeError("no expense writer wired")
        writer = self.writer
        skip = (
            self.connections.other_accounts(sub, stored.connection_id)
            if stored.is_organization
            else frozenset()
        )
        return run_import(
            connection_id=stored.connection_id,
            skip_accounts=skip,
            sub=sub,
            months=months,
            trigger=trigger,
            connect=lambda: self.connector.connect(sub, stored),
            writer=writer,
            runs=runs or self.runs,
            now=self.now_iso,
            run_id=run_id or self.new_id(),
            rules=self.cost_rules.get(sub) if self.cost_rules is not None else None,
        )

    def import_now(self, sub: str, request: ImportRequest) -> ImportRun:
        """The caller's own import. One month runs at once (a few seconds at most); several months
        (a backfill) are queued, one message per month, and the run is returned "running" at once
        (`run` shows its progress). Disabled credentials still import on demand: `enabled` only
        controls the schedule."""
        wanted = month_rules.import_months(
            self.today(), month=request.month, start=request.from_, end=request.to
        )
        stored = self._configured(sub, request.connection_id)
        if len(wanted) > 1:
            return self.start_backfill(sub, wanted, stored.connection_id)
        outcome = self.import_for(sub, wanted, "manual", stored)
        if outcome.run.status == "failed" and outcome.error is not None:
            outcome.error.details = [
                *outcome.error.details,
                {"field": "runId", "message": outcome.run.run_id},
            ]
            raise outcome.error
        return outcome.run

    # ---------------------------------------------------------------------------- cost rules
    def _rule_store(self) -> CostRuleStore:
        if self.cost_rules is None:
            raise RuntimeError("no cost-rules store wired")
        return self.cost_rules

    def rules(self, sub: str) -> CostRules:
        """The user's rules from AWS to categories (none saved: every line "Software", credits shown)."""
        return self._rule_store().get(sub)

    def replace_rules(self, sub: str, request: CostRulesRequest) -> CostRules:
        """Replace the ordered list (and the credits choice) at once; the next import applies it to
        every line whose category and tags the user has not changed."""
        own = self.categories.user_categories(sub) if self.categories is not None else []
        rules = checked_rules(request, own).model_copy(update={"updated_at": self.now_iso()})
        self._rule_store().put(sub, rules)
        return rules

    def rules_preview(self, sub: str) -> dict[str, Any]:
        """What the saved rules would change at the next import of last month's imported lines (one
        query of that month's imported lines; no Cost Explorer call)."""
        month = month_rules.previous_month(self.today())
        lines: list[Expense] = []
        if isinstance(self.writer, MonthLines):
            lines = self.writer.imported_lines(sub, month)
        return {"month": month, **preview_rules(self.rules(sub), lines)}

    # ------------------------------------------------------------------------ dismissed lines
    def _dismissed(self) -> DismissedLines:
        if self.dismissed is None:
            raise RuntimeError("no expense repository wired")
        return self.dismissed

    def dismissed_lines(self, sub: str, limit: int, next_token: str | None) -> DismissedPage:
        """Imported lines the user deleted; imports skip them until they are restored."""
        items, token = self._dismissed().dismissed_page(sub, limit, next_token)
        return DismissedPage(items=items, next=token)

    def restore_dismissed(self, sub: str, expense_id: str) -> Expense:
        """The line is back as the user left it, and the next import updates it again."""
        return self._dismissed().restore_dismissed(sub, expense_id)

    def start_backfill(self, sub: str, months: list[str], connection_id: str | None = None) -> ImportRun:
        """Record the run with every month pending, then queue one message per month; a month that
        cannot be queued is recorded as failed at once (the others still run)."""
        if self.queue is None:
            raise RuntimeError("no import queue wired")
        run = ImportRun.model_validate(
            {
                "runId": self.new_id(),
                "startedAt": self.now_iso(),
                "trigger": "manual",
                "months": months,
                "status": "running",
                "message": f"Queued {len(months)} months",
                "connectionId": connection_id,
            }
        )
        self.runs.start_queued(sub, run)
        messages = [
            ImportMessage.model_validate(
                {
                    "userId": sub,
                    "months": [month],
                    "trigger": "manual",
                    "kind": "backfill",
                    "runId": run.run_id,
                    "runStartedAt": run.started_at,
                    "connectionId": connection_id,
                }
            )
            for month in months
        ]
        for unsent in self.queue.send_all(messages).unsent:
            for month in unsent.months:
                self._record_month_failure(sub, run, month, "The month could not be queued; try again")
        return self.run(sub, run.run_id)

    def _record_month_failure(self, sub: str, run: ImportRun, month: str, message: str) -> None:
        failed = ImportRun.model_validate(
            {
                "runId": run.run_id,
                "startedAt": run.started_at,
                "finishedAt": self.now_iso(),
                "trigger": run.trigger,
                "months": [month],
                "status": "failed",
                "failedMonths": [month],
                "error": message,
                "message": message,
            }
        )
        self.runs.month_store(run.started_at, run.run_id).put(sub, failed)

    def run(self, sub: str, run_id: str) -> ImportRun:
        """One of the caller's runs by id; a queued run with its progress month by month."""
        found = self.runs.get(sub, run_id)
        if found is None:
            raise NotFoundError("Import run not found")
        return found

    def history(self, sub: str, limit: int, next_token: str | None) -> dict[str, Any]:
        items, token = self.runs.page(sub, limit, next_token)
        return {"items": [r.model_dump(mode="json", by_alias=True) for r in items], "next": token}

    def forecast(self, sub: str) -> dict[str, Any]:
        """200 either way: `available: false` + `reason` + message when there is no forecast to show
        (not connected, not permitted, not enough history). Throttling stays a 503."""
        today = self.today()
        month = month_rules.month_of(today)
        stored = self.connections.first(sub)
        if stored is None:
            return {"available": False, "month": month, "reason": "not_configured", "message": NOT_CONFIGURED}
        try:
            result = self.connector.connect(sub, stored).forecast(today.isoformat(), month)
        except (CredentialsRejectedError, CostDataUnavailableError) as exc:
            return {"available": False, "month": month, "reason": exc.code, "message": exc.message}
        end = month_rules.next_first_day(month)
        if self.forecasts is not None:
            self.forecasts.put_forecast(
                sub, StoredForecast(month, result.amount, result.currency, today, end, self.clock())
            )
        return {
            "available": True,
            "month": month,
            "amount": str(result.amount),
            "currency": result.currency,
            "start": today.isoformat(),
            "end": end.isoformat(),
        }

    # ------------------------------------------------------------------------------ schedule
    def enqueue_all(self, trigger: Trigger, kind: str, month: str | None = None) -> dict[str, int]:
        """One message per enabled connection of every user (dispatcher and the admin action share
        this): each connection imports, fails and retries on its own."""
        if self.queue is None:
            raise RuntimeError("no import queue wired")
        months = [month] if month else [month_rules.previous_month(self.today())]
        for m in months:
            month_rules.parse_month(m)
        users: set[str] = set()
        connections = 0

        def messages() -> Iterator[ImportMessage]:
            nonlocal connections
            for user_id, connection_id in self.connection_store.enabled_connections():
                users.add(user_id)
                connections += 1
                yield ImportMessage.model_validate(
                    {
                        "userId": user_id,
                        "months": months,
                        "trigger": trigger,
                        "kind": kind,
                        "connectionId": connection_id,
                    }
                )

        result = self.queue.send_all(messages())
        return {
            "users": len(users),
            "connections": connections,
            "queued": result.sent,
            "failed": result.failed,
        }

    def enqueue_all_as(self, is_admin: bool) -> dict[str, int]:
        if not is_admin:
            raise ForbiddenError("Only administrators can import for every user")
        return self.enqueue_all("admin", "admin")

    def _message_connection(self, message: ImportMessage) -> StoredConnection | None:
        if message.connection_id is None:  # queued before connections were a collection
            return self.connections.first(message.user_id)
        try:
            return self.connections.get(message.user_id, message.connection_id)
        except NotFoundError:
            return None

    def process_message(self, message: ImportMessage) -> ImportOutcome | None:
        """Worker: None when the connection is gone or paused since dispatch (nothing to do, no retry)."""
        stored = self._message_connection(message)
        if message.run_id and message.run_started_at:
            return self._queued_month(message, stored)
        if stored is None or not stored.enabled:
            return None
        return self.import_for(message.user_id, message.months, message.trigger, stored)

    def _queued_month(self, message: ImportMessage, stored: StoredConnection | None) -> ImportOutcome | None:
        """One month of a backfill, recorded into its run (on demand: `enabled` does not matter)."""
        assert message.run_id and message.run_started_at
        runs = self.runs.month_store(message.run_started_at, message.run_id)
        if stored is None:
            header = self.runs.get(message.user_id, message.run_id)
            if header is not None:
                for month in message.months:
                    self._record_month_failure(message.user_id, header, month, NOT_CONFIGURED)
            return None
        return self.import_for(
            message.user_id, message.months, message.trigger, stored, runs=runs, run_id=message.run_id
        )
