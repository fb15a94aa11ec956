"""Dismissed imported lines: a user deleted an imported AWS line, so imports never re-create it.

One item per dismissed line, sk DISMISSED#<expense id> in the user's partition, with no TTL: it
outlives any trash. It keeps a snapshot of the expense as it was deleted (with the user's edits), so
the user can see what they dismissed and restore it.

The functions returning transaction items are what the write path adds to its transactions:
`dismissal_put` (delete of an imported line), `dismissal_absent` (an import creating a line) and
`dismissal_lift` (restoring a line).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from outlay import tables
from outlay.dal.cursors import bad_cursor, decode_cursor, encode_cursor
from outlay.dal.expense_items import UserItems, deserialize, expense_to_item, iso, item_to_expense, serialize
from outlay.models.expenses import DismissedLine, Expense

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

_SNAPSHOT_DROP = ("pk", "sk", "type", "dateKey", "vendorLower", "version")


def _key(sub: str, expense_id: str) -> dict[str, Any]:
    return serialize({"pk": tables.user_pk(sub), "sk": tables.dismissed_sk(expense_id)})


def dismissal_put(table_name: str, sub: str, expense: Expense, now: datetime) -> TransactWriteItemTypeDef:
    """The marker written in the same transaction that deletes an imported line."""
    snapshot = {k: v for k, v in expense_to_item(sub, expense, 0).items() if k not in _SNAPSHOT_DROP}
    item = {
        "pk": tables.user_pk(sub),
        "sk": tables.dismissed_sk(expense.id),
        "type": "DISMISSED",
        "dismissedAt": iso(now),
        "expense": snapshot,
    }
    return {"Put": {"TableName": table_name, "Item": serialize(item)}}


def dismissal_absent(table_name: str, sub: str, expense_id: str) -> TransactWriteItemTypeDef:
    """A condition in the transaction that creates an imported line: it was not dismissed meanwhile."""
    check: dict[str, Any] = {
        "TableName": table_name,
        "Key": _key(sub, expense_id),
        "ConditionExpression": "attribute_not_exists(pk)",
    }
    return {"ConditionCheck": check}  # type: ignore[typeddict-item]


def dismissal_lift(table_name: str, sub: str, expense_id: str) -> TransactWriteItemTypeDef:
    """Removes the marker in the transaction that brings the line back (restore)."""
    return {"Delete": {"TableName": table_name, "Key": _key(sub, expense_id)}}


def _line(item: dict[str, Any]) -> DismissedLine:
    return DismissedLine(expense=item_to_expense(item["expense"]), dismissed_at=item["dismissedAt"])


class Dismissals(UserItems):
    def is_dismissed(self, sub: str, expense_id: str) -> bool:
        return self._get_item(sub, tables.dismissed_sk(expense_id)) is not None

    def dismissed(self, sub: str, expense_id: str) -> DismissedLine | None:
        item = self._get_item(sub, tables.dismissed_sk(expense_id))
        return _line(item) if item else None

    def dismissed_page(
        self, sub: str, limit: int = 50, next_token: str | None = None
    ) -> tuple[list[DismissedLine], str | None]:
        """The user's dismissed lines, one Query page (ordered by expense id)."""
        pk = tables.user_pk(sub)
        args: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": serialize({":pk": pk, ":prefix": tables.DISMISSED_PREFIX}),
            "Limit": limit,
        }
        if next_token:
            sk = decode_cursor(sub, next_token)
            if not sk.startswith(tables.DISMISSED_PREFIX):
                raise bad_cursor("malformed")
            args["ExclusiveStartKey"] = serialize({"pk": pk, "sk": sk})
        response = self.client.query(**args)
        lines = [_line(deserialize(raw)) for raw in response.get("Items", [])]
        last = response.get("LastEvaluatedKey")
        return lines, (encode_cursor(sub, last["sk"]["S"]) if last else None)
