"""Reads of expenses on the `byDate` index: one page of a filtered list, the export stream, one
month (the lake's source) and the imported lines of one account-month (the importer's clean-up)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from outlay import tables
from outlay.dal.cursors import bad_cursor, decode_cursor, encode_cursor
from outlay.dal.expense_items import UserItems, deserialize, item_to_expense, serialize
from outlay.models.expenses import Expense, ExpenseFilters, ExpensePage

# A list page reads at most this many times `limit` items when filters drop items.
READ_BUDGET_FACTOR = 3
EXPORT_PAGE_SIZE = 500
_DATE_KEY = re.compile(r"^\d{4}-\d{2}-\d{2}#[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")
_KEY_HIGH = "#~"  # sorts after '#<any id>' (ids use [A-Za-z0-9._:-], all below '~')


def start_key(sub: str, token: str, low: str | None = None, high: str | None = None) -> dict[str, Any]:
    """The LastEvaluatedKey a `next` token stands for; garbage, another user's token or a token
    outside the requested date range -> 400 naming `next`."""
    date_key = decode_cursor(sub, token)
    if not _DATE_KEY.match(date_key):
        raise bad_cursor("malformed")
    if (low and date_key < low) or (high and date_key > high):
        raise bad_cursor("outside the requested date range")
    expense_id = date_key.split("#", 1)[1]
    return serialize({"pk": tables.user_pk(sub), "sk": tables.expense_sk(expense_id), "dateKey": date_key})


def _filter_expression(filters: ExpenseFilters, values: dict[str, Any]) -> tuple[str | None, dict[str, str]]:
    vendor = filters.vendor.casefold() if filters.vendor else None
    # (condition, attribute, placeholder, value); text filters apply when non-empty, amounts when set
    checks: list[tuple[str, str, str, Any]] = [
        ("#category = :category", "category", ":category", filters.category or None),
        ("contains(#tags, :tag)", "tags", ":tag", filters.tag or None),
        ("begins_with(#vendorLower, :vendor)", "vendorLower", ":vendor", vendor),
        ("#amount >= :min", "amount", ":min", filters.min),
        ("#amount <= :max", "amount", ":max", filters.max),
        ("#currency = :currency", "currency", ":currency", filters.currency or None),
    ]
    parts: list[str] = []
    names: dict[str, str] = {}
    for condition, attribute, placeholder, value in checks:
        if value is not None:
            parts.append(condition)
            names[f"#{attribute}"] = attribute
            values[placeholder] = value
    return (" AND ".join(parts) or None), names


class ExpenseQueries(UserItems):
    def _by_date(self, condition: str, values: dict[str, Any], **extra: Any) -> dict[str, Any]:
        return {
            "TableName": self.table_name,
            "IndexName": tables.BY_DATE_INDEX,
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": serialize(values),
            **extra,
        }

    def _query_args(self, sub: str, filters: ExpenseFilters) -> tuple[dict[str, Any], str | None, str | None]:
        values: dict[str, Any] = {":pk": tables.user_pk(sub)}
        low = filters.from_.isoformat() if filters.from_ else None
        high = filters.to.isoformat() + _KEY_HIGH if filters.to else None
        if low and high:
            condition = "pk = :pk AND dateKey BETWEEN :lo AND :hi"
            values.update({":lo": low, ":hi": high})
        elif low:
            condition = "pk = :pk AND dateKey >= :lo"
            values[":lo"] = low
        elif high:
            condition = "pk = :pk AND dateKey <= :hi"
            values[":hi"] = high
        else:
            condition = "pk = :pk"
        filter_expression, names = _filter_expression(filters, values)
        args = self._by_date(condition, values, ScanIndexForward=False)
        if filter_expression:
            args["FilterExpression"] = filter_expression
            args["ExpressionAttributeNames"] = names
        return args, low, high

    def page(
        self, sub: str, filters: ExpenseFilters, limit: int = 50, cursor: str | None = None
    ) -> ExpensePage:
        """One page, newest date first. Reads at most READ_BUDGET_FACTOR x limit items; when filters
        drop items the page may be short, with `next` to continue."""
        args, low, high = self._query_args(sub, filters)
        start = start_key(sub, cursor, low, high) if cursor else None
        budget = READ_BUDGET_FACTOR * limit
        read = 0
        items: list[Expense] = []
        next_key: str | None = None
        while True:
            query = dict(args, Limit=min(limit, budget - read) if filters.has_filters else limit - len(items))
            if start:
                query["ExclusiveStartKey"] = start
            response = self.client.query(**query)
            read += response.get("ScannedCount", 0)
            found = [deserialize(raw) for raw in response.get("Items", [])]
            lek = response.get("LastEvaluatedKey")
            room = limit - len(items)
            if len(found) > room:
                kept = found[:room]
                items.extend(item_to_expense(i) for i in kept)
                next_key = str(kept[-1]["dateKey"])
                break
            items.extend(item_to_expense(i) for i in found)
            if not lek:
                break
            start = lek
            if len(items) >= limit or read >= budget:
                next_key = str(deserialize(lek)["dateKey"])
                break
        return ExpensePage(items=items, next=encode_cursor(sub, next_key) if next_key else None)

    def iter_expenses(
        self, sub: str, filters: ExpenseFilters, page_size: int = EXPORT_PAGE_SIZE
    ) -> Iterator[Expense]:
        """Every matching expense, newest first, one query page in memory at a time."""
        args, _, _ = self._query_args(sub, filters)
        args["Limit"] = page_size
        return (item_to_expense(item) for item in self._query_all(args))

    def month_expenses(self, sub: str, year: str, month: str) -> list[Expense]:
        """All of one user's expenses dated in one month, read consistently (the lake's source)."""
        values = {":pk": tables.user_pk(sub), ":month": f"{year}-{month}-"}
        args = self._by_date("pk = :pk AND begins_with(dateKey, :month)", values, ConsistentRead=True)
        result = [item_to_expense(item) for item in self._query_all(args)]
        return sorted(result, key=lambda e: (e.date, e.id))

    def dated_with_prefix(self, sub: str, date_key_prefix: str) -> Iterator[Expense]:
        """The expenses whose date key starts with `date_key_prefix` (`<date>#<id prefix>`), read
        consistently: exactly the candidates, not the whole month."""
        values = {":pk": tables.user_pk(sub), ":prefix": date_key_prefix}
        args = self._by_date("pk = :pk AND begins_with(dateKey, :prefix)", values, ConsistentRead=True)
        return (item_to_expense(item) for item in self._query_all(args))
