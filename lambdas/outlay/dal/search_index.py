"""Filter/search index items: what the expense write transactions add, and the backfill of expenses
written before the index existed.

Each index item (`tables.index_sk`) is a full copy of its expense under another sort key, so a
filtered list reads index items only and checks the remaining filters on them without a second
read. `index_writes(...)` is what every expense transaction (create, update, delete, upsert,
restore) adds: delete the entries the old expense had and the new one has not, put every entry of the
new one (they carry the new version). At most 2 x `MAX_INDEX_ENTRIES` (62) items per transaction,
which keeps an update under the 100-item TransactWriteItems limit with room for the expense, two
aggregates and a few markers.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from outlay import tables
from outlay.dal.expense_items import UserItems, deserialize, expense_to_item, item_to_expense, serialize
from outlay.logic.search import index_entries
from outlay.models.expenses import Expense

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

INDEX_TYPE = "INDEX"


def index_sks(expense: Expense) -> list[str]:
    date_key = tables.date_key(expense.date.isoformat(), expense.id)
    return [tables.index_sk(kind, value, date_key) for kind, value in index_entries(expense)]


def index_items(sub: str, expense: Expense, version: int) -> list[dict[str, Any]]:
    """The index items of an expense (plain Python values), one per index entry."""
    base = expense_to_item(sub, expense, version)
    del base["dateKey"]  # the byDate LSI must list the expense once, not its index copies
    base["type"] = INDEX_TYPE
    return [base | {"sk": sk} for sk in index_sks(expense)]


def index_writes(
    table_name: str, sub: str, old: Expense | None, new: Expense | None, new_version: int
) -> list[TransactWriteItemTypeDef]:
    """The transaction items that move the index from `old` to `new` (either may be None)."""
    new_items = index_items(sub, new, new_version) if new is not None else []
    keep = {item["sk"] for item in new_items}
    stale = [sk for sk in (index_sks(old) if old is not None else []) if sk not in keep]
    pk = tables.user_pk(sub)
    writes: list[dict[str, Any]] = [
        {"Delete": {"TableName": table_name, "Key": serialize({"pk": pk, "sk": sk})}} for sk in stale
    ]
    writes += [{"Put": {"TableName": table_name, "Item": serialize(item)}} for item in new_items]
    return writes  # type: ignore[return-value]


def position_of(item: dict[str, Any]) -> str:
    """The `<date>#<id>` an expense or index item sorts by (the cursor's position)."""
    if "dateKey" in item:
        return str(item["dateKey"])
    date, expense_id = str(item["sk"]).rsplit("#", 2)[-2:]
    return f"{date}#{expense_id}"


class SearchIndexBackfill(UserItems):
    """Writes the index items of expenses stored before the index existed, and drops index items no
    expense accounts for. Idempotent, safe next to live traffic: each expense's items are put in a
    transaction conditional on the expense's version, so a concurrent edit (which writes its own
    items) wins and the stale copy is never written."""

    def _user_items(self, sub: str, prefix: str) -> Iterator[dict[str, Any]]:
        return self._query_all(
            {
                "TableName": self.table_name,
                "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
                "ExpressionAttributeValues": serialize({":pk": tables.user_pk(sub), ":prefix": prefix}),
                "ConsistentRead": True,
            }
        )

    def reindex_user(self, sub: str) -> int:
        """Rebuild one user's index; returns how many expenses were indexed."""
        existing = {str(item["sk"]) for item in self._user_items(sub, tables.INDEX_PREFIX)}
        expected: set[str] = set()
        indexed = 0
        for item in self._user_items(sub, tables.EXPENSE_PREFIX):
            expense = item_to_expense(item)
            version = int(item.get("version", 0))
            sks = index_sks(expense)
            expected.update(sks)
            if self._put_index(sub, expense, version):
                indexed += 1
        pk = tables.user_pk(sub)
        for sk in sorted(existing - expected):
            self.client.delete_item(TableName=self.table_name, Key=serialize({"pk": pk, "sk": sk}))
        return indexed

    def _put_index(self, sub: str, expense: Expense, version: int) -> bool:
        guard: dict[str, Any] = {
            "TableName": self.table_name,
            "Key": serialize({"pk": tables.user_pk(sub), "sk": tables.expense_sk(expense.id)}),
        }
        if version:
            guard["ConditionExpression"] = "#version = :v"
            guard["ExpressionAttributeNames"] = {"#version": "version"}
            guard["ExpressionAttributeValues"] = serialize({":v": version})
        else:
            guard["ConditionExpression"] = "attribute_exists(pk) AND attribute_not_exists(#version)"
            guard["ExpressionAttributeNames"] = {"#version": "version"}
        puts = [
            {"Put": {"TableName": self.table_name, "Item": serialize(item)}}
            for item in index_items(sub, expense, version)
        ]
        try:
            self.client.transact_write_items(TransactItems=[{"ConditionCheck": guard}, *puts])  # type: ignore[list-item,typeddict-item]
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                raise
            return False  # changed meanwhile: that write maintained its own index items
        return True

    def users(self) -> Iterator[str]:
        """Every user with at least one expense (one Scan of the table, keys only)."""
        args: dict[str, Any] = {
            "TableName": self.table_name,
            "ProjectionExpression": "pk",
            "FilterExpression": "begins_with(sk, :e)",
            "ExpressionAttributeValues": serialize({":e": tables.EXPENSE_PREFIX}),
        }
        seen: set[str] = set()
        while True:
            response = self.client.scan(**args)
            for raw in response.get("Items", []):
                pk = str(deserialize(raw)["pk"])
                if pk.startswith("USER#") and pk not in seen:
                    seen.add(pk)
                    yield pk.removeprefix("USER#")
            lek = response.get("LastEvaluatedKey")
            if not lek:
                return
            args["ExclusiveStartKey"] = lek

    def reindex_all(self) -> dict[str, int]:
        """The one-shot migration after deploying the index: every user, expenses indexed per user."""
        return {sub: self.reindex_user(sub) for sub in list(self.users())}


def main(argv: list[str] | None = None) -> int:
    """`python -m outlay.dal.search_index --table <expenses table>` (AWS_ENDPOINT_URL for local)."""
    parser = argparse.ArgumentParser(prog="python -m outlay.dal.search_index")
    parser.add_argument("--table", required=True, help="the expenses table's name")
    parser.add_argument("--user", help="only this user's sub")
    args = parser.parse_args(argv)
    backfill = SearchIndexBackfill(args.table)
    done = {args.user: backfill.reindex_user(args.user)} if args.user else backfill.reindex_all()
    print(f"indexed {sum(done.values())} expenses of {len(done)} users")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
