"""Totals in a base currency: the daily aggregates of the months shown, each day at its ECB rate.

Why per day-bucket at read time (and not a converted aggregate kept at write time):
- a read costs O(days x currencies x categories shown) items (about 365 x a few for a year), never
  the expenses themselves, plus 2 rate queries (one item per ECB day);
- changing the base currency costs nothing: no recompute job, no stale window;
- an expense dated today (before ECB publishes, ~16:00 CET) converts at the newest rate, marked
  provisional, and the right rate applies by itself once the daily function has stored it.

Budgets and other features that need a converted total call `Conversions.convert` (many months,
categories) or `outlay.logic.fx.convert_amount` (one amount).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol

from outlay.logic.fx import DayBucket, RateBook, convert_buckets
from outlay.logic.months import add_months
from outlay.logic.search import fold
from outlay.models.expenses import SummaryItem
from outlay.models.fx import ConvertedItem, ConvertedSummary, RateUsedView, UnconvertedTotal


class DayTotals(Protocol):
    def day_buckets(self, sub: str, start: str, end: str) -> list[DayBucket]: ...


class RateSource(Protocol):
    def book_for(self, start: date, end: date) -> RateBook: ...


def month_days(start_month: str, end_month: str) -> tuple[date, date]:
    """First day of `start_month`, last day of `end_month` (YYYY-MM)."""
    first = date.fromisoformat(f"{start_month}-01")
    after = date.fromisoformat(f"{add_months(end_month, 1)}-01")
    return first, date.fromordinal(after.toordinal() - 1)


@dataclass
class Conversions:
    days: DayTotals
    rates: RateSource

    def convert(
        self,
        sub: str,
        start_month: str,
        end_month: str,
        base: str,
        *,
        category: str | None = None,
        currency: str | None = None,
        monthly: list[SummaryItem] | None = None,
    ) -> ConvertedSummary:
        """The user's totals of whole months `start_month`..`end_month` in `base`, per month x
        category, limited to one category (folded, as summaries compare) and/or source currency.

        `monthly` (the same range's monthly aggregates, already read by the summary) lets the answer
        say how many expenses are missing from the daily totals."""
        first, last = month_days(start_month, end_month)
        wanted = fold(category) if category else None
        buckets = [
            b
            for b in self.days.day_buckets(sub, first.isoformat(), last.isoformat())
            if (wanted is None or fold(b.category) == wanted) and (currency is None or b.currency == currency)
        ]
        book = self.rates.book_for(first, last) if buckets else RateBook({})
        result = convert_buckets(buckets, base, book)
        counted = sum(b.count for b in buckets if b.count > 0)
        expected = sum(i.count for i in monthly or [] if i.count > 0)
        return ConvertedSummary(
            base=base,
            items=[
                ConvertedItem(month=month, category=cat, currency=base, total=total, count=count)
                for (month, cat), (total, count) in result.items.items()
            ],
            total=result.total,
            count=sum(count for _, count in result.items.values()),
            rates=[
                RateUsedView(
                    currency=r.currency,
                    rate_date=r.rate_date,
                    rate=r.rate,
                    provisional=r.provisional,
                    for_dates=list(r.for_dates),
                )
                for r in result.rates
            ],
            unconverted=[
                UnconvertedTotal(currency=u.currency, total=u.total, count=u.count, reason=u.reason)
                for u in result.unconverted
            ],
            provisional=result.provisional,
            missing_from_daily=max(expected - counted, 0) if monthly is not None else 0,
        )
