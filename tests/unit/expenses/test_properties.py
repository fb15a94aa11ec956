"""Property tests: money/date validation, and the summary invariant under random write sequences."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import boto3
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from moto import mock_aws
from outlay import tables
from outlay.dal.expenses_repo import ExpensesRepository
from outlay.logic.errors import InvalidInputError
from outlay.logic.expenses import build_expense
from outlay.logic.money import MAX_AMOUNT, MoneyError, to_money
from outlay.logic.summary import expected_summary
from outlay.models.expenses import CreateExpenseRequest, Expense
from outlay.models.queries import ExpenseFilters
from pydantic import ValidationError

from tests.unit.conftest import create_table

FAST = settings(max_examples=50, deadline=None)

cents = st.integers(min_value=1, max_value=int(MAX_AMOUNT * 100))


def parse_body(text: str) -> CreateExpenseRequest:
    """What the handler does: JSON fractions as Decimal, then the request model."""
    return CreateExpenseRequest.model_validate(json.loads(text, parse_float=Decimal))


@FAST
@given(cents=cents, as_string=st.booleans(), trailing_zero=st.booleans())
def test_valid_amounts_are_accepted_exactly(cents: int, as_string: bool, trailing_zero: bool) -> None:
    value = Decimal(cents).scaleb(-2)
    literal = f"{value:f}" + ("0" if trailing_zero else "")
    body = (
        json.dumps({"amount": literal, "category": "Food"})
        if as_string
        else ('{"amount": ' + literal + ', "category": "Food"}')
    )
    request = parse_body(body)
    assert request.amount == value
    expense = build_expense(request, category="Food", default_currency="USD", now=datetime.now(UTC))
    assert expense.model_dump(mode="json")["amount"] == f"{value:.2f}"


@FAST
@given(units=st.integers(min_value=1, max_value=10**12), places=st.integers(min_value=3, max_value=8))
def test_more_than_two_decimal_places_in_usd_is_rejected_naming_amount(units: int, places: int) -> None:
    value = Decimal(units).scaleb(-places)
    if value == value.quantize(Decimal("0.01")) or value > MAX_AMOUNT:
        return  # e.g. 1.000: still two places of value
    body = '{"amount": ' + f"{value:f}" + ', "currency": "USD", "category": "Food"}'
    # More than any currency has (4) is refused by the request model; 3-4 places by USD's rule.
    with pytest.raises((ValidationError, InvalidInputError)) as excinfo:
        build_expense(parse_body(body), category="Food", default_currency=None, now=datetime.now(UTC))
    error = excinfo.value
    fields = (
        [d["field"] for d in error.details]
        if isinstance(error, InvalidInputError)
        else [".".join(map(str, e["loc"])) for e in error.errors()]
    )
    assert fields == ["amount"]


@FAST
@given(
    amount=st.one_of(
        st.integers(max_value=0).map(str),
        st.decimals(max_value=Decimal("-0.01"), places=2, allow_nan=False).map(str),
        st.integers(min_value=int(MAX_AMOUNT) + 1, max_value=10**30).map(str),
        st.sampled_from(
            ["NaN", "Infinity", "-Infinity", "1e3", "1_000", "", " ", "12.5.1", "0x10", "--1", "nan"]
        ),
    )
)
def test_invalid_amounts_are_rejected(amount: str) -> None:
    with pytest.raises(MoneyError):
        to_money(amount)
    with pytest.raises(ValidationError):
        CreateExpenseRequest.model_validate({"amount": amount, "category": "Food"})


def test_json_nan_and_infinity_tokens_are_rejected() -> None:
    for token in ("NaN", "Infinity", "-Infinity"):
        with pytest.raises(ValidationError):
            parse_body('{"amount": ' + token + ', "category": "Food"}')


@FAST
@given(day=st.dates(min_value=date(1900, 1, 1), max_value=date(2999, 12, 31)))
def test_iso_dates_round_trip(day: date) -> None:
    request = CreateExpenseRequest.model_validate(
        {"amount": "1", "category": "Food", "date": day.isoformat()}
    )
    assert request.date == day


@FAST
@given(
    text=st.one_of(
        st.text(max_size=12),
        st.integers().map(str),
        st.sampled_from(["2026-02-29", "2026-13-01", "2026-1-01", "20260101", "2026-01-01T00:00:00"]),
    )
)
def test_non_iso_dates_are_rejected(text: str) -> None:
    try:
        parsed = date.fromisoformat(text)
        valid = len(text) == 10 and 1900 <= parsed.year <= 2999
    except ValueError:
        valid = False
    if valid:
        return
    with pytest.raises(ValidationError) as excinfo:
        CreateExpenseRequest.model_validate({"amount": "1", "category": "Food", "date": text})
    assert ("date",) in [e["loc"] for e in excinfo.value.errors()]


# --------------------------------------------------------------------------- summary invariant

IDS = [f"e{n}" for n in range(6)]
NOW = datetime(2026, 6, 1, tzinfo=UTC)
expense_fields = st.fixed_dictionaries(
    {
        "amount": st.integers(min_value=1, max_value=100_000).map(lambda c: Decimal(c).scaleb(-2)),
        "currency": st.sampled_from(["USD", "EUR"]),
        "category": st.sampled_from(["Food", "Travel", "Software"]),
        "date": st.integers(min_value=0, max_value=120).map(lambda d: date(2026, 1, 1) + timedelta(days=d)),
    }
)
operation = st.one_of(
    st.tuples(st.just("create"), st.sampled_from(IDS), expense_fields),
    st.tuples(st.just("update"), st.sampled_from(IDS), expense_fields),
    st.tuples(st.just("delete"), st.sampled_from(IDS), st.just({})),
    st.tuples(
        st.just("upsert"),
        st.sampled_from(["aws-1", "aws-2"]),
        expense_fields.map(lambda f: {**f, "amount": -f["amount"] if f["amount"] < 5 else f["amount"]}),
    ),
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(operation, min_size=1, max_size=12))
def test_summary_equals_sum_of_surviving_expenses(
    aws_env: None, ops: list[tuple[str, str, dict[str, Any]]]
) -> None:
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        create_table(client, tables.EXPENSES_TABLE, "prop")
        repo = ExpensesRepository("prop", client)
        model: dict[str, Expense] = {}
        for kind, expense_id, fields in ops:
            exists = expense_id in model
            if kind == "create" and not exists:
                model[expense_id] = repo.create(
                    "alice", Expense(id=expense_id, created_at=NOW, updated_at=NOW, **fields)
                )
            elif kind == "update" and exists:
                model[expense_id] = repo.update("alice", expense_id, fields)
            elif kind == "delete" and exists:
                repo.delete("alice", expense_id)
                del model[expense_id]
            elif kind == "upsert":
                expense = Expense(id=expense_id, created_at=NOW, updated_at=NOW, source="aws", **fields)
                # A deleted imported line stays dismissed; a stored one keeps the user's edits.
                if repo.upsert("alice", expense) != "dismissed_skipped":
                    model[expense_id] = repo.get("alice", expense_id)
        summary = repo.summary("alice", "2026-01", "2026-12")
        actual = {(i.month, i.currency, i.category): (i.total, i.count) for i in summary.items}
        stored = list(repo.iter_expenses("alice", ExpenseFilters()))
        assert {e.id: e.amount for e in stored} == {k: v.amount for k, v in model.items()}
        expected = {
            (k.month, k.currency, k.category): (d.total, d.count) for k, d in expected_summary(stored).items()
        }
        assert actual == expected
        assert all(count > 0 for _, count in actual.values())
