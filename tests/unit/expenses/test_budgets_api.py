"""GET/PUT/DELETE /budgets through the real expenses handler on moto: validation naming the field,
spending from the monthly aggregates in the budget's currency only, isolation, and the AWS forecast
the costs function stored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import boto3
from outlay.dal.budgets import BudgetsRepository
from outlay.logic.budgets import StoredForecast
from outlay.logic.months import add_months, month_of, next_first_day

from tests.unit.conftest import EXPENSES_TABLE_NAME
from tests.unit.expenses.expense_events import Call

TODAY = datetime.now(UTC).date()
MONTH = month_of(TODAY)


def add(
    call: Call, amount: str, category: str, currency: str = "USD", day: str | None = None, sub: str = "alice"
) -> None:
    body = {
        "amount": amount,
        "currency": currency,
        "category": category,
        "date": day or TODAY.isoformat(),
        "vendor": "V",
    }
    assert call("POST", "/expenses", body=body, sub=sub).status == 201


def put(call: Call, sub: str = "alice", **body: object) -> tuple[int, dict]:
    reply = call("PUT", "/budgets", body=body, sub=sub)
    return reply.status, reply.json


def test_no_budgets_is_an_empty_list_with_the_month(call: Call) -> None:
    reply = call("GET", "/budgets")
    assert reply.status == 200
    assert (
        reply.json["items"] == [] and reply.json["month"] == MONTH and reply.json["awsCategory"] == "Software"
    )
    assert reply.json["daysLeft"] == (next_first_day(MONTH) - TODAY).days


def test_put_validates_and_names_the_field(call: Call) -> None:
    cases = [
        ({"category": "Nope", "currency": "USD", "amount": "5"}, "category"),
        ({"category": "Food", "currency": "JPY", "amount": "5.50"}, "amount"),
        ({"category": "Food", "currency": "USD", "amount": "0"}, "amount"),
        ({"category": "Food", "currency": "XAU", "amount": "5"}, "currency"),
        ({"category": "Food", "amount": "5"}, "currency"),
        ({"category": "Food", "currency": "USD", "amount": "5", "extra": 1}, "extra"),
    ]
    for body, field in cases:
        status, error = put(call, **body)
        assert status == 400, body
        assert field in {d["field"] for d in error["details"]}, (body, error)
    assert call("GET", "/budgets").json["items"] == []  # nothing half-written


def test_budgets_show_this_months_spending_in_their_own_currency(call: Call) -> None:
    add(call, "40.00", "Food")
    add(call, "25.50", "food")
    add(call, "70.00", "Travel")
    add(call, "99.00", "Food", currency="EUR")
    add(call, "500.00", "Food", day=f"{add_months(MONTH, -2)}-15")  # another month
    assert put(call, category="food", currency="usd", amount="60")[0] == 200
    status, overall = put(call, currency="USD", amount="100", rollover=True)
    assert status == 200 and overall["category"] is None and overall["amount"] == "100.00"
    put(call, category="Food", currency="JPY", amount="3000")
    items = call("GET", "/budgets").json["items"]
    assert [(i["category"], i["currency"]) for i in items] == [
        (None, "USD"),
        ("Food", "JPY"),
        ("Food", "USD"),
    ]
    overall_status, jpy, food = items
    assert (food["spent"], food["remaining"], food["over"]) == ("65.50", "-5.50", True)
    assert (overall_status["spent"], overall_status["remaining"], overall_status["over"]) == (
        "135.50",
        "-35.50",
        True,
    )
    assert overall_status["carried"] == "0.00"  # created this month: nothing to carry
    assert (jpy["spent"], jpy["amount"], jpy["over"]) == ("0", "3000", False)


def test_put_replaces_and_keeps_one_budget_per_category_and_currency(call: Call) -> None:
    put(call, category="Food", currency="USD", amount="60")
    status, again = put(call, category="FOOD", currency="USD", amount="80.5", rollover=True)
    assert status == 200 and (again["amount"], again["rollover"]) == ("80.50", True)
    assert [i["amount"] for i in call("GET", "/budgets").json["items"]] == ["80.50"]


def test_past_month_has_no_days_left_and_its_own_spending(call: Call) -> None:
    last = add_months(MONTH, -1)
    add(call, "12.00", "Food", day=f"{last}-10")
    put(call, category="Food", currency="USD", amount="10")
    data = call("GET", "/budgets", query={"month": last}).json
    assert data["daysLeft"] == 0 and data["items"][0]["spent"] == "12.00" and data["items"][0]["over"] is True
    bad = call("GET", "/budgets", query={"month": "2026-13"})
    assert bad.status == 400 and bad.json["details"][0]["field"] == "month"
    unknown = call("GET", "/budgets", query={"mnth": last})
    assert unknown.status == 400 and unknown.json["details"][0]["field"] == "mnth"


def test_delete_returns_the_budget_then_404_and_the_overall_needs_no_category(call: Call) -> None:
    put(call, category="Food", currency="USD", amount="60")
    put(call, currency="USD", amount="500")
    gone = call("DELETE", "/budgets", query={"currency": "USD", "category": "food"})
    assert gone.status == 200 and (gone.json["category"], gone.json["amount"]) == ("Food", "60.00")
    assert call("DELETE", "/budgets", query={"currency": "USD", "category": "Food"}).status == 404
    assert call("DELETE", "/budgets", query={"currency": "USD"}).json["category"] is None
    assert call("GET", "/budgets").json["items"] == []
    missing = call("DELETE", "/budgets", query={"category": "Food"})
    assert missing.status == 400 and missing.json["details"][0]["field"] == "currency"


def test_budgets_are_per_user(call: Call) -> None:
    put(call, category="Food", currency="USD", amount="60")
    add(call, "30.00", "Food", sub="bob")
    assert call("GET", "/budgets", sub="bob").json["items"] == []
    assert call("GET", "/budgets").json["items"][0]["spent"] == "0.00"
    assert call("DELETE", "/budgets", query={"currency": "USD", "category": "Food"}, sub="bob").status == 404


def test_the_stored_aws_forecast_warns_on_the_software_budget(call: Call) -> None:
    add(call, "12.00", "Software")
    put(call, category="Software", currency="USD", amount="60")
    put(call, category="Food", currency="USD", amount="60")
    fetched = datetime.now(UTC) - timedelta(hours=3)
    repo = BudgetsRepository(EXPENSES_TABLE_NAME, dynamodb_client=boto3.client("dynamodb"))
    repo.put_forecast(
        "alice", StoredForecast(MONTH, Decimal("81.45"), "USD", TODAY, next_first_day(MONTH), fetched)
    )
    repo.put_forecast(
        "alice",
        StoredForecast(add_months(MONTH, -1), Decimal("1"), "USD", TODAY, next_first_day(MONTH), fetched),
    )
    items = {i["category"]: i for i in call("GET", "/budgets").json["items"]}
    check = items["Software"]["awsForecast"]
    assert check["forecast"] == "81.45" and check["projected"] == "93.45" and check["exceeds"] is True
    assert check["message"] == "Forecast 93.45 USD will exceed your 60.00 USD AWS budget"
    assert check["fetchedAt"].startswith(fetched.isoformat()[:16])
    assert items["Food"]["awsForecast"] is None
    assert call("GET", "/budgets", sub="bob").json["items"] == []  # alice's forecast is hers
