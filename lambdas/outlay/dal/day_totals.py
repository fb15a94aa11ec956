"""Rebuilds users' daily aggregates (`tables.day_sk`) from their expenses: the one-time migration for
expenses stored before daily aggregates existed, and a repair. Idempotent, safe next to live traffic.

Per user: read the daily aggregates first, then the expenses, then write each aggregate that differs
from what the expenses add up to, conditional on the aggregate still holding what was read (absent
stays absent). A write that lands between the two reads or before the repair changes the aggregate,
so the repair's condition fails and the user is read again (up to `MAX_ROUNDS` times).
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from botocore.exceptions import ClientError

from outlay import tables
from outlay.dal.expense_items import UserItems, item_to_expense, serialize
from outlay.logic.summary import DayKey, Delta, day_deltas

MAX_ROUNDS = 5


def _key_of(sk: str) -> DayKey:
    """`DAY#<day>#<currency>#<category>` -> its key (a category may itself hold '#')."""
    day, currency, category = sk.removeprefix(tables.DAY_PREFIX).split("#", 2)
    return DayKey(day, currency, category)


class DailyTotalsBackfill(UserItems):
    def _items(self, sub: str, prefix: str) -> Iterator[dict[str, Any]]:
        return self._query_all(
            {
                "TableName": self.table_name,
                "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
                "ExpressionAttributeValues": serialize({":pk": tables.user_pk(sub), ":prefix": prefix}),
                "ConsistentRead": True,
            }
        )

    def rebuild_user(self, sub: str) -> int:
        """Make one user's daily aggregates match their expenses; returns how many were rewritten."""
        for _ in range(MAX_ROUNDS):
            changed = self._round(sub)
            if changed is not None:
                return changed
        raise RuntimeError(f"daily totals of {sub} kept changing during {MAX_ROUNDS} attempts; run again")

    def _round(self, sub: str) -> int | None:
        stored = {
            _key_of(str(item["sk"])): Delta(Decimal(item.get("total", 0)), int(item.get("count", 0)))
            for item in self._items(sub, tables.DAY_PREFIX)
        }
        expected: dict[DayKey, Delta] = {}
        for item in self._items(sub, tables.EXPENSE_PREFIX):
            for key, delta in day_deltas(None, item_to_expense(item)).items():
                before = expected.get(key, Delta(Decimal(0), 0))
                expected[key] = Delta(before.total + delta.total, before.count + delta.count)
        changed = 0
        for key in sorted(set(stored) | set(expected)):
            want, have = expected.get(key), stored.get(key)
            if want == have:
                continue
            try:
                self._replace(sub, key, want, have)
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                    raise
                return None  # changed meanwhile: read again
            changed += 1
        return changed

    def _replace(self, sub: str, key: DayKey, want: Delta | None, have: Delta | None) -> None:
        item_key = {"pk": tables.user_pk(sub), "sk": tables.day_sk(key.day, key.currency, key.category)}
        guard: dict[str, Any] = {"ConditionExpression": "attribute_not_exists(pk)"}
        if have is not None:
            guard = {
                "ConditionExpression": "#total = :t0 AND #count = :c0",
                "ExpressionAttributeNames": {"#total": "total", "#count": "count"},
                "ExpressionAttributeValues": serialize({":t0": have.total, ":c0": have.count}),
            }
        if want is None:
            self.client.delete_item(TableName=self.table_name, Key=serialize(item_key), **guard)
            return
        item = {
            **item_key,
            "type": "DAY",
            "day": key.day,
            "currency": key.currency,
            "category": key.category,
            "total": want.total,
            "count": want.count,
        }
        self.client.put_item(TableName=self.table_name, Item=serialize(item), **guard)

    def rebuild_all(self) -> dict[str, int]:
        from outlay.dal.search_index import SearchIndexBackfill  # its one scan for users with expenses

        users = SearchIndexBackfill(self.table_name, dynamodb_client=self.client).users()
        return {sub: self.rebuild_user(sub) for sub in list(users)}


def main(argv: list[str] | None = None) -> int:
    """`python -m outlay.dal.day_totals --table <expenses table>` (AWS_ENDPOINT_URL for local)."""
    parser = argparse.ArgumentParser(prog="python -m outlay.dal.day_totals")
    parser.add_argument("--table", required=True, help="the expenses table's name")
    parser.add_argument("--user", help="only this user's sub")
    args = parser.parse_args(argv)
    backfill = DailyTotalsBackfill(args.table)
    done = {args.user: backfill.rebuild_user(args.user)} if args.user else backfill.rebuild_all()
    print(f"rewrote {sum(done.values())} daily totals of {len(done)} users")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
