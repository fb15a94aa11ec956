"""A base currency through the real expenses handler (moto): the profile switch, converted totals next
to the per-currency ones at each expense date's ECB rate, the rates shown, originals untouched."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from outlay.dal.fx_rates import FxRates
from outlay.logic.fx import parse_ecb_xml

from tests.unit.expenses.expense_events import Call

FIXTURE = Path(__file__).with_name("ecb-3-days.xml").read_bytes()  # 2026-10-28..30


@pytest.fixture
def rates(dynamodb_client: Any, rates_table: str) -> None:
    FxRates(rates_table, dynamodb_client=dynamodb_client).put_days(parse_ecb_xml(FIXTURE), "fixture")


def _add(call: Call, amount: str, currency: str, day: str, category: str = "Food") -> dict[str, Any]:
    reply = call(
        "POST",
        "/expenses",
        body={"amount": amount, "currency": currency, "date": day, "category": category, "vendor": "Shop"},
    )
    assert reply.status == 201, reply.text
    return dict(reply.json)


def _summary(call: Call) -> dict[str, Any]:
    reply = call("GET", "/summary", query={"from": "2026-10", "to": "2026-10"})
    assert reply.status == 200, reply.text
    return dict(reply.json)


def test_without_a_base_currency_summaries_stay_per_currency(call: Call, rates: None) -> None:
    _add(call, "100.00", "USD", "2026-10-30")
    assert call("GET", "/profile").json == {"defaultCurrency": "USD"}  # no base currency: off
    listed = {c["code"]: c["ecbRate"] for c in call("GET", "/currencies").json["items"]}
    assert (listed["EUR"], listed["USD"], listed["KWD"]) == (True, True, False)  # ECB has no KWD rate
    summary = _summary(call)
    assert "converted" not in summary
    assert summary["totals"] == [{"currency": "USD", "total": "100.00"}]


def test_turning_on_a_base_currency_shows_converted_totals_beside_the_originals(
    call: Call, rates: None
) -> None:
    thursday = _add(call, "10.00", "USD", "2026-10-29")
    _add(call, "10.00", "USD", "2026-10-31", category="Travel")  # Saturday: Friday's rate
    _add(call, "5.00", "EUR", "2026-10-30")
    _add(call, "1.500", "KWD", "2026-10-30")  # ECB publishes no KWD rate

    reply = call("PUT", "/profile", body={"baseCurrency": "eur"})
    assert reply.status == 200 and reply.json["baseCurrency"] == "EUR"
    assert reply.json["defaultCurrency"] == "USD"  # the other preference stays

    summary = _summary(call)
    # The per-currency totals are exactly as before: nothing is converted silently
    assert summary["totals"] == [
        {"currency": "EUR", "total": "5.00"},
        {"currency": "KWD", "total": "1.500"},
        {"currency": "USD", "total": "20.00"},
    ]
    converted = summary["converted"]
    assert converted["base"] == "EUR"
    # 10/1.113 = 8.98 (Thu), 10/1.1172 = 8.95 (Sat at Friday's rate), + 5.00 EUR
    assert converted["items"] == [
        {"month": "2026-10", "category": "Food", "currency": "EUR", "total": "13.98", "count": 2},
        {"month": "2026-10", "category": "Travel", "currency": "EUR", "total": "8.95", "count": 1},
    ]
    assert (converted["total"], converted["count"]) == ("22.93", 3)
    assert converted["rates"] == [
        {
            "currency": "USD",
            "rateDate": "2026-10-29",
            "rate": "0.898473",
            "provisional": False,
            "forDates": ["2026-10-29"],
        },
        {
            "currency": "USD",
            "rateDate": "2026-10-30",
            "rate": "0.895095",
            "provisional": True,  # ECB has not published a rate after Friday in this table yet
            "forDates": ["2026-10-31"],
        },
    ]
    assert converted["unconverted"] == [
        {"currency": "KWD", "total": "1.500", "count": 1, "reason": "ECB publishes no reference rate for KWD"}
    ]
    assert converted["missingFromDaily"] == 0
    # The expense itself keeps its own amount and currency
    stored = call("GET", f"/expenses/{thursday['id']}").json
    assert (stored["amount"], stored["currency"]) == ("10.00", "USD")


def test_a_rate_published_later_replaces_the_provisional_one_with_nothing_recomputed(
    call: Call, rates: None, dynamodb_client: Any, rates_table: str
) -> None:
    _add(call, "10.00", "USD", "2026-11-02")  # Monday, not published yet
    call("PUT", "/profile", body={"baseCurrency": "EUR"})
    before = call("GET", "/summary", query={"from": "2026-11", "to": "2026-11"}).json["converted"]
    assert before["total"] == "8.95" and before["provisional"] is True
    FxRates(rates_table, dynamodb_client=dynamodb_client).put_days(
        {date(2026, 11, 2): {"USD": Decimal("1.25")}}, "t"
    )
    after = call("GET", "/summary", query={"from": "2026-11", "to": "2026-11"}).json["converted"]
    assert after["total"] == "8.00" and after["provisional"] is False
    assert after["rates"][0]["rateDate"] == "2026-11-02"


def test_editing_and_deleting_expenses_moves_the_daily_totals_with_them(call: Call, rates: None) -> None:
    expense = _add(call, "10.00", "USD", "2026-10-29")
    call("PUT", "/profile", body={"baseCurrency": "JPY"})
    assert _summary(call)["converted"]["total"] == "1581"  # 10 * 175.92 / 1.113 = 1580.59 -> 1581 JPY
    assert call("PATCH", f"/expenses/{expense['id']}", body={"date": "2026-10-30"}).status == 200
    assert _summary(call)["converted"]["total"] == "1573"  # 10 * 175.68 / 1.1172 = 1572.503 -> 1573
    assert call("DELETE", f"/expenses/{expense['id']}").status == 204
    converted = _summary(call)["converted"]
    assert (converted["total"], converted["items"], converted["rates"]) == ("0", [], [])


def test_a_base_currency_ecb_does_not_publish_is_refused_naming_the_field(call: Call, rates: None) -> None:
    reply = call("PUT", "/profile", body={"baseCurrency": "KWD"})
    assert reply.status == 400
    assert "baseCurrency" in reply.text and "ECB publishes no reference rate for KWD" in reply.text
    assert "baseCurrency" not in call("GET", "/profile").json


def test_base_currency_null_turns_conversion_off(call: Call, rates: None) -> None:
    _add(call, "10.00", "USD", "2026-10-29")
    call("PUT", "/profile", body={"baseCurrency": "EUR", "defaultCurrency": "GBP"})
    assert "baseCurrency" not in call("PUT", "/profile", body={"baseCurrency": None}).json
    assert call("GET", "/profile").json["defaultCurrency"] == "GBP"
    assert "converted" not in _summary(call)


def test_an_empty_profile_update_is_a_400(call: Call) -> None:
    assert call("PUT", "/profile", body={}).status == 400
