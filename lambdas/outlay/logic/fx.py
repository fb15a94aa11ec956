"""ECB reference rates and conversion to a base currency: parsing, lookup, conversion. Pure Python.

The European Central Bank publishes one reference rate per currency per TARGET working day (about
16:00 CET), as units of the currency per 1 EUR. A rate between two other currencies is the cross rate
of the same day: `to / from`.

Rules (docs/CURRENCY.md says them to users):
- An amount dated D is converted at the last rate ECB published on or before D. Weekends and TARGET
  holidays have no rate of their own, so they use the previous working day's.
- A date after the newest rate we hold (today before ECB publishes, or a future date) uses that
  newest rate, marked *provisional*: conversion happens when a summary is read, so the right rate
  replaces it as soon as the daily function stores it, with nothing to recompute.
- A currency ECB does not publish (KWD, AED, ...) or a date before the first rate we hold is never
  converted: it is reported in `unconverted` with its original total and why.
- Each converted day-bucket is rounded half-even to the base currency's minor units once; totals are
  exact sums of those rounded amounts (so a month's total is the sum of its days, to the cent).
"""

from __future__ import annotations

import bisect
import csv
import io
import xml.etree.ElementTree as ET  # ECB's own file; expat >= 2.4 refuses entity bombs
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from outlay.logic.money import round_to_currency

EUR = "EUR"

# The currencies in ECB's daily reference-rate file (eurofxref-daily.xml) as of 2026, besides EUR.
# A base currency must be one of these; amounts in others stay unconverted ("no ECB rate").
ECB_CURRENCIES: frozenset[str] = frozenset(
    [
        "USD",
        "JPY",
        "CZK",
        "DKK",
        "GBP",
        "HUF",
        "PLN",
        "RON",
        "SEK",
        "CHF",
        "ISK",
        "NOK",
        "TRY",
        "AUD",
        "BRL",
        "CAD",
        "CNY",
        "HKD",
        "IDR",
        "ILS",
        "INR",
        "KRW",
        "MXN",
        "MYR",
        "NZD",
        "PHP",
        "SGD",
        "THB",
        "ZAR",
    ]
)
BASE_CURRENCIES: frozenset[str] = ECB_CURRENCIES | {EUR}

# A cross rate as shown to people: 6 decimals is what ECB itself never exceeds (e.g. 0.83578).
RATE_PLACES = Decimal("0.000001")

_GESMES = "{http://www.ecb.int/vocabulary/2002-08-01/eurofxref}"


class RatesFormatError(ValueError):
    """The rates file is not in ECB's format; nothing of it is stored."""


def _rate(text: str, where: str) -> Decimal:
    try:
        value = Decimal(text.strip())
    except InvalidOperation as exc:
        raise RatesFormatError(f"{where}: rate {text!r} is not a number") from exc
    if not value.is_finite() or value <= 0:
        raise RatesFormatError(f"{where}: rate {text!r} is not a positive number")
    return value


def parse_ecb_xml(document: bytes) -> dict[date, dict[str, Decimal]]:
    """eurofxref-daily.xml / eurofxref-hist-90d.xml -> {day: {currency: units per EUR}}.

    All or nothing: any malformed day, currency or rate raises RatesFormatError, so a broken download
    never stores part of a file.
    """
    try:
        root = ET.fromstring(document)  # noqa: S314 - see the import
    except ET.ParseError as exc:
        raise RatesFormatError(f"not XML: {exc}") from exc
    days: dict[date, dict[str, Decimal]] = {}
    for cube in root.iter(f"{_GESMES}Cube"):
        stamp = cube.get("time")
        if stamp is None:
            continue
        try:
            day = date.fromisoformat(stamp)
        except ValueError as exc:
            raise RatesFormatError(f"day {stamp!r} is not an ISO date") from exc
        rates: dict[str, Decimal] = {}
        for entry in cube.findall(f"{_GESMES}Cube"):
            currency, text = entry.get("currency"), entry.get("rate")
            if not currency or len(currency) != 3 or not currency.isalpha() or text is None:
                raise RatesFormatError(f"{stamp}: an entry without a currency code or rate")
            rates[currency.upper()] = _rate(text, f"{stamp} {currency}")
        if not rates:
            raise RatesFormatError(f"{stamp}: no rates")
        days[day] = rates
    if not days:
        raise RatesFormatError("no dated rates in the document")
    return days


def parse_ecb_csv(text: str) -> dict[date, dict[str, Decimal]]:
    """ECB's eurofxref-hist.csv layout (Date,USD,JPY,...; "N/A" = not published that day)."""
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header or header[0].strip() != "Date":
        raise RatesFormatError("the first column must be Date")
    codes = [code.strip().upper() for code in header[1:]]
    days: dict[date, dict[str, Decimal]] = {}
    for row in reader:
        if not row:
            continue
        day = date.fromisoformat(row[0].strip())
        days[day] = {
            code: _rate(value, f"{day} {code}")
            for code, value in zip(codes, row[1:], strict=False)
            if code and value.strip() and value.strip() != "N/A"
        }
    return days


@dataclass(frozen=True)
class RateFound:
    rate_date: date  # the ECB publication day whose rate applies
    per_eur: Decimal  # units of the currency per 1 EUR that day


