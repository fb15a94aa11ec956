"""Monthly aggregates: the deltas an expense write applies, month ranges, and the summary response."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TypeVar

from outlay.logic.errors import InvalidInputError
from outlay.logic.months import FIRST_MONTH, MONTH_PATTERN, add_months, month_of
from outlay.logic.search import fold
from outlay.models.expenses import CurrencyTotal, Expense, Summary, SummaryItem

_MONTH = re.compile(MONTH_PATTERN)
DEFAULT_MONTHS = 12
MAX_MONTHS = 120


@dataclass(frozen=True, order=True)
class AggregateKey:
    month: str
    currency: str
    category: str


@dataclass(frozen=True)
class Delta:
    total: Decimal
    count: int


def aggregate_key(expense: Expense) -> AggregateKey:
    return AggregateKey(expense.month, expense.currency, expense.category)


@dataclass(frozen=True, order=True)
class DayKey:
    """The daily aggregate of an expense (`tables.day_sk`): what base-currency conversion reads."""

    day: str
    currency: str
    category: str


def day_key(expense: Expense) -> DayKey:
    return DayKey(expense.date.isoformat(), expense.currency, expense.category)


def aggregate_deltas(old: Expense | None, new: Expense | None) -> dict[AggregateKey, Delta]:
    """What replacing `old` by `new` (either may be None) does to the monthly aggregates.

    One entry per touched aggregate item (so one transaction never updates the same item twice);
    entries with nothing to change are dropped.
    """
    return _deltas(old, new, aggregate_key)


def day_deltas(old: Expense | None, new: Expense | None) -> dict[DayKey, Delta]:
    """The same for the daily aggregates."""
    return _deltas(old, new, day_key)


_Key = TypeVar("_Key", AggregateKey, DayKey)


def _deltas(old: Expense | None, new: Expense | None, key_of: Callable[[Expense], _Key]) -> dict[_Key, Delta]:
    totals: dict[_Key, Decimal] = defaultdict(Decimal)
    counts: dict[_Key, int] = defaultdict(int)
    if old is not None:
        key = key_of(old)
        totals[key] -= old.amount
        counts[key] -= 1
    if new is not None:
        key = key_of(new)
        totals[key] += new.amount
        counts[key] += 1
    return {
        key: Delta(totals[key], counts[key]) for key in sorted(totals) if totals[key] != 0 or counts[key] != 0
    }


def month_range(start: str | None, end: str | None, today: date) -> tuple[str, str]:
    """Validated inclusive month range; default = the last 12 months up to and including this one."""
    for name, value in (("from", start), ("to", end)):
        if value is not None and not _MONTH.match(value):
            raise InvalidInputError(
                f"{name} must be a month YYYY-MM", [{"field": name, "message": "expected YYYY-MM"}]
            )
    if end is None:
        end = add_months(start, DEFAULT_MONTHS - 1) if start else month_of(today)
    if start is None:
        start = max(add_months(end, -(DEFAULT_MONTHS - 1)), FIRST_MONTH)
    if start > end:
        raise InvalidInputError("from must not be after to", [{"field": "from", "message": "after to"}])
    if add_months(start, MAX_MONTHS - 1) < end:
        raise InvalidInputError(
            f"A summary covers at most {MAX_MONTHS} months", [{"field": "from", "message": "range too long"}]
        )
    return start, end


def build_summary(
    start: str,
    end: str,
    items: Iterable[SummaryItem],
    category: str | None = None,
    currency: str | None = None,
) -> Summary:
    """Sorted items (empty aggregates dropped) and totals per currency, never converted; limited to
    one category (case- and accent-insensitive) and/or one currency when given, and saying so."""
    wanted = fold(category) if category else None
    kept = sorted(
        (
            item
            for item in items
            if item.count > 0
            and (wanted is None or fold(item.category) == wanted)
            and (currency is None or item.currency == currency)
        ),
        key=lambda i: (i.month, i.category, i.currency),
    )
    per_currency: dict[str, Decimal] = defaultdict(Decimal)
    for item in kept:
        per_currency[item.currency] += item.total
    totals = [CurrencyTotal(currency=c, total=t) for c, t in sorted(per_currency.items())]
    return Summary.model_validate(
        {
            "from": start,
            "to": end,
            "category": category,
            "currency": currency,
            "items": kept,
            "totals": totals,
        }
    )


def expected_summary(expenses: Iterable[Expense]) -> dict[AggregateKey, Delta]:
    """Recompute aggregates from expenses (used to verify and to repair aggregates)."""
    totals: dict[AggregateKey, Decimal] = defaultdict(Decimal)
    counts: dict[AggregateKey, int] = defaultdict(int)
    for expense in expenses:
        key = aggregate_key(expense)
        totals[key] += expense.amount
        counts[key] += 1
    return {key: Delta(totals[key], counts[key]) for key in sorted(totals)}
