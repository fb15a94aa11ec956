"""How expenses and the other per-user items look in the expenses table (DynamoDB attribute values).

`UserItems` is the base of every reader/writer of one user's partition: one GetItem, and one paginated
Query that yields plain Python items (Decimal numbers).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from outlay import tables
from outlay.dal.table_base import TableAdapter
from outlay.models.expenses import Expense

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()
_NOT_EXPENSE_FIELDS = {"pk", "sk", "type", "dateKey", "vendorLower", "version"}


def iso(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat().replace("+00:00", "Z")


def serialize(item: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _serializer.serialize(v) for k, v in item.items() if v is not None}


def deserialize(item: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _deserializer.deserialize(v) for k, v in item.items()}


def expense_to_item(sub: str, expense: Expense, version: int) -> dict[str, Any]:
    """The stored item (plain Python values; Decimal numbers)."""
    item: dict[str, Any] = {
        "pk": tables.user_pk(sub),
        "sk": tables.expense_sk(expense.id),
        "type": "EXPENSE",
        "dateKey": tables.date_key(expense.date.isoformat(), expense.id),
        "id": expense.id,
        "date": expense.date.isoformat(),
        "amount": expense.amount,
        "currency": expense.currency,
        "category": expense.category,
        "vendor": expense.vendor,
        "vendorLower": expense.vendor.casefold(),
        "description": expense.description,
        "tags": list(expense.tags),
        "source": expense.source,
        "createdAt": iso(expense.created_at),
        "updatedAt": iso(expense.updated_at),
        "version": version,
    }
    if expense.receipt_content_type:
        item["receiptContentType"] = expense.receipt_content_type
    if expense.aws is not None:
        item["aws"] = expense.aws.model_dump(by_alias=True, exclude_none=True)
    if expense.user_edited:
        item["userEdited"] = list(expense.user_edited)
    if expense.aws_reported is not None:
        item["awsReported"] = expense.aws_reported.model_dump(mode="json", by_alias=True, exclude_none=True)
    if expense.estimated:
        item["estimated"] = True
    if expense.recurring_rule_id:
        item["recurringRuleId"] = expense.recurring_rule_id
    return item


def item_to_expense(item: Mapping[str, Any]) -> Expense:
    return Expense.model_validate({k: v for k, v in item.items() if k not in _NOT_EXPENSE_FIELDS})


class UserItems(TableAdapter):
    """Reads of one user's items in the expenses table."""

    def _get_item(self, sub: str, sk: str) -> dict[str, Any] | None:
        response = self.client.get_item(
            TableName=self.table_name,
            Key=serialize({"pk": tables.user_pk(sub), "sk": sk}),
            ConsistentRead=True,
        )
        raw = response.get("Item")
        return deserialize(raw) if raw else None

    def _query_all(self, args: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """Every item a Query matches, one response page in memory at a time."""
        args = dict(args)
        while True:
            response = self.client.query(**args)
            for raw in response.get("Items", []):
                yield deserialize(raw)
            lek = response.get("LastEvaluatedKey")
            if not lek:
                return
            args["ExclusiveStartKey"] = lek
