"""Pure summary rules: month ranges and aggregate deltas."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from outlay.logic.errors import InvalidInputError
from outlay.logic.summary import AggregateKey, Delta, aggregate_deltas, month_range
from outlay.models.expenses import Expense

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def exp(amount: str, day: str = "2026-03-01", category: str = "Food", currency: str = "USD") -> Expense:
    return Expense.model_validate(
        {
            "id": "e",
            "date": day,
            "amount": amount,
            "currency": currency,
            "category": category,
            "created_at": NOW,
            "updated_at": NOW,
        }
    )


def test_default_range_is_last_12_months_including_this_one() -> None:
    assert month_range(None, None, date(2026, 3, 15)) == ("2025-04", "2026-03")
    assert month_range("2025-01", None, date(2026, 3, 15)) == ("2025-01", "2025-12")
    assert month_range(None, "2026-01", date(2026, 3, 15)) == ("2025-02", "2026-01")


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        ("2026-13", None, "from"),
        (None, "26-01", "to"),
        ("2026-05", "2026-04", "from"),
        ("2000-01", "2026-01", "from"),
    ],
)
def test_bad_ranges_name_the_field(start: str | None, end: str | None, field: str) -> None:
    with pytest.raises(InvalidInputError) as excinfo:
        month_range(start, end, date(2026, 3, 15))
    assert excinfo.value.details[0]["field"] == field


def test_deltas_for_create_move_and_amount_change() -> None:
    food_march = AggregateKey("2026-03", "USD", "Food")
    assert aggregate_deltas(None, exp("5.00")) == {food_march: Delta(Decimal("5.00"), 1)}
    assert aggregate_deltas(exp("5.00"), exp("7.50")) == {food_march: Delta(Decimal("2.50"), 0)}
    assert aggregate_deltas(exp("5.00"), exp("5.00")) == {}
    moved = aggregate_deltas(exp("5.00"), exp("5.00", day="2026-04-01", category="Travel"))
    assert moved == {
        food_march: Delta(Decimal("-5.00"), -1),
        AggregateKey("2026-04", "USD", "Travel"): Delta(Decimal("5.00"), 1),
    }
