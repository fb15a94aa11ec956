"""Recurring rules use cases over injected ports (pure: no boto3; clock and ids injected).

Ownership follows "Ownership of imported lines": an occurrence is written once under its
deterministic id (`create_once`) and never touched again by a run, so whatever the user changes on it
stays; a deleted occurrence is dismissed in its delete's transaction and never comes back. Editing a
rule changes the occurrences written after the edit only.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from pydantic import ValidationError
from pydantic.alias_generators import to_camel

from outlay.logic.errors import ConflictError, InvalidInputError, NotFoundError
from outlay.logic.expenses import amount_in_currency, resolve_category, starter_category, utc_now
from outlay.logic.money import DEFAULT_CURRENCY
from outlay.logic.recurring import (
    REQUEST_LIMIT,
    OnceResult,
    Schedule,
    first_on_or_after,
    next_after,
    occurrence_id,
    plan_run,
)
from outlay.models.expenses import Expense
from outlay.models.recurring import (
    CreateRecurringRequest,
    RecurringPage,
    RecurringRule,
    RecurringRunResult,
    UpdateRecurringRequest,
)

SCHEDULE_FIELDS = frozenset({"every", "unit", "day_of_month", "start_date", "end_date"})
# A run that loses the race for a rule's version (a user edit, or a second run) re-reads this often.
_SAVE_ATTEMPTS = 3


class RuleStore(Protocol):
    def find(self, sub: str, rule_id: str) -> tuple[RecurringRule, int] | None: ...
    def get(self, sub: str, rule_id: str) -> tuple[RecurringRule, int]: ...
    def save(self, sub: str, rule: RecurringRule, version: int | None) -> None: ...
    def remove(self, sub: str, rule_id: str) -> None: ...
    def page(
        self, sub: str, limit: int = 50, next_token: str | None = None
    ) -> tuple[list[RecurringRule], str | None]: ...
    def due_for_user(self, sub: str, today: date) -> Iterator[str]: ...
    def due(self, today: date) -> Iterator[tuple[str, str]]: ...


class OccurrenceStore(Protocol):
    def create_once(self, sub: str, expense: Expense) -> OnceResult: ...
    def find_category(self, sub: str, name: str) -> str | None: ...
    def get_default_currency(self, sub: str) -> str | None: ...


def schedule_of(rule: RecurringRule) -> Schedule:
    return Schedule(
        every=rule.every,
        unit=rule.unit,
        start=rule.start_date,
        end=rule.end_date,
        day_of_month=rule.day_of_month,
    )


def occurrence(rule: RecurringRule, day: date, now: datetime) -> Expense:
    return Expense(
        id=occurrence_id(rule.id, day),
        date=day,
        amount=rule.amount,
        currency=rule.currency,
        category=rule.category,
        vendor=rule.vendor,
        description=rule.description,
        tags=list(rule.tags),
        source="recurring",
        created_at=now,
        updated_at=now,
        recurring_rule_id=rule.id,
    )


def _with_status(rule: RecurringRule, next_due: date | None, now: datetime) -> RecurringRule:
    """The rule with its next occurrence; no next occurrence (past the end date) = ended."""
    status = "ended" if next_due is None else "active" if rule.status == "ended" else rule.status
    return rule.model_copy(update={"next_due": next_due, "status": status, "updated_at": now})


@dataclass
class RunTally:
    rules: int = 0
    created: int = 0
    existing: int = 0
    dismissed: int = 0
    failed: int = 0

    def result(self) -> RecurringRunResult:
        return RecurringRunResult(
            rules=self.rules,
            created=self.created,
            existing=self.existing,
            dismissed=self.dismissed,
            failed=self.failed,
        )


@dataclass
class RecurringService:
    rules: RuleStore
    expenses: OccurrenceStore
    clock: Callable[[], datetime] = field(default=utc_now)
    new_id: Callable[[], str] = field(default=lambda: "r" + secrets.token_hex(8))
    log_failure: Callable[[str, str, Exception], None] = field(default=lambda sub, rule_id, exc: None)

    def _today(self) -> date:
        return self.clock().date()

    def _category(self, sub: str, name: str) -> str:
        own = None if starter_category(name) else self.expenses.find_category(sub, name)
        return resolve_category(name, [own] if own else [])

    # ------------------------------------------------------------------------------------ CRUD
    def create(self, sub: str, request: CreateRecurringRequest) -> RecurringRule:
        """Store the rule and write the occurrences already due (within the catch-up bound, at most
        REQUEST_LIMIT in this request; the daily run writes the rest)."""
        now = self.clock()
        currency = request.currency or self.expenses.get_default_currency(sub) or DEFAULT_CURRENCY
        rule = RecurringRule(
            id=self.new_id(),
            every=request.every,
            unit=request.unit,
            day_of_month=request.day_of_month,
            start_date=request.start_date,
            end_date=request.end_date,
            amount=amount_in_currency(request.amount, currency),
            currency=currency,
            category=self._category(sub, request.category),
            vendor=request.vendor,
            description=request.description,
            tags=request.tags,
            created_at=now,
            updated_at=now,
        )
        rule = _with_status(rule, first_on_or_after(schedule_of(rule), rule.start_date), now)
        self.rules.save(sub, rule, None)
        self.run_rule(sub, rule.id, RunTally(), limit=REQUEST_LIMIT)
        return self.rules.get(sub, rule.id)[0]

    def get(self, sub: str, rule_id: str) -> RecurringRule:
        return self.rules.get(sub, rule_id)[0]

    def page(self, sub: str, limit: int, next_token: str | None) -> RecurringPage:
        items, token = self.rules.page(sub, limit, next_token)
        return RecurringPage(items=items, next=token)

    def update(self, sub: str, rule_id: str, request: UpdateRecurringRequest) -> RecurringRule:
        """Change the rule for the occurrences still to come; written ones stay as they are. A new
        schedule takes effect from today (or from a next due date still to catch up, if earlier); a
        date already written is found by its id, not written twice."""
        rule, version = self.rules.get(sub, rule_id)
        changes: dict[str, Any] = request.changes()
        if not changes:
            return rule
        if "category" in changes:
            changes["category"] = self._category(sub, changes["category"])
        if changes.get("unit", "month") != "month" and "day_of_month" not in changes:
            changes["day_of_month"] = None  # a day of the month means nothing to a daily/weekly rule
        data = rule.model_dump()
        data.update(changes)
        try:
            CreateRecurringRequest.model_validate(
                {k: v for k, v in data.items() if k in CreateRecurringRequest.model_fields}
            )
        except ValidationError as exc:
            error = exc.errors()[0]
            name = to_camel(str(error["loc"][0])) if error["loc"] else _first_field(changes)
            raise InvalidInputError(
                "The rule would not be valid with this change",
                [{"field": name, "message": error["msg"].removeprefix("Value error, ")}],
            ) from None
        if "amount" in changes or "currency" in changes:
            field_name = "amount" if "amount" in changes else "currency"
            data["amount"] = amount_in_currency(data["amount"], data["currency"], field_name)
        now = self.clock()
        updated = RecurringRule.model_validate({**data, "updated_at": now})
        if SCHEDULE_FIELDS & changes.keys():
            today = self._today()
            start_from = min(rule.next_due, today) if rule.next_due else today
            updated = _with_status(
                updated.model_copy(update={"status": "paused" if rule.status == "paused" else "active"}),
                first_on_or_after(schedule_of(updated), start_from),
                now,
            )
        self.rules.save(sub, updated, version)
        return updated

    def delete(self, sub: str, rule_id: str) -> None:
        """The rule goes; the occurrences it wrote stay ordinary expenses."""
        if self.rules.find(sub, rule_id) is None:
            raise NotFoundError("Recurring rule not found")
        self.rules.remove(sub, rule_id)

    # ------------------------------------------------------------------- pause, resume, skip
    def pause(self, sub: str, rule_id: str) -> RecurringRule:
        rule, version = self.rules.get(sub, rule_id)
        if rule.status == "ended":
            raise ConflictError("This rule has ended; there is nothing to pause")
        paused = rule.model_copy(update={"status": "paused", "updated_at": self.clock()})
        self.rules.save(sub, paused, version)
        return paused

    def resume(self, sub: str, rule_id: str) -> RecurringRule:
        """Active again from today: occurrences that fell due while it was paused are not written."""
        rule, version = self.rules.get(sub, rule_id)
        if rule.status != "paused":
            return rule
        today = self._today()
        start_from = max(rule.next_due, today) if rule.next_due else today
        resumed = _with_status(
            rule.model_copy(update={"status": "active"}),
            first_on_or_after(schedule_of(rule), start_from),
            self.clock(),
        )
        self.rules.save(sub, resumed, version)
        return resumed

    def skip_next(self, sub: str, rule_id: str) -> RecurringRule:
        """The next occurrence is not written; `nextDue` moves to the one after it."""
        rule, version = self.rules.get(sub, rule_id)
        if rule.next_due is None:
            raise ConflictError("This rule has ended; there is no next occurrence to skip")
        skipped = _with_status(rule, next_after(schedule_of(rule), rule.next_due), self.clock())
        self.rules.save(sub, skipped, version)
        return skipped

    # ------------------------------------------------------------------------------------ runs
    def run_for_user(self, sub: str) -> RecurringRunResult:
        """ "Run now": the caller's due rules, as the daily run would do them, but at most
        REQUEST_LIMIT occurrences in all (an API request must end well inside API Gateway's 29 s,
        however many rules the user has); the daily run writes whatever is left."""
        tally = RunTally()
        for rule_id in list(self.rules.due_for_user(sub, self._today())):
            left = REQUEST_LIMIT - (tally.created + tally.existing + tally.dismissed)
            if left <= 0:
                break
            self._run_isolated(sub, rule_id, tally, limit=left)
        return tally.result()

    def run_due(self) -> RecurringRunResult:
        """The daily run: every active rule due by today (from the due index). One rule's failure is
        counted and logged, never stops the others; a rerun of the same day writes nothing new."""
        tally = RunTally()
        for sub, rule_id in list(self.rules.due(self._today())):
            self._run_isolated(sub, rule_id, tally)
        return tally.result()

    def _run_isolated(self, sub: str, rule_id: str, tally: RunTally, limit: int | None = None) -> None:
        try:
            self.run_rule(sub, rule_id, tally, limit)
        except Exception as exc:  # one rule never stops the run: counted and logged
            tally.failed += 1
            self.log_failure(sub, rule_id, exc)

    def run_rule(self, sub: str, rule_id: str, tally: RunTally, limit: int | None = None) -> None:
        """Write the rule's due occurrences, then advance `nextDue` (guarded by the rule's version; a
        run that lost the race re-reads, and occurrences already written are found, not doubled)."""
        for _attempt in range(_SAVE_ATTEMPTS):
            found = self.rules.find(sub, rule_id)
            if found is None:
                return  # deleted meanwhile
            rule, version = found
            if rule.status != "active":
                return
            now = self.clock()
            plan = plan_run(schedule_of(rule), rule.next_due, now.date(), limit)
            if not plan.dates and plan.next_due == rule.next_due:
                return
            if _attempt == 0:
                tally.rules += 1
            for day in plan.dates:
                outcome = self.expenses.create_once(sub, occurrence(rule, day, now))
                if outcome == "created":
                    tally.created += 1
                elif outcome == "exists":
                    tally.existing += 1
                else:
                    tally.dismissed += 1
            try:
                self.rules.save(sub, _with_status(rule, plan.next_due, now), version)
            except ConflictError:
                continue  # changed meanwhile: re-read; what was written is found, not doubled
            return
        raise ConflictError("The rule kept changing during the run; it runs again next time")


def _first_field(changes: dict[str, Any]) -> str:
    """The changed field a whole-rule error is about (end before start, dayOfMonth on a weekly rule)."""
    order = ["end_date", "start_date", "day_of_month", "unit", "every", "amount", "currency"]
    for name in order:
        if name in changes:
            return to_camel(name)
    return to_camel(next(iter(changes)))
