"""Recurring rules' date arithmetic and run plans (pure logic, no AWS)."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st
from outlay.logic.recurring import (
    CATCH_UP_DAYS,
    Schedule,
    first_on_or_after,
    next_after,
    occurrence_id,
    plan_run,
)


def dates(schedule: Schedule, through: date) -> list[date]:
    found: list[date] = []
    current = first_on_or_after(schedule, schedule.start)
    while current is not None and current <= through:
        found.append(current)
        current = next_after(schedule, current)
    return found


def test_day_31_falls_on_each_months_last_day_and_returns_to_31() -> None:
    monthly = Schedule(every=1, unit="month", start=date(2027, 1, 31))
    assert dates(monthly, date(2027, 5, 31)) == [
        date(2027, 1, 31),
        date(2027, 2, 28),
        date(2027, 3, 31),
        date(2027, 4, 30),
        date(2027, 5, 31),
    ]


def test_leap_february_takes_the_29th() -> None:
    monthly = Schedule(every=1, unit="month", start=date(2028, 1, 15), day_of_month=30)
    assert dates(monthly, date(2028, 3, 31)) == [date(2028, 1, 30), date(2028, 2, 29), date(2028, 3, 30)]


def test_day_of_month_before_the_start_day_begins_next_month() -> None:
    monthly = Schedule(every=1, unit="month", start=date(2026, 3, 20), day_of_month=5)
    assert dates(monthly, date(2026, 5, 31)) == [date(2026, 4, 5), date(2026, 5, 5)]


def test_every_two_weeks_and_every_three_days() -> None:
    fortnightly = Schedule(every=2, unit="week", start=date(2026, 1, 5))
    assert dates(fortnightly, date(2026, 2, 2)) == [date(2026, 1, 5), date(2026, 1, 19), date(2026, 2, 2)]
    three_days = Schedule(every=3, unit="day", start=date(2026, 1, 30))
    assert dates(three_days, date(2026, 2, 8)) == [
        date(2026, 1, 30),
        date(2026, 2, 2),
        date(2026, 2, 5),
        date(2026, 2, 8),
    ]


def test_every_quarter_across_a_year_end() -> None:
    quarterly = Schedule(every=3, unit="month", start=date(2026, 11, 30))
    assert dates(quarterly, date(2027, 8, 31)) == [
        date(2026, 11, 30),
        date(2027, 2, 28),
        date(2027, 5, 30),
        date(2027, 8, 30),
    ]


def test_end_date_is_inclusive_and_nothing_follows_it() -> None:
    weekly = Schedule(every=1, unit="week", start=date(2026, 6, 1), end=date(2026, 6, 15))
    assert dates(weekly, date(2026, 12, 31)) == [date(2026, 6, 1), date(2026, 6, 8), date(2026, 6, 15)]
    assert next_after(weekly, date(2026, 6, 15)) is None


def test_occurrence_ids_are_deterministic_and_differ_by_date() -> None:
    assert (
        occurrence_id("r1", date(2026, 2, 28)) == occurrence_id("r1", date(2026, 2, 28)) == "rec-r1-20260228"
    )
    assert occurrence_id("r1", date(2026, 3, 1)) != occurrence_id("r1", date(2026, 2, 28))


def test_a_run_writes_every_missed_occurrence_and_advances() -> None:
    daily = Schedule(every=1, unit="day", start=date(2026, 5, 1))
    plan = plan_run(daily, date(2026, 5, 1), date(2026, 5, 4))
    assert plan.dates == (date(2026, 5, 1), date(2026, 5, 2), date(2026, 5, 3), date(2026, 5, 4))
    assert plan.next_due == date(2026, 5, 5) and plan.skipped_before is None


def test_nothing_due_yet_writes_nothing() -> None:
    monthly = Schedule(every=1, unit="month", start=date(2026, 5, 10))
    plan = plan_run(monthly, date(2026, 5, 10), date(2026, 5, 9))
    assert plan.dates == () and plan.next_due == date(2026, 5, 10)


def test_catch_up_is_bounded_to_the_last_92_days() -> None:
    assert CATCH_UP_DAYS == 92
    daily = Schedule(every=1, unit="day", start=date(2025, 1, 1))
    today = date(2026, 1, 1)
    plan = plan_run(daily, date(2025, 1, 1), today)
    assert plan.dates[0] == today - timedelta(days=CATCH_UP_DAYS) and plan.dates[-1] == today
    assert len(plan.dates) == CATCH_UP_DAYS + 1
    assert plan.skipped_before == today - timedelta(days=CATCH_UP_DAYS)


def test_an_ended_rule_plans_nothing() -> None:
    weekly = Schedule(every=1, unit="week", start=date(2026, 1, 1), end=date(2026, 1, 1))
    assert plan_run(weekly, None, date(2026, 3, 1)).dates == ()
    last = plan_run(weekly, date(2026, 1, 1), date(2026, 3, 1))
    assert last.dates == (date(2026, 1, 1),) and last.next_due is None


schedules = st.builds(
    Schedule,
    every=st.integers(1, 14),
    unit=st.sampled_from(["day", "week", "month"]),
    start=st.dates(date(2020, 1, 1), date(2030, 12, 31)),
    end=st.none() | st.dates(date(2020, 1, 1), date(2032, 12, 31)),
    day_of_month=st.none() | st.integers(1, 31),
)


@given(schedules, st.integers(0, 400))
def test_occurrences_increase_stay_in_range_and_monthly_days_clamp(schedule: Schedule, span: int) -> None:
    found = dates(schedule, schedule.start + timedelta(days=span))
    assert found == sorted(set(found))
    assert all(d >= schedule.start for d in found)
    assert schedule.end is None or all(d <= schedule.end for d in found)
    if schedule.unit == "month":
        for d in found:
            assert d.day == min(schedule.anchor_day, calendar.monthrange(d.year, d.month)[1])
    for earlier, later in pairwise(found):
        assert next_after(schedule, earlier) == later


@given(schedules, st.integers(0, 120), st.lists(st.integers(0, 120), max_size=6))
def test_daily_runs_write_the_same_dates_as_one_late_run(
    schedule: Schedule, span: int, run_days: list[int]
) -> None:
    """Running on any set of days (repeats included) and then on the last day writes each occurrence
    once, the same as one run on the last day (within the catch-up bound)."""
    last = schedule.start + timedelta(days=min(span, CATCH_UP_DAYS))
    first_due = first_on_or_after(schedule, schedule.start)
    written: list[date] = []
    due = first_due
    for offset in [*sorted(run_days), span]:
        today = min(schedule.start + timedelta(days=offset), last)
        plan = plan_run(schedule, due, today)
        written.extend(plan.dates)
        due = plan.next_due
    assert written == list(plan_run(schedule, first_due, last).dates)
    assert len(written) == len(set(written))


@pytest.mark.parametrize("year", [2026, 2028])
def test_february_clamps_to_its_own_length(year: int) -> None:
    monthly = Schedule(every=1, unit="month", start=date(year, 1, 31))
    assert dates(monthly, date(year, 2, 28 if year == 2026 else 29))[-1].day == (28 if year == 2026 else 29)


def test_a_limited_run_leaves_the_rest_due() -> None:
    daily = Schedule(every=1, unit="day", start=date(2026, 5, 1))
    plan = plan_run(daily, date(2026, 5, 1), date(2026, 5, 20), limit=3)
    assert plan.dates == (date(2026, 5, 1), date(2026, 5, 2), date(2026, 5, 3))
    assert plan.next_due == date(2026, 5, 4)
    rest = plan_run(daily, plan.next_due, date(2026, 5, 20))
    assert rest.dates[0] == date(2026, 5, 4) and rest.dates[-1] == date(2026, 5, 20)
