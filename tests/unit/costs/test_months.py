"""Month arithmetic the import depends on: previous month, exclusive period end, request validation."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from outlay.logic import months
from outlay.logic.errors import InvalidInputError

# Two years inside the accepted 1900-2999, so adding or taking +-24 months stays a valid month.
days = st.dates(min_value=date(1902, 1, 1), max_value=date(2997, 12, 31))
month_strings = days.map(months.month_of)


@given(days)
def test_previous_month_is_the_month_containing_the_day_before_the_first(today: date) -> None:
    expected = today.replace(day=1) - timedelta(days=1)
    assert months.previous_month(today) == expected.strftime("%Y-%m")


@given(month_strings)
def test_period_end_is_exclusive_first_day_of_next_month(month: str) -> None:
    p = months.period(month)
    start, end = date.fromisoformat(p["Start"]), date.fromisoformat(p["End"])
    assert start.day == 1 and end.day == 1
    assert end - timedelta(days=1) == months.last_day(month)  # the last day is inside the period
    assert months.month_of(end - timedelta(days=1)) == month
    assert (end - start).days in {28, 29, 30, 31}


@given(month_strings)
def test_parse_and_format_round_trip(month: str) -> None:
    assert months.format_month(*months.parse_month(month)) == month


@given(month_strings, st.integers(min_value=-24, max_value=24))
def test_add_months_inverts(month: str, delta: int) -> None:
    assert months.add_months(months.add_months(month, delta), -delta) == month


@pytest.mark.parametrize(
    "bad", ["2026-13", "2026-00", "2026-1", "26-10", "2026/10", "", "2026-10-01", "abcd-ef"]
)
def test_parse_month_rejects_malformed(bad: str) -> None:
    with pytest.raises(InvalidInputError, match="YYYY-MM"):
        months.parse_month(bad)


def test_leap_february_and_december_rollover() -> None:
    assert months.period("2028-02") == {"Start": "2028-02-01", "End": "2028-03-01"}
    assert months.last_day("2028-02") == date(2028, 2, 29)
    assert months.period("2026-12") == {"Start": "2026-12-01", "End": "2027-01-01"}
    assert months.previous_month(date(2027, 1, 1)) == "2026-12"
    assert months.month_label("2026-10") == "October 2026"


TODAY = date(2026, 11, 21)


def test_import_months_default_is_previous_month() -> None:
    assert months.import_months(TODAY) == ["2026-10"]


def test_import_months_range_inclusive_and_capped() -> None:
    assert months.import_months(TODAY, start="2025-11", end="2026-10") == months.months_between(
        "2025-11", "2026-10"
    )
    assert len(months.import_months(TODAY, start="2025-11", end="2026-10")) == 12
    with pytest.raises(InvalidInputError, match="at most 12 months"):
        months.import_months(TODAY, start="2025-10", end="2026-10")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"month": "2026-11"}, "Only finished months"),  # current month
        ({"month": "2027-01"}, "Only finished months"),  # future
        ({"start": "2026-09", "end": "2026-11"}, "Only finished months"),
        ({"start": "2026-09"}, "needs both from and to"),
        ({"start": "2026-10", "end": "2026-09"}, "must not be after"),
        ({"month": "2026-10", "start": "2026-09", "end": "2026-10"}, "not both"),
    ],
)
def test_import_months_rejections(kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        months.import_months(TODAY, **kwargs)


@given(days, st.integers(min_value=1, max_value=12))
def test_any_accepted_backfill_ends_before_the_current_month(today: date, length: int) -> None:
    end = months.previous_month(today)
    start = months.add_months(end, -(length - 1))
    got = months.import_months(today, start=start, end=end)
    assert len(got) == length and got[-1] < months.month_of(today)
