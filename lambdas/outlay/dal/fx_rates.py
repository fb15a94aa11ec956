"""ECB reference rates in their own table (`tables.RATES_TABLE`): one item per publication day.

Not user data: only the scheduled rates function (and, locally, the runtime's shipped table) writes
it; the expenses API only reads it (stacks/constructs/fx_rates.py grants exactly that).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from outlay import tables
from outlay.dal.expense_items import deserialize, iso, serialize
from outlay.dal.table_base import TableAdapter
from outlay.logic.expenses import utc_now
from outlay.logic.fx import RateBook

# TransactWriteItems takes at most 100 items: ECB's 90-day file has ~64 publication days.
MAX_DAYS_PER_WRITE = 100
# ECB never goes more than a long weekend (4 days; Easter) without publishing: looking this far past
# the last day shown tells a weekend (a later rate exists) from "not published yet" (provisional).
LOOKAHEAD_DAYS = 7


class FxRates(TableAdapter):
    def put_days(self, days: Mapping[date, Mapping[str, Decimal]], fetched_from: str) -> int:
        """Store whole days in ONE transaction (all or nothing); returns how many were written.

        A day already stored is overwritten with ECB's values (ECB never revises a published rate,
        so this only repeats what is there)."""
        if not days:
            return 0
        if len(days) > MAX_DAYS_PER_WRITE:
            raise ValueError(f"at most {MAX_DAYS_PER_WRITE} days per write, got {len(days)}")
        stamp = iso(utc_now())
        self.client.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": self.table_name,
                        "Item": serialize(
                            {
                                "source": tables.ECB_SOURCE,
                                "date": day.isoformat(),
                                "rates": dict(rates),
                                "fetchedFrom": fetched_from,
                                "storedAt": stamp,
                            }
                        ),
                    }
                }
                for day, rates in sorted(days.items())
            ]
        )
        return len(days)

    def latest_day(self) -> date | None:
        items = self._query(ScanIndexForward=False, Limit=1)
        first = next(items, None)
        return date.fromisoformat(first["date"]) if first else None

    def book_for(self, start: date, end: date) -> RateBook:
        """The rates a conversion of days `start`..`end` can need: every day in the range, the last
        one before it (a Monday's weekend, the first of a month), and a week past it."""
        days = {
            date.fromisoformat(item["date"]): item["rates"]
            for item in self._query(
                KeyConditionExpression="#source = :source AND #date BETWEEN :lo AND :hi",
                lo=start.isoformat(),
                hi=(end + timedelta(days=LOOKAHEAD_DAYS)).isoformat(),
            )
        }
        before = next(
            self._query(
                KeyConditionExpression="#source = :source AND #date < :lo",
                lo=start.isoformat(),
                ScanIndexForward=False,
                Limit=1,
            ),
            None,
        )
        if before is not None:
            days[date.fromisoformat(before["date"])] = before["rates"]
        return RateBook(days)

    def _query(
        self,
        KeyConditionExpression: str = "#source = :source",
        lo: str | None = None,
        hi: str | None = None,
        **extra: Any,
    ) -> Iterator[dict[str, Any]]:
        values: dict[str, Any] = {":source": tables.ECB_SOURCE}
        names = {"#source": "source"}
        if lo is not None:
            values[":lo"] = lo
            names["#date"] = "date"
        if hi is not None:
            values[":hi"] = hi
        args: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": KeyConditionExpression,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": serialize(values),
            **extra,
        }
        single = "Limit" in extra
        while True:
            response = self.client.query(**args)
            for raw in response.get("Items", []):
                yield deserialize(raw)
            lek = response.get("LastEvaluatedKey")
            if not lek or single:
                return
            args["ExclusiveStartKey"] = lek