class RateBook:
    """Published days (ascending) and their rates; the lookups the rules above describe."""

    def __init__(self, days: Mapping[date, Mapping[str, Decimal]]) -> None:
        self._days = sorted(days)
        self._rates = {day: dict(days[day]) for day in self._days}
        self.known: frozenset[str] = frozenset(c for rates in self._rates.values() for c in rates) | {EUR}

    @property
    def latest(self) -> date | None:
        return self._days[-1] if self._days else None

    def find(self, currency: str, day: date) -> RateFound | None:
        """The last rate of `currency` published on or before `day` (EUR: that same day, 1)."""
        position = bisect.bisect_right(self._days, day)
        for published in reversed(self._days[:position]):
            if currency == EUR:
                return RateFound(published, Decimal(1))
            rate = self._rates[published].get(currency)
            if rate is not None:
                return RateFound(published, rate)
        return None

    def provisional(self, day: date) -> bool:
        """True when ECB may still publish a rate for `day` (nothing published after it yet)."""
        return self.latest is None or day > self.latest


@dataclass(frozen=True, order=True)
class DayBucket:
    """Expenses of one day in one currency and category: the daily aggregate items."""

    day: date
    currency: str
    category: str
    total: Decimal = field(compare=False)
    count: int = field(compare=False)


@dataclass(frozen=True)
class RateUsed:
    currency: str
    rate_date: date
    rate: Decimal  # units of the base currency per 1 unit of `currency` (the cross rate, 6 dp)
    provisional: bool
    for_dates: tuple[date, ...]


@dataclass(frozen=True)
class Unconverted:
    currency: str
    total: Decimal
    count: int
    reason: str


@dataclass(frozen=True)
class Conversion:
    base: str
    # (month, category) -> (total in base, count), only what could be converted
    items: dict[tuple[str, str], tuple[Decimal, int]]
    total: Decimal
    rates: list[RateUsed]
    unconverted: list[Unconverted]
    provisional: bool


def convert_amount(amount: Decimal, currency: str, base: str, day: date, book: RateBook) -> Decimal | None:
    """One amount dated `day` in `base`, rounded to the base's minor units; None when no rate applies.

    This is the function budgets and anything else that shows a converted total use; for many
    amounts, `convert_buckets` does the same per day-bucket and reports the rates.
    """
    if currency == base:
        return amount
    pair = _cross(currency, base, day, book)
    return None if pair is None else round_to_currency(amount * pair[1], base)


def _cross(currency: str, base: str, day: date, book: RateBook) -> tuple[date, Decimal] | None:
    source = book.find(currency, day)
    target = book.find(base, day)
    if source is None or target is None:
        return None
    if source.rate_date != target.rate_date:
        # Both must come from one publication: take the older day's rates for both.
        older = min(source.rate_date, target.rate_date)
        source, target = book.find(currency, older), book.find(base, older)
        if source is None or target is None or source.rate_date != target.rate_date:
            return None
    return source.rate_date, target.per_eur / source.per_eur


def _reason(currency: str, day: date, book: RateBook) -> str:
    if currency not in book.known:
        return f"ECB publishes no reference rate for {currency}"
    return f"no ECB rate for {currency} on or before {day.isoformat()}"


def convert_buckets(buckets: Iterable[DayBucket], base: str, book: RateBook) -> Conversion:
    """Day-buckets -> totals per month x category in `base`, the rates used, and what stayed
    unconverted (in its own currency, with the reason)."""
    items: dict[tuple[str, str], list[Decimal | int]] = defaultdict(lambda: [Decimal(0), 0])
    used: dict[tuple[str, date], tuple[Decimal, bool, set[date]]] = {}
    left: dict[str, list[Decimal | int | str]] = {}
    total = Decimal(0)
    any_provisional = False
    for bucket in sorted(buckets):
        if bucket.count <= 0:
            continue
        key = (bucket.day.isoformat()[:7], bucket.category)
        if bucket.currency == base:
            converted = bucket.total
        else:
            pair = _cross(bucket.currency, base, bucket.day, book)
            if pair is None:
                entry = left.setdefault(
                    bucket.currency, [Decimal(0), 0, _reason(bucket.currency, bucket.day, book)]
                )
                entry[0] = Decimal(entry[0]) + bucket.total
                entry[1] = int(entry[1]) + bucket.count
                continue
            rate_date, rate = pair
            converted = round_to_currency(bucket.total * rate, base)
            provisional = book.provisional(bucket.day)
            any_provisional = any_provisional or provisional
            rate_shown, was_provisional, dates = used.get((bucket.currency, rate_date), (rate, False, set()))
            dates.add(bucket.day)
            used[(bucket.currency, rate_date)] = (rate_shown, was_provisional or provisional, dates)
        items[key][0] = Decimal(items[key][0]) + converted
        items[key][1] = int(items[key][1]) + bucket.count
        total += converted
    return Conversion(
        base=base,
        items={key: (Decimal(v[0]), int(v[1])) for key, v in sorted(items.items())},
        total=total,
        rates=[
            RateUsed(currency, rate_date, rate.quantize(RATE_PLACES), provisional, tuple(sorted(days)))
            for (currency, rate_date), (rate, provisional, days) in sorted(used.items())
        ],
        unconverted=[
            Unconverted(currency, Decimal(v[0]), int(v[1]), str(v[2])) for currency, v in sorted(left.items())
        ],
        provisional=any_provisional,
    )
