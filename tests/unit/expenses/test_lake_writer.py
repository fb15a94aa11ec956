"""The lake writer keeps one JSON-lines object per user-month equal to DynamoDB."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import boto3
import pytest
from outlay.dal.expense_items import expense_to_item, serialize
from outlay.dal.expenses_repo import ExpensesRepository
from outlay.handlers import lake_writer
from outlay.handlers.wiring import reset_all
from outlay.logic.lake import affected_months, lake_line
from outlay.models.expenses import Expense

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish")
NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)
LAKE = "outlay-test-lake"


def make(expense_id: str, day: str, amount: str = "10.00", **kw: Any) -> Expense:
    return Expense.model_validate(
        {
            "id": expense_id,
            "date": day,
            "amount": amount,
            "currency": "USD",
            "category": "Food",
            "created_at": NOW,
            "updated_at": NOW,
            **kw,
        }
    )


def record(seq: str, sub: str, old: Expense | None, new: Expense | None) -> dict[str, Any]:
    change: dict[str, Any] = {"SequenceNumber": seq, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    if old:
        change["OldImage"] = serialize(expense_to_item(sub, old, 1))
    if new:
        change["NewImage"] = serialize(expense_to_item(sub, new, 2))
    name = "MODIFY" if old and new else ("INSERT" if new else "REMOVE")
    return {"eventName": name, "eventSource": "aws:dynamodb", "dynamodb": change}


@pytest.fixture
def repo(expenses_table: str, lake_bucket: str) -> Iterator[ExpensesRepository]:
    reset_all()
    yield ExpensesRepository(expenses_table, boto3.client("dynamodb", region_name="us-east-1"))
    reset_all()


def lake_lines(key: str) -> list[dict[str, Any]]:
    body = (
        boto3.client("s3", region_name="us-east-1").get_object(Bucket=LAKE, Key=key)["Body"].read().decode()
    )
    return [json.loads(line, parse_float=Decimal) for line in body.splitlines()]


def lake_keys() -> list[str]:
    listing = boto3.client("s3", region_name="us-east-1").list_objects_v2(Bucket=LAKE)
    return sorted(o["Key"] for o in listing.get("Contents", []))


def test_month_object_mirrors_dynamodb(repo: ExpensesRepository) -> None:
    a = repo.create("alice", make("a", "2026-03-01", "12.30", vendor="Cafe", tags=["x"]))
    b = repo.create("alice", make("b", "2026-03-31", "0.10"))
    result = lake_writer.handler(
        {"Records": [record("100", "alice", None, a), record("101", "alice", None, b)]}, None
    )
    assert result == {"batchItemFailures": []}
    lines = lake_lines("expenses/year=2026/month=03/alice.json")
    assert [line["id"] for line in lines] == ["a", "b"]
    assert lines[0]["amount"] == Decimal("12.30") and lines[0]["userId"] == "alice"
    assert lines[0]["timestamp"] == "2026-03-15T12:00:00Z" and lines[0]["tags"] == ["x"]


def test_moving_month_rewrites_both_and_deletes_empty(repo: ExpensesRepository) -> None:
    old = repo.create("alice", make("a", "2026-03-01"))
    lake_writer.handler({"Records": [record("1", "alice", None, old)]}, None)
    new = repo.update("alice", "a", {"date": make("a", "2026-04-02").date})
    lake_writer.handler({"Records": [record("2", "alice", old, new)]}, None)
    assert lake_keys() == ["expenses/year=2026/month=04/alice.json"]


def test_replayed_and_reordered_records_converge(repo: ExpensesRepository) -> None:
    first = repo.create("alice", make("a", "2026-03-01", "1.00"))
    second = repo.update("alice", "a", {"amount": Decimal("2.00")})
    # Stream delivers the older record again, after the newer one: the lake still shows DynamoDB.
    lake_writer.handler(
        {"Records": [record("2", "alice", first, second), record("1", "alice", None, first)]}, None
    )
    assert [line["amount"] for line in lake_lines("expenses/year=2026/month=03/alice.json")] == [
        Decimal("2.00")
    ]


def test_non_expense_items_are_ignored() -> None:
    summary = {"pk": {"S": "USER#alice"}, "sk": {"S": "SUMMARY#2026-03#USD#Food"}, "month": {"S": "2026-03"}}
    assert affected_months([{"dynamodb": {"SequenceNumber": "1", "NewImage": summary}}]) == {}


def test_failed_month_is_reported_for_retry(
    repo: ExpensesRepository, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = repo.create("alice", make("a", "2026-03-01"))
    b = repo.create("bob", make("b", "2026-03-01"))
    original = lake_writer.rewrite_month

    def flaky(key: Any) -> int:
        if key.sub == "bob":
            raise RuntimeError("S3 is having a bad day")
        return original(key)

    monkeypatch.setattr(lake_writer, "rewrite_month", flaky)
    result = lake_writer.handler(
        {"Records": [record("10", "alice", None, a), record("11", "bob", None, b)]}, None
    )
    assert result == {"batchItemFailures": [{"itemIdentifier": "11"}]}
    assert lake_keys() == ["expenses/year=2026/month=03/alice.json"]


def test_lake_line_keeps_exact_amount_and_escapes_text() -> None:
    line = lake_line("alice", make("a", "2026-03-01", "1000000000.00", description='say "hi"\n'))
    data = json.loads(line, parse_float=Decimal)
    assert data["amount"] == Decimal("1000000000.00") and data["description"] == 'say "hi"'
    assert '"amount":1000000000.00' in line
