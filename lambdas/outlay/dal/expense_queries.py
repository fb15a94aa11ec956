"""Reads of expenses: one page of a filtered list and the export stream (from the filter/search index
items, or the `byDate` index when no filter has an index entry), one month (the lake's source) and
the imported lines of one account-month (the importer's clean-up)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from outlay import tables
from outlay.dal.cursors import bad_cursor, decode_cursor, encode_cursor
from outlay.dal.expense_items import UserItems, deserialize, item_to_expense, serialize
from outlay.dal.search_index import position_of
from outlay.logic.search import driver, matches
from outlay.models.expenses import Expense, ExpensePage
from outlay.models.queries import ExpenseFilters

EXPORT_PAGE_SIZE = 500
# Candidates one list request checks at most when filters the index cannot answer (amount ranges,
# or a second filter next to the driving one) reject many: the page then ends early with `next`
# at the last checked position, so no request runs long. Filters served by one index entry never
# reach it: every candidate matches.
MAX_CHECKED_PER_PAGE = 2000
_DATE_KEY = re.compile(r"^\d{4}-\d{2}-\d{2}#[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")
_KEY_HIGH = "#~"  # sorts after '#<any id>' (ids use [A-Za-z0-9._:-], all below '~')
_BUCKET_END = "~"  # sorts after every '<date>#<id>' in an index bucket


@dataclass(frozen=True)
class _Plan:
    """One newest-first Query over the candidates of a filtered list, and how a position maps back
    to a Query start key."""

    args: dict[str, Any]
    prefix: str | None  # index bucket prefix; None = the byDate LSI
    low: str | None
    high: str | None

    def start_key(self, sub: str, token: str) -> dict[str, Any]:
        """The ExclusiveStartKey a `next` token stands for; garbage, another user's token or a token
        outside the requested date range -> 400 naming `next`."""
        position = decode_cursor(sub, token)
        if not _DATE_KEY.match(position):
            raise bad_cursor("malformed")
        if (self.low and position < self.low) or (self.high and position > self.high):
            raise bad_cursor("outside the requested date range")
        pk = tables.user_pk(sub)
        if self.prefix is not None:
            return serialize({"pk": pk, "sk": self.prefix + position})
        expense_id = position.split("#", 1)[1]
        return serialize({"pk": pk, "sk": tables.expense_sk(expense_id), "dateKey": position})


class ExpenseQueries(UserItems):
    def _by_date(self, condition: str, values: dict[str, Any], **extra: Any) -> dict[str, Any]:
        return {
            "TableName": self.table_name,
            "IndexName": tables.BY_DATE_INDEX,
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": serialize(values),
            **extra,
        }

    def _plan(self, sub: str, filters: ExpenseFilters) -> _Plan:
        """The bucket of the most selective filter (`logic.search.driver`), or the date index when
        no filter has an index entry; a date range is a key condition on either."""
        values: dict[str, Any] = {":pk": tables.user_pk(sub)}
        low = filters.from_.isoformat() if filters.from_ else None
        high = filters.to.isoformat() + _KEY_HIGH if filters.to else None
        chosen = driver(filters)
        if chosen.kind is not None:
            prefix = tables.index_prefix(chosen.kind, chosen.value)
            values.update({":lo": prefix + (low or ""), ":hi": prefix + (high or _BUCKET_END)})
            args = {
                "TableName": self.table_name,
                "KeyConditionExpression": "pk = :pk AND sk BETWEEN :lo AND :hi",
                "ExpressionAttributeValues": serialize(values),
                "ScanIndexForward": False,
            }
            return _Plan(args, prefix, low, high)
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
        return _Plan(self._by_date(condition, values, ScanIndexForward=False), None, low, high)

    def page(
        self, sub: str, filters: ExpenseFilters, limit: int = 50, cursor: str | None = None
    ) -> ExpensePage:
        """One full page of matches, newest date first, while matches remain.

        Reads the driving bucket `limit + 1` items at a time (the extra one tells whether `next` is
        needed); candidates other filters reject widen the next read. `next` is set when a further
        candidate exists, or when MAX_CHECKED_PER_PAGE candidates were checked."""
        plan = self._plan(sub, filters)
        start = plan.start_key(sub, cursor) if cursor else None
        items: list[Expense] = []
        last_match: str | None = None
        last_checked = ""
        checked = rejected = 0
        while True:
            want = min(limit - len(items) + 1 + rejected, MAX_CHECKED_PER_PAGE)
            query = dict(plan.args, Limit=want)
            if start:
                query["ExclusiveStartKey"] = start
            response = self.client.query(**query)
            for raw in response.get("Items", []):
                if len(items) == limit:  # a further candidate: the page is full, more may match
                    return self._page(sub, items, last_match)
                item = deserialize(raw)
                expense = item_to_expense(item)
                checked += 1
                last_checked = position_of(item)
                if matches(expense, filters):
                    items.append(expense)
                    last_match = last_checked
                else:
                    rejected += 1
            lek = response.get("LastEvaluatedKey")
            if not lek:
                return self._page(sub, items, None)
            if len(items) == limit:
                return self._page(sub, items, last_match)
            if checked >= MAX_CHECKED_PER_PAGE:
                return self._page(sub, items, last_checked)
            start = lek

    @staticmethod
    def _page(sub: str, items: list[Expense], position: str | None) -> ExpensePage:
        return ExpensePage(items=items, next=encode_cursor(sub, position) if position else None)

    def iter_expenses(
        self, sub: str, filters: ExpenseFilters, page_size: int = EXPORT_PAGE_SIZE
    ) -> Iterator[Expense]:
        """Every matching expense, newest first, one query page in memory at a time."""
        args = dict(self._plan(sub, filters).args, Limit=page_size)
        for item in self._query_all(args):
            expense = item_to_expense(item)
            if matches(expense, filters):
                yield expense

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
