"""Monthly totals read from the `SUMMARY#` aggregate items the writes maintain (one key range)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from outlay import tables
from outlay.dal.expense_items import UserItems, serialize
from outlay.logic.fx import DayBucket
from outlay.logic.summary import build_summary
from outlay.models.expenses import Summary, SummaryItem


class ExpenseSummaries(UserItems):
    def summary(self, sub: str, start: str, end: str) -> Summary:
        """Totals per month x category x currency from the aggregate items only (one key range)."""
        args: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": "pk = :pk AND sk BETWEEN :lo AND :hi",
            "ExpressionAttributeValues": serialize(
                {
                    ":pk": tables.user_pk(sub),
                    ":lo": f"{tables.SUMMARY_PREFIX}{start}#",
                    ":hi": f"{tables.SUMMARY_PREFIX}{end}$",  # '$' sorts right after '#'
                }
            ),
        }
        items = [
            SummaryItem(
                month=item["month"],
                category=item["category"],
                currency=item["currency"],
                total=item.get("total", Decimal(0)),
                count=int(item.get("count", 0)),
            )
            for item in self._query_all(args)
        ]
        return build_summary(start, end, items)

    def day_buckets(self, sub: str, start: str, end: str) -> list[DayBucket]:
        """The daily aggregates of days `start`..`end` (ISO dates, inclusive): one key range."""
        args: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": "pk = :pk AND sk BETWEEN :lo AND :hi",
            "ExpressionAttributeValues": serialize(
                {
                    ":pk": tables.user_pk(sub),
                    ":lo": f"{tables.DAY_PREFIX}{start}#",
                    ":hi": f"{tables.DAY_PREFIX}{end}$",  # '$' sorts right after '#'
                }
            ),
        }
        return [
            DayBucket(
                day=date.fromisoformat(item["day"]),
                currency=item["currency"],
                category=item["category"],
                total=item.get("total", Decimal(0)),
                count=int(item.get("count", 0)),
            )
            for item in self._query_all(args)
        ]
