"""Calendar months as Cost Explorer sees them: pure functions, no clock reads (callers pass `today`).

A month is the string "YYYY-MM". Cost Explorer's `TimePeriod.End` is EXCLUSIVE, so a month's period
is [first day of the month, first day of the next month): ending on the last day would drop it.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

from outlay.logic.errors import InvalidInputError

MONTH_PATTERN = r"^(19[0-9]{2}|2[0-9]{3})-(0[1-9]|1[0-2])$"  # years 1900-2999, as dates
FIRST_MONTH = "1900-01"
_MONTH_RE = re.compile(MONTH_PATTERN)

# Cost Explorer keeps about 13 months of history (14 with the current one); a backfill is capped here.
MAX_BACKFILL_MONTHS = 12


def parse_month(value: str) -> tuple[int, int]:
    """ "2026-10" -> (2026, 10); anything else raises InvalidInputError naming the expected shape."""
    if not isinstance(value, str) or not _MONTH_RE.match(value):
        raise InvalidInputError(
            "A month must look like YYYY-MM (for example 2026-10)",
            [{"field": "month", "message": "expected YYYY-MM"}],
        )
    year, month = int(value[:4]), int(value[5:7])
    if year < 1:
        raise InvalidInputError("Year out of range", [{"field": "month", "message": "year out of range"}])
    return year, month


def format_month(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def month_of(day: date) -> str:
    return format_month(day.year, day.month)


def add_months(value: str, delta: int) -> str:
    year, month = parse_month(value)
    index = year * 12 + (month - 1) + delta
    return format_month(index // 12, index % 12 + 1)


def previous_month(today: date) -> str:
    """The month before `today`'s month: what the scheduled import on the 1st fetches."""
    return add_months(month_of(today), -1)


def first_day(value: str) -> date:
    year, month = parse_month(value)
    return date(year, month, 1)


def last_day(value: str) -> date:
    year, month = parse_month(value)
    return date(year, month, calendar.monthrange(year, month)[1])


def next_first_day(value: str) -> date:
    """The exclusive end of the month's Cost Explorer period."""
    return first_day(add_months(value, 1))


def period(value: str) -> dict[str, str]:
    """Cost Explorer TimePeriod for the whole month (End exclusive)."""
    return {"Start": first_day(value).isoformat(), "End": next_first_day(value).isoformat()}


def month_label(value: str) -> str:
    """ "2026-10" -> "October 2026" (English month names, independent of the process locale)."""
    year, month = parse_month(value)
    return f"{_MONTH_NAMES[month - 1]} {year}"


_MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def months_between(start: str, end: str) -> list[str]:
    """Inclusive list of months from `start` to `end` (start <= end)."""
    out = []
    current = start
    while current <= end:
        out.append(current)
        current = add_months(current, 1)
    return out


def import_months(
    today: date, *, month: str | None = None, start: str | None = None, end: str | None = None
) -> list[str]:
    """The months an import request asks for, validated against `today`.

    `{}` -> the previous month; `month` -> that month; `start`/`end` -> that inclusive range of at most
    MAX_BACKFILL_MONTHS. Only months up to the previous month are allowed: the current month is not
    finished, so importing it would store a partial bill under the month's last day.
    """
    latest = previous_month(today)
    if month is not None and (start is not None or end is not None):
        raise InvalidInputError(
            "Give either month or from/to, not both",
            [{"field": "month", "message": "not allowed together with from/to"}],
        )
    if month is None and start is None and end is None:
        return [latest]
    if month is not None:
        parse_month(month)
        months = [month]
    else:
        if start is None or end is None:
            missing = "from" if start is None else "to"
            raise InvalidInputError(
                "A backfill needs both from and to (YYYY-MM)",
                [{"field": missing, "message": "required with the other bound"}],
            )
        parse_month(start)
        parse_month(end)
        if start > end:
            raise InvalidInputError("from must not be after to", [{"field": "from", "message": "after to"}])
        months = months_between(start, end)
        if len(months) > MAX_BACKFILL_MONTHS:
            raise InvalidInputError(
                f"A backfill covers at most {MAX_BACKFILL_MONTHS} months; "
                f"{start}..{end} is {len(months)} months",
                [{"field": "to", "message": f"range longer than {MAX_BACKFILL_MONTHS} months"}],
            )
    if months[-1] > latest:
        raise InvalidInputError(
            f"Only finished months can be imported: the latest is {latest} "
            f"(the current month {month_of(today)} is still being billed)",
            [{"field": "month" if month is not None else "to", "message": f"after {latest}"}],
        )
    return months
