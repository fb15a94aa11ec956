"""Expenses stored before daily aggregates existed: their edits still work, converted totals say what
is missing, and the one-time rebuild (outlay.dal.day_totals) makes the daily totals whole."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from outlay import tables
from outlay.dal.day_totals import DailyTotalsBackfill
from outlay.dal.fx_rates import FxRates
from outlay.logic.fx import parse_ecb_xml

from tests.unit.expenses.expense_events import Call

FIXTURE = Path(__file__).with_name("ecb-3-days.xml").read_bytes()


@pytest.fixture
def rates(dynamodb_client: Any, rates_table: str) -> None:
    FxRates(rates_table, dynamodb_client=dynamodb_client).put_days(parse_ecb_xml(FIXTURE), "fixture")


def _day_items(client: Any, table: str) -> list[dict[str, Any]]:
    items = client.scan(TableName=table)["Items"]
    return [i for i in items if i["sk"]["S"].startswith(tables.DAY_PREFIX)]


def _forget_daily_totals(client: Any, table: str) -> None:
    """What a table written by the release before daily aggregates looks like."""
    for item in _day_items(client, table):
        client.delete_item(TableName=table, Key={"pk": item["pk"], "sk": item["sk"]})


def _converted(call: Call) -> dict[str, Any]:
    return dict(call("GET", "/summary", query={"from": "2026-10", "to": "2026-10"}).json["converted"])


def test_old_expenses_are_counted_as_missing_then_rebuilt(
    call: Call, rates: None, dynamodb_client: Any, expenses_table: str
) -> None:
    ids = []
    for amount, day in (("10.00", "2026-10-29"), ("20.00", "2026-10-30"), ("5.00", "2026-10-30")):
        body = {"amount": amount, "currency": "USD", "date": day, "category": "Food", "vendor": "Shop"}
        ids.append(call("POST", "/expenses", body=body).json["id"])
    call("PUT", "/profile", body={"baseCurrency": "EUR"})
    complete = _converted(call)
    _forget_daily_totals(dynamodb_client, expenses_table)

    assert _converted(call)["missingFromDaily"] == 3
    # Editing and deleting an expense that has no daily aggregate works (no failed guard)
    assert call("PATCH", f"/expenses/{ids[0]}", body={"amount": "12.00"}).status == 200
    assert call("DELETE", f"/expenses/{ids[2]}").status == 204
    assert call("PATCH", f"/expenses/{ids[0]}", body={"amount": "10.00"}).status == 200

    backfill = DailyTotalsBackfill(expenses_table, dynamodb_client=dynamodb_client)
    assert backfill.rebuild_all() == {"alice": 2}  # 2026-10-29 and 2026-10-30 (the negative one fixed)
    rebuilt = _converted(call)
    assert rebuilt["missingFromDaily"] == 0
    assert rebuilt["count"] == 2
    # 10/1.113 = 8.98 ; 20/1.1172 = 17.90 (the 5.00 was deleted)
    assert rebuilt["total"] == "26.88"
    assert complete["total"] == "31.36"  # before: + 5/1.1172 = 4.48
    assert backfill.rebuild_user("alice") == 0  # idempotent: nothing left to fix


def test_the_rebuild_removes_daily_totals_no_expense_accounts_for(
    call: Call, dynamodb_client: Any, expenses_table: str
) -> None:
    body = {"amount": "1.00", "currency": "EUR", "date": "2026-10-29", "category": "Food", "vendor": "X"}
    call("POST", "/expenses", body=body)
    dynamodb_client.put_item(
        TableName=expenses_table,
        Item={
            "pk": {"S": tables.user_pk("alice")},
            "sk": {"S": tables.day_sk("2026-10-01", "EUR", "Food")},
            "total": {"N": "-3"},
            "count": {"N": "-1"},
        },
    )
    assert DailyTotalsBackfill(expenses_table, dynamodb_client=dynamodb_client).rebuild_user("alice") == 1
    assert [i["sk"]["S"] for i in _day_items(dynamodb_client, expenses_table)] == [
        tables.day_sk("2026-10-29", "EUR", "Food")
    ]
