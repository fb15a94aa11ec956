"""Recurring rules: date arithmetic and what a run materializes. Pure: no boto3, no clock.

A rule repeats every `every` days, weeks or months from its start date, up to an optional end date
(inclusive). Monthly rules fall on `day_of_month` (default: the start date's day); a month that has
no such day takes its last day instead (day 31 -> 30 April, 28/29 February), and the next month
returns to the rule's day. The first occurrence is the first such date on or after the start.

Each occurrence is an ordinary expense whose id is the rule id plus the occurrence date
(`occurrence_id`), so a run that repeats a day finds the expense already there and writes nothing.
A run materializes every occurrence from the rule's `next_due` through today, but at most
`CATCH_UP_DAYS` back: a longer outage (or a start date further in the past) skips the older dates
rather than writing an unbounded backlog in one run. Inside an API request (creating a rule, "run
now") at most `REQUEST_LIMIT` occurrences per rule are written; the daily run writes the rest.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

Unit = Literal["day", "week", "month"]
# What writing one occurrence did: written now, already there, or deleted by the user (dismissed).
OnceResult = Literal["created", "exists", "dismissed"]

# How far back a run catches up missed occurrences (a quarter: a daily rule writes at most 93).
CATCH_UP_DAYS = 92
OCCURRENCE_PREFIX = "rec-"
# Occurrences one rule writes inside one API request (the daily run has no such limit).
REQUEST_LIMIT = 12


@dataclass(frozen=True)
class Schedule:
    every: int
    unit: Unit
    start: date
    end: date | None = None
    day_of_month: int | None = None  # months only; None = the start date's day

    @property
    def anchor_day(self) -> int:
        return self.day_of_month or self.start.day


def add_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def clamped(year: int, month: int, day: int) -> date:
    """`day` of that month, or the month's last day when it has fewer days (31 -> 28/29 February)."""
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def _nth(schedule: Schedule, k: int) -> date:
    """The k-th date of the unfiltered sequence (k >= 0)."""
    if schedule.unit == "month":
        year, month = add_months(schedule.start.year, schedule.start.month, k * schedule.every)
        return clamped(year, month, schedule.anchor_day)
    step = schedule.every * (7 if schedule.unit == "week" else 1)
    return schedule.start + timedelta(days=k * step)


def first_on_or_after(schedule: Schedule, day: date) -> date | None:
    """The first occurrence on or after `day` (and on or after the start); None past the end."""
    target = max(day, schedule.start)
    if schedule.unit == "month":
        months_apart = (target.year - schedule.start.year) * 12 + target.month - schedule.start.month
        k = max(0, months_apart // schedule.every - 1)
        found = _nth(schedule, k)
        while found < target:
            k += 1
            found = _nth(schedule, k)
    else:
        step = schedule.every * (7 if schedule.unit == "week" else 1)
        k = -(-(target - schedule.start).days // step)  # ceiling division
        found = _nth(schedule, k)
    if schedule.end is not None and found > schedule.end:
        return None
    return found


def next_after(schedule: Schedule, day: date) -> date | None:
    return first_on_or_after(schedule, day + timedelta(days=1))


def occurrence_id(rule_id: str, day: date) -> str:
    """Deterministic: the same rule and date always give the same expense id."""
    return f"{OCCURRENCE_PREFIX}{rule_id}-{day:%Y%m%d}"


@dataclass(frozen=True)
class Plan:
    """What one run does for one rule."""

    dates: tuple[date, ...]  # occurrences to materialize, oldest first
    next_due: date | None  # the rule's next occurrence after this run (None: the rule has ended)
    skipped_before: date | None  # occurrences before this date were older than the catch-up bound


def plan_run(schedule: Schedule, next_due: date | None, today: date, limit: int | None = None) -> Plan:
    """The occurrences due by `today` from `next_due` on, at most CATCH_UP_DAYS old; with `limit`, at
    most that many (the rest stay due: `next_due` is the first one not written)."""
    if next_due is None:
        return Plan((), None, None)
    cutoff = today - timedelta(days=CATCH_UP_DAYS)
    skipped = None
    current: date | None = next_due
    if next_due < cutoff:
        skipped = cutoff
        current = first_on_or_after(schedule, cutoff)
    dates: list[date] = []
    while current is not None and current <= today and (limit is None or len(dates) < limit):
        dates.append(current)
        current = next_after(schedule, current)
    return Plan(tuple(dates), current, skipped)
