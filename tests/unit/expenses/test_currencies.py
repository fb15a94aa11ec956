"""Money in each currency's own units: ISO 4217 minor units on input, storage, JSON, CSV and the lake."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from outlay.logic.csv_export import expense_row
from outlay.logic.currencies import CURRENCIES, PAYABLE, TABLE_PUBLISHED
from outlay.logic.errors import InvalidInputError
from outlay.logic.expenses import build_expense
from outlay.logic.lake import lake_line
from outlay.logic.money import MAX_AMOUNT, MoneyError, check_currency, money_text, to_money
from outlay.models.expenses import CreateExpenseRequest, Expense
from pydantic import ValidationError

from tests.unit.expenses.expense_events import Call

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
TABLE = sorted(PAYABLE)


def test_table_is_complete_and_has_the_well_known_exponents() -> None:
    assert TABLE_PUBLISHED >= "2026-01-01"
    assert len(PAYABLE) > 150  # the whole of ISO 4217 List One, not a short list
    units = {code: CURRENCIES[code].minor_units for code in ("JPY", "KRW", "USD", "EUR", "KWD", "BHD", "OMR")}
    assert units == {"JPY": 0, "KRW": 0, "USD": 2, "EUR": 2, "KWD": 3, "BHD": 3, "OMR": 3}
    assert CURRENCIES["CLF"].minor_units == 4
    assert {"XAU", "XAG", "XDR", "XXX", "XTS"} <= set(CURRENCIES) - PAYABLE  # "N.A." in ISO 4217
    assert {"BGN", "ANG", "ZWL"} <= PAYABLE  # withdrawn, kept so older expenses stay readable


@pytest.mark.parametrize("code", ["XAU", "xdr", "XXX"])
def test_codes_without_minor_units_are_refused_saying_why(code: str) -> None:
    with pytest.raises(MoneyError, match="no minor unit"):
        check_currency(code)


def _request(amount: str, currency: str) -> CreateExpenseRequest:
    body = '{"amount": ' + amount + ', "currency": "' + currency + '", "category": "Food"}'
    return CreateExpenseRequest.model_validate(json.loads(body, parse_float=Decimal))


@settings(max_examples=200, deadline=None)
@given(
    currency=st.sampled_from(TABLE),
    units=st.integers(min_value=1, max_value=10**9),
    extra_digit=st.integers(min_value=1, max_value=9),
)
def test_exactly_the_currencys_digits_are_accepted_and_one_more_refused(
    currency: str, units: int, extra_digit: int
) -> None:
    places = CURRENCIES[currency].minor_units
    assert places is not None
    value = Decimal(units).scaleb(-places)
    if value > MAX_AMOUNT:
        return
    literal = f"{value:f}"
    expense = build_expense(_request(literal, currency), category="Food", default_currency=None, now=NOW)
    assert expense.amount == value
    assert money_text(expense.amount, currency) == literal
    assert expense.model_dump(mode="json")["amount"] == literal

    one_more = literal + ("." if places == 0 else "") + str(extra_digit)
    with pytest.raises((ValidationError, InvalidInputError)) as refused:
        build_expense(_request(one_more, currency), category="Food", default_currency=None, now=NOW)
    if isinstance(refused.value, InvalidInputError):
        assert [d["field"] for d in refused.value.details] == ["amount"]
    else:
        assert [e["loc"] for e in refused.value.errors()] == [("amount",)]
    with pytest.raises(MoneyError):
        to_money(one_more, currency=currency)


def test_trailing_zeros_are_the_same_value_and_are_shown_in_the_currencys_digits() -> None:
    assert to_money("12.5", currency="USD") == Decimal("12.50")
    assert money_text(to_money("1200.00", currency="JPY"), "JPY") == "1200"
    assert money_text(Decimal("12.5"), "USD") == "12.50"  # DynamoDB hands back 12.5


def test_an_amount_stored_with_more_digits_than_its_currency_is_never_rounded() -> None:
    # Written before amounts followed minor units (JPY was forced to 2 decimals): shown as stored.
    assert money_text(Decimal("5.50"), "JPY") == "5.5"
    assert money_text(Decimal("1200.00"), "JPY") == "1200"


def _expense(amount: str, currency: str) -> Expense:
    return Expense(
        id="e1",
        date=date(2026, 2, 3),
        amount=Decimal(amount),
        currency=currency,
        category="Travel",
        vendor="=cmd",
        created_at=NOW,
        updated_at=NOW,
    )


@pytest.mark.parametrize(("amount", "currency", "text"), [("1.234", "KWD", "1.234"), ("1200", "JPY", "1200")])
def test_csv_and_lake_keep_the_exact_digits(amount: str, currency: str, text: str) -> None:
    expense = _expense(amount, currency)
    assert expense_row(expense)[2:4] == [text, currency]
    line = lake_line("sub-1", expense)
    assert f'"amount":{text},' in line
    assert json.loads(line, parse_float=Decimal)["amount"] == Decimal(amount)


# ------------------------------------------------------------------------------- through the API


def test_jpy_with_decimals_is_a_400_naming_amount(call: Call) -> None:
    reply = call("POST", "/expenses", body={"amount": "5.50", "currency": "JPY", "category": "Food"})
    assert reply.status == 400
    assert [d["field"] for d in reply.json["details"]] == ["amount"]
    assert "no decimal places in JPY" in reply.json["details"][0]["message"]
    assert call("GET", "/expenses").json["items"] == []


def test_the_profile_currency_decides_the_digits_when_none_is_sent(call: Call) -> None:
    call("PUT", "/profile", body={"defaultCurrency": "JPY"})
    reply = call("POST", "/expenses", body={"amount": "5.50", "category": "Food"})
    assert reply.status == 400 and reply.json["details"][0]["field"] == "amount"
    assert call("POST", "/expenses", body={"amount": 500, "category": "Food"}).json["amount"] == "500"


def test_jpy_and_kwd_are_saved_and_summed_exactly(call: Call) -> None:
    for amount, currency in (("5", "JPY"), ("1200", "JPY"), ("1.234", "KWD"), ("0.001", "KWD")):
        body = {"amount": amount, "currency": currency, "category": "Food", "date": "2026-02-03"}
        created = call("POST", "/expenses", body=body)
        assert created.status == 201, created.text
        assert created.json["amount"] == amount
        assert call("GET", f"/expenses/{created.json['id']}").json["amount"] == amount
    totals = call("GET", "/summary", query={"from": "2026-02", "to": "2026-02"}).json["totals"]
    assert totals == [{"currency": "JPY", "total": "1205"}, {"currency": "KWD", "total": "1.235"}]


def test_changing_the_currency_checks_the_amounts_digits(call: Call) -> None:
    created = call("POST", "/expenses", body={"amount": "5.50", "currency": "USD", "category": "Food"}).json
    reply = call("PATCH", f"/expenses/{created['id']}", body={"currency": "JPY"})
    assert reply.status == 400 and reply.json["details"][0]["field"] == "currency"
    ok = call("PATCH", f"/expenses/{created['id']}", body={"currency": "JPY", "amount": 6})
    assert ok.status == 200 and (ok.json["amount"], ok.json["currency"]) == ("6", "JPY")


def test_metal_codes_are_a_400_naming_currency(call: Call) -> None:
    reply = call("POST", "/expenses", body={"amount": "1", "currency": "XAU", "category": "Food"})
    assert reply.status == 400 and [d["field"] for d in reply.json["details"]] == ["currency"]


def test_currencies_endpoint_lists_the_minor_units(call: Call) -> None:
    body = call("GET", "/currencies").json
    units = {item["code"]: item["minorUnits"] for item in body["items"]}
    assert (units["JPY"], units["USD"], units["KWD"]) == (0, 2, 3)
    assert "XAU" not in units and body["published"] == TABLE_PUBLISHED
