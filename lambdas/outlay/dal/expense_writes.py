"""Transactional writes of expenses: every change maintains its `SUMMARY#` aggregates atomically.

Every write of an expense maintains its aggregates in the same TransactWriteItems, guarded by an
optimistic `version` check on the expense, so concurrent writers can never make the aggregates
drift: a writer that lost the race re-reads and retries. Aggregates never go below zero (the
decrement is conditional) and an emptied aggregate is deleted (best effort, conditional on count 0;
readers also drop count-0 items).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from botocore.exceptions import ClientError

from outlay import tables
from outlay.dal.dismissals import Dismissals, dismissal_absent, dismissal_lift, dismissal_put
from outlay.dal.expense_items import expense_to_item, iso, item_to_expense, serialize
from outlay.dal.search_index import index_writes
from outlay.logic.cost_import import mark_user_edits, merge_reimport
from outlay.logic.errors import ConflictError, NotFoundError, UpstreamUnavailableError
from outlay.logic.expenses import IDEMPOTENCY_TTL_SECONDS, apply_changes, same_content, utc_now
from outlay.logic.recurring import OnceResult
from outlay.logic.summary import AggregateKey, DayKey, Delta, aggregate_deltas, day_deltas
from outlay.logic.trash import expires_at
from outlay.models.expenses import Expense
from outlay.models.fields import is_valid_id

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

UpsertResult = Literal["created", "updated", "unchanged", "kept_user_edits", "dismissed_skipped"]

_MAX_ATTEMPTS = 6


class _Retry(Exception):
    """A conditional write lost a race; re-read and try again."""


class _Cancelled(Exception):
    """TransactWriteItems was cancelled; `codes` are the per-item reasons in request order."""

    def __init__(self, codes: list[str]) -> None:
        super().__init__(",".join(codes))
        self.codes = codes

    def failed(self, index: int) -> bool:
        return 0 <= index < len(self.codes) and self.codes[index] == "ConditionalCheckFailed"

    @property
    def retryable(self) -> bool:
        # The expense's own version check (item 0) or a concurrent transaction on the same items.
        # Unknown reasons (moto may omit them) are treated as a lost race too.
        return not self.codes or self.failed(0) or "TransactionConflict" in self.codes


class ExpenseWrites(Dismissals):
    def _get_with_version(self, sub: str, expense_id: str) -> tuple[Expense, int] | None:
        if not is_valid_id(expense_id):
            return None
        item = self._get_item(sub, tables.expense_sk(expense_id))
        if item is None:
            return None
        return item_to_expense(item), int(item.get("version", 0))  # 0: written without a version

    def get(self, sub: str, expense_id: str) -> Expense:
        """The caller's expense; somebody else's id is indistinguishable from a missing one."""
        found = self._get_with_version(sub, expense_id)
        if found is None:
            raise NotFoundError("Expense not found")
        return found[0]

    def create(
        self,
        sub: str,
        expense: Expense,
        idempotency_key: str | None = None,
        request_hash: str | None = None,
    ) -> Expense:
        """Store a new expense (+ aggregates, + idempotency record). A replay of the same
        `idempotency_key` with the same `request_hash` returns the originally created expense."""
        if idempotency_key:
            replay = self._replay(sub, idempotency_key, request_hash)
            if replay is not None:
                return replay
        extra = (
            [self._idempotency_record(sub, idempotency_key, expense.id, request_hash)]
            if idempotency_key
            else []
        )
        try:
            self._write(sub, None, expense, None, extra)
        except _Cancelled as cancelled:
            if idempotency_key and cancelled.failed(len(cancelled.codes) - 1):
                replay = self._replay(sub, idempotency_key, request_hash)
                if replay is not None:
                    return replay
            if cancelled.failed(0):
                raise ConflictError("An expense with this id already exists") from cancelled
            raise UpstreamUnavailableError("The expense could not be saved; try again") from cancelled
        return expense

    def update(self, sub: str, expense_id: str, changes: Mapping[str, Any]) -> Expense:
        """Apply validated field changes (snake_case names) and move aggregates/date key with them."""

        def attempt() -> Expense:
            found = self._get_with_version(sub, expense_id)
            if found is None:
                raise NotFoundError("Expense not found")
            old, version = found
            new = apply_changes(old, changes, utc_now())
            if same_content(old, new) and new.receipt_content_type == old.receipt_content_type:
                return old
            new = mark_user_edits(old, new)
            self._guarded_write(sub, old, new, version)
            return new

        result: Expense = self._with_retries(attempt)
        return result

    def set_receipt(self, sub: str, expense_id: str, content_type: str) -> Expense:
        return self.update(sub, expense_id, {"receipt_content_type": content_type})

    def delete(
        self, sub: str, expense_id: str, *, trash_at: datetime | None = None, dismiss: bool = True
    ) -> Expense:
        """Remove the expense and its aggregates. With `trash_at`, the same transaction keeps it in the
        trash (`expense_trash.trash_put`) so it can be restored with the same id. A user deleting an
        imported line (`dismiss`) also dismisses it in that transaction; an import removing a line AWS
        stopped reporting passes `dismiss=False`."""

        def attempt() -> Expense:
            found = self._get_with_version(sub, expense_id)
            if found is None:
                raise NotFoundError("Expense not found")
            old, version = found
            extra = self._trash_items(sub, old, trash_at) + (self._dismissal(sub, old) if dismiss else [])
            self._guarded_write(sub, old, None, version, extra)
            return old

        result: Expense = self._with_retries(attempt)
        return result

    def upsert(self, sub: str, expense: Expense) -> UpsertResult:
        """Write an imported expense under its deterministic id, adjusting aggregates by the delta.

        Re-running an import leaves no duplicates and unchanged aggregates ("unchanged"). A line the
        user dismissed is never re-created ("dismissed_skipped"); on a stored line only the fields the
        user has not changed are updated (`merge_reimport`), and "kept_user_edits" says AWS reported a
        value the user had changed. `createdAt` and a user-attached receipt survive re-imports.
        """

        def attempt() -> UpsertResult:
            found = self._get_with_version(sub, expense.id)
            if found is None:
                if self.is_dismissed(sub, expense.id):
                    return "dismissed_skipped"
                try:  # the dismissal check is repeated inside the transaction (a delete may race us)
                    self._write(
                        sub, None, expense, None, [dismissal_absent(self.table_name, sub, expense.id)]
                    )
                except _Cancelled as cancelled:
                    raise _Retry from cancelled
                return "created"
            old, version = found
            merge = merge_reimport(old, expense)
            kept: UpsertResult = "kept_user_edits" if merge.kept_user_edits else "unchanged"
            if same_content(old, merge.expense):
                return kept
            self._guarded_write(sub, old, merge.expense, version)
            return kept if merge.kept_user_edits else "updated"

        result: UpsertResult = self._with_retries(attempt)
        return result

    def create_once(self, sub: str, expense: Expense) -> OnceResult:
        """Write an automated expense under its deterministic id unless it is already there or the
        user deleted it (dismissed): a stored one is never touched, whatever the user changed on it."""
        if self._get_with_version(sub, expense.id) is not None:
            return "exists"
        if self.is_dismissed(sub, expense.id):
            return "dismissed"
        try:  # both checks again inside the transaction: a run or a delete may race us
            self._write(sub, None, expense, None, [dismissal_absent(self.table_name, sub, expense.id)])
        except _Cancelled as cancelled:
            if cancelled.failed(0):
                return "exists"
            if cancelled.failed(len(cancelled.codes) - 1):
                return "dismissed"
            raise UpstreamUnavailableError("The expense could not be saved; try again") from cancelled
        return "created"

    def _trash_items(
        self, sub: str, expense: Expense, trash_at: datetime | None
    ) -> list[TransactWriteItemTypeDef]:
        return [trash_put(self.table_name, sub, expense, trash_at)] if trash_at else []

    def restore_dismissed(self, sub: str, expense_id: str) -> Expense:
        """Bring a dismissed line back as it was deleted (same id, the user's edits) and lift its
        dismissal, in one transaction. Its receipt file was removed with it, so it has none."""
        line = self.dismissed(sub, expense_id) if is_valid_id(expense_id) else None
        if line is None:
            raise NotFoundError("No dismissed line with this id")
        marks = [m for m in line.expense.user_edited if m != "receipt"]
        expense = line.expense.model_copy(
            update={"receipt_content_type": None, "user_edited": marks, "updated_at": utc_now()}
        )
        try:
            # An expired trash entry of the same id must not outlive this restore: its TTL removal
            # deletes the receipt object, which a receipt attached after the restore would share.
            stale_trash: TransactWriteItemTypeDef = {
                "Delete": {
                    "TableName": self.table_name,
                    "Key": serialize({"pk": tables.user_pk(sub), "sk": tables.trash_sk(expense_id)}),
                }
            }
            self._write(
                sub, None, expense, None, [dismissal_lift(self.table_name, sub, expense_id), stale_trash]
            )
        except _Cancelled as cancelled:
            if cancelled.failed(0):
                raise ConflictError("This line already exists again; it was not restored") from cancelled
            raise UpstreamUnavailableError("The line could not be restored; try again") from cancelled
        return expense

    def _dismissal(self, sub: str, old: Expense) -> list[TransactWriteItemTypeDef]:
        """Deleting an automated line (an AWS import, a bank statement, a rule's occurrence)
        dismisses it (a permanent marker in the same transaction), so no import or schedule brings
        it back."""
        return [dismissal_put(self.table_name, sub, old, utc_now())] if old.source != "manual" else []

    # ------------------------------------------------------------------------------- idempotency

    def _idempotency_record(
        self, sub: str, key: str, expense_id: str, request_hash: str | None
    ) -> TransactWriteItemTypeDef:
        now = utc_now()
        item = {
            "pk": tables.user_pk(sub),
            "sk": tables.idempotency_sk(key),
            "type": "IDEMPOTENCY",
            "expenseId": expense_id,
            "requestHash": request_hash or "",
            "expiresAt": int((now + timedelta(seconds=IDEMPOTENCY_TTL_SECONDS)).timestamp()),
        }
        put: dict[str, Any] = {
            "TableName": self.table_name,
            "Item": serialize(item),
            # TTL deletion lags: an expired record counts as absent.
            "ConditionExpression": "attribute_not_exists(pk) OR expiresAt < :now",
            "ExpressionAttributeValues": serialize({":now": int(now.timestamp())}),
        }
        return {"Put": put}  # type: ignore[typeddict-item]

    def _replay(self, sub: str, key: str, request_hash: str | None) -> Expense | None:
        record = self._get_item(sub, tables.idempotency_sk(key))
        if record is None or int(record.get("expiresAt", 0)) < int(utc_now().timestamp()):
            return None
        if record.get("requestHash", "") != (request_hash or ""):
            raise ConflictError(
                "This Idempotency-Key was already used with a different request body; "
                "use a new key for a new expense",
                [{"field": "Idempotency-Key", "message": "reused with a different body"}],
            )
        found = self._get_with_version(sub, str(record["expenseId"]))
        if found is None:
            raise ConflictError(
                "The expense created with this Idempotency-Key has since been deleted",
                [{"field": "Idempotency-Key", "message": "original expense deleted"}],
            )
        return found[0]

    # ------------------------------------------------------------------------------- transactions

    def _guarded_write(
        self,
        sub: str,
        old: Expense | None,
        new: Expense | None,
        version: int | None,
        extra: list[TransactWriteItemTypeDef] | None = None,
    ) -> None:
        try:
            self._write(sub, old, new, version, extra)
        except _Cancelled as cancelled:
            if cancelled.retryable:
                raise _Retry from cancelled
            raise ConflictError(
                "The monthly totals disagree with the expense; the change was refused"
            ) from cancelled

    def _with_retries(self, attempt: Callable[[], Any]) -> Any:
        for n in range(_MAX_ATTEMPTS):
            try:
                return attempt()
            except _Retry:
                if n == _MAX_ATTEMPTS - 1:
                    break
                time.sleep(random.uniform(0, 0.02 * 2**n))  # noqa: S311 - jitter, not crypto
        raise UpstreamUnavailableError("The expense is being changed concurrently; try again")

    def _write(
        self,
        sub: str,
        old: Expense | None,
        new: Expense | None,
        old_version: int | None,
        extra: list[TransactWriteItemTypeDef] | None = None,
    ) -> None:
        """One transaction: the expense change + its aggregate deltas + its filter/search index items
        (+ extra items, last); raises
        _Cancelled with the per-item cancellation codes when a condition fails."""
        items: list[TransactWriteItemTypeDef] = []
        if new is not None:
            put: dict[str, Any] = {
                "TableName": self.table_name,
                "Item": serialize(expense_to_item(sub, new, (old_version or 0) + 1)),
            }
            if old_version is None:
                put["ConditionExpression"] = "attribute_not_exists(pk)"
            else:
                put.update(_version_condition(old_version))
            items.append({"Put": put})  # type: ignore[typeddict-item]
        elif old is not None and old_version is not None:
            delete: dict[str, Any] = {
                "TableName": self.table_name,
                "Key": serialize({"pk": tables.user_pk(sub), "sk": tables.expense_sk(old.id)}),
                **_version_condition(old_version),
            }
            items.append({"Delete": delete})  # type: ignore[typeddict-item]
        deltas = aggregate_deltas(old, new)
        items.extend(self._aggregate_update(sub, key, delta) for key, delta in deltas.items())
        days = day_deltas(old, new)
        items.extend(self._aggregate_update(sub, key, delta) for key, delta in days.items())
        items.extend(index_writes(self.table_name, sub, old, new, (old_version or 0) + 1))
        items.extend(extra or [])
        try:
            self.client.transact_write_items(TransactItems=items)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                raise
            codes = [r.get("Code", "None") for r in exc.response.get("CancellationReasons", [])]
            raise _Cancelled(codes) from exc
        self._drop_empty_aggregates(sub, [k for k, d in deltas.items() if d.count < 0])
        self._drop_empty_aggregates(sub, [k for k, d in days.items() if d.count < 0])

    def _aggregate_update(
        self, sub: str, key: AggregateKey | DayKey, delta: Delta
    ) -> TransactWriteItemTypeDef:
        """The ADD of one monthly (`SUMMARY`) or daily (`DAY`) aggregate item."""
        when, kind = (key.month, "SUMMARY") if isinstance(key, AggregateKey) else (key.day, "DAY")
        field = "month" if isinstance(key, AggregateKey) else "day"
        values: dict[str, Any] = {
            ":t": delta.total,
            ":c": delta.count,
            ":m": when,
            ":cur": key.currency,
            ":cat": key.category,
            ":type": kind,
        }
        names = {f"#{n}": n for n in ("total", "count", "currency", "category", "type")}
        names["#month"] = field
        update: dict[str, Any] = {
            "TableName": self.table_name,
            "Key": _aggregate_key(sub, key),
            "UpdateExpression": (
                "ADD #total :t, #count :c SET #month = :m, #currency = :cur, #category = :cat, #type = :type"
            ),
            "ExpressionAttributeNames": names,
        }
        if isinstance(key, AggregateKey) and (delta.count < 0 or (delta.count == 0 and delta.total != 0)):
            # Never below zero: removing N expenses needs at least N counted. Daily aggregates have no
            # such guard: an expense stored before they existed has none to decrement, and its edit
            # must not fail for that (readers skip count <= 0; `outlay.dal.day_totals` repairs them).
            values[":need"] = max(-delta.count, 1)
            update["ConditionExpression"] = "#count >= :need"
        update["ExpressionAttributeValues"] = serialize(values)
        return {"Update": update}  # type: ignore[typeddict-item]

    def _drop_empty_aggregates(self, sub: str, keys: Sequence[AggregateKey | DayKey]) -> None:
        for key in keys:
            try:
                self.client.delete_item(
                    TableName=self.table_name,
                    Key=_aggregate_key(sub, key),
                    ConditionExpression="#count = :zero",
                    ExpressionAttributeNames={"#count": "count"},
                    ExpressionAttributeValues=serialize({":zero": 0}),
                )
            except ClientError:
                # Best effort: the write itself succeeded, and readers skip count-0 aggregates.
                continue


# The stored attributes that are the expense itself (what `Expense` reads back).
EXPENSE_ATTRS = frozenset(field.alias or name for name, field in Expense.model_fields.items())


def trash_put(table_name: str, sub: str, expense: Expense, deleted_at: datetime) -> TransactWriteItemTypeDef:
    """The transaction item that keeps a deleted expense in the trash (part of the delete)."""
    fields = {k: v for k, v in expense_to_item(sub, expense, 0).items() if k in EXPENSE_ATTRS}
    item = {
        **fields,
        "pk": tables.user_pk(sub),
        "sk": tables.trash_sk(expense.id),
        "type": "TRASH",
        "deletedAt": iso(deleted_at),
        "expiresAt": int(expires_at(deleted_at).timestamp()),
    }
    put: dict[str, Any] = {"TableName": table_name, "Item": serialize(item)}
    return {"Put": put}  # type: ignore[typeddict-item]


def _aggregate_key(sub: str, key: AggregateKey | DayKey) -> dict[str, Any]:
    if isinstance(key, DayKey):
        sk = tables.day_sk(key.day, key.currency, key.category)
    else:
        sk = tables.summary_sk(key.month, key.currency, key.category)
    return serialize({"pk": tables.user_pk(sub), "sk": sk})


def _version_condition(expected: int) -> dict[str, Any]:
    """Optimistic lock on the expense: the version we read must still be there."""
    if expected == 0:
        return {
            "ConditionExpression": "attribute_exists(pk) AND attribute_not_exists(#version)",
            "ExpressionAttributeNames": {"#version": "version"},
        }
    return {
        "ConditionExpression": "#version = :expected",
        "ExpressionAttributeNames": {"#version": "version"},
        "ExpressionAttributeValues": serialize({":expected": expected}),
    }
