"""The trash in the expenses table: the trash item written by a delete, restore, list and purge.

A trashed expense is one item `TRASH#<id>` holding the expense's own fields plus `deletedAt` and
the table's TTL attribute `expiresAt`. It has no `dateKey`, so the `byDate` lists, filters and
exports never see it; its aggregates left with the delete. Restore goes through the same
transaction as a create (expense + aggregates, + whatever index items a create writes) and removes
the trash item and any `DISMISSED#<id>` marker of an imported line in that same transaction.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from outlay import tables
from outlay.dal.cursors import bad_cursor, decode_cursor, encode_cursor
from outlay.dal.dismissals import dismissal_lift
from outlay.dal.expense_items import deserialize, serialize
from outlay.dal.expense_writes import EXPENSE_ATTRS, ExpenseWrites, _Cancelled
from outlay.logic.errors import ConflictError, NotFoundError, UpstreamUnavailableError
from outlay.models.expenses import Expense, TrashedExpense, TrashPage
from outlay.models.fields import is_valid_id

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef


def _trashed(item: Mapping[str, Any]) -> TrashedExpense:
    data = {k: v for k, v in item.items() if k in EXPENSE_ATTRS or k == "deletedAt"}
    data["expiresAt"] = datetime.fromtimestamp(int(item["expiresAt"]), tz=UTC)
    return TrashedExpense.model_validate(data)


class ExpenseTrash(ExpenseWrites):
    def _trash_item(self, sub: str, expense_id: str, now: datetime) -> dict[str, Any] | None:
        """The trash item, unless it has expired (TTL deletes lazily, and not at all locally)."""
        if not is_valid_id(expense_id):
            return None
        item = self._get_item(sub, tables.trash_sk(expense_id))
        if item is None or int(item.get("expiresAt", 0)) <= int(now.timestamp()):
            return None
        return item

    def restore(self, sub: str, expense_id: str, now: datetime) -> Expense:
        """Bring a trashed expense back under the same id (its receipt object never left), lifting
        the dismissal of an imported line, in one transaction with its aggregates."""
        item = self._trash_item(sub, expense_id, now)
        if item is None:
            raise NotFoundError("This expense is not in the trash (or its 30 days are over)")
        trashed = _trashed(item)
        expense = Expense.model_validate(
            {**trashed.model_dump(include=set(Expense.model_fields)), "updated_at": now}
        )
        try:
            self._write(
                sub,
                None,
                expense,
                None,
                [self._trash_delete(sub, expense_id), dismissal_lift(self.table_name, sub, expense_id)],
            )
        except _Cancelled as cancelled:
            if cancelled.failed(0):
                raise ConflictError(
                    "An expense with this id exists again (re-imported?); it was left in the trash",
                    [{"field": "id", "message": "already exists"}],
                ) from cancelled
            if "ConditionalCheckFailed" in cancelled.codes:
                raise NotFoundError("This expense is not in the trash any more") from cancelled
            raise UpstreamUnavailableError("The expense could not be restored; try again") from cancelled
        return expense

    def _trash_delete(self, sub: str, expense_id: str) -> TransactWriteItemTypeDef:
        delete: dict[str, Any] = {
            "TableName": self.table_name,
            "Key": serialize({"pk": tables.user_pk(sub), "sk": tables.trash_sk(expense_id)}),
            "ConditionExpression": "attribute_exists(pk)",
        }
        return {"Delete": delete}  # type: ignore[typeddict-item]

    def restore_dismissed(self, sub: str, expense_id: str) -> Expense:
        """A dismissed line still in the trash comes back from there, with its receipt; after the
        trash's 30 days, from the dismissal's snapshot (without a receipt)."""
        now = datetime.now(UTC)
        if is_valid_id(expense_id) and self._trash_item(sub, expense_id, now) is not None:
            return self.restore(sub, expense_id, now)
        return super().restore_dismissed(sub, expense_id)

    def purge(self, sub: str, expense_id: str) -> TrashedExpense:
        """Delete a trashed expense for good; the caller removes its receipt object."""
        if not is_valid_id(expense_id):
            raise NotFoundError("This expense is not in the trash")
        try:
            response = self.client.delete_item(
                TableName=self.table_name,
                Key=serialize({"pk": tables.user_pk(sub), "sk": tables.trash_sk(expense_id)}),
                ConditionExpression="attribute_exists(pk)",
                ReturnValues="ALL_OLD",
            )
        except self.client.exceptions.ConditionalCheckFailedException:
            raise NotFoundError("This expense is not in the trash") from None
        return _trashed(deserialize(response["Attributes"]))

    def trash_page(self, sub: str, now: datetime, limit: int = 50, cursor: str | None = None) -> TrashPage:
        """One page of the trash in key order, expired items (not yet removed by TTL) left out."""
        args: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :trash)",
            "FilterExpression": "expiresAt > :now",
            "ExpressionAttributeValues": serialize(
                {":pk": tables.user_pk(sub), ":trash": tables.TRASH_PREFIX, ":now": int(now.timestamp())}
            ),
            "ConsistentRead": True,
        }
        start = self._trash_start(sub, cursor) if cursor else None
        items: list[TrashedExpense] = []
        while True:
            query = dict(args, Limit=limit - len(items))
            if start:
                query["ExclusiveStartKey"] = start
            response = self.client.query(**query)
            items.extend(_trashed(deserialize(raw)) for raw in response.get("Items", []))
            start = response.get("LastEvaluatedKey")
            if not start or len(items) >= limit:
                break
        position = str(deserialize(start)["sk"])[len(tables.TRASH_PREFIX) :] if start else None
        return TrashPage(items=items, next=encode_cursor(sub, position) if position else None)

    def _trash_start(self, sub: str, cursor: str) -> dict[str, Any]:
        expense_id = decode_cursor(sub, cursor)
        if not is_valid_id(expense_id):
            raise bad_cursor("malformed")
        return serialize({"pk": tables.user_pk(sub), "sk": tables.trash_sk(expense_id)})

    def trashed_ids(self, sub: str) -> Iterator[str]:
        """Every id in the user's trash (expired ones too: emptying the trash removes them all)."""
        args = {
            "TableName": self.table_name,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :trash)",
            "ProjectionExpression": "sk",
            "ExpressionAttributeValues": serialize(
                {":pk": tables.user_pk(sub), ":trash": tables.TRASH_PREFIX}
            ),
        }
        return (str(item["sk"])[len(tables.TRASH_PREFIX) :] for item in self._query_all(args))
