"""ECB rates: parsing ECB's own formats, the rate-date rules, and conversion in the base currency's
minor units (Decimal only)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from outlay.logic.fx import (
    DayBucket,
    RateBook,
    RatesFormatError,
    convert_amount,
    convert_buckets,
    parse_ecb_csv,
    parse_ecb_xml,
)

FIXTURE = Path(__file__).with_name("ecb-3-days.xml")  # ECB's XML layout, rates of 2026-10-28..30


def _book() -> RateBook:
    return RateBook(parse_ecb_xml(FIXTURE.read_bytes()))


def test_parser_reads_every_day_and_currency_of_the_ecb_file_exactly() -> None:
    days = parse_ecb_xml(FIXTURE.read_bytes())
    assert sorted(days) == [date(2026, 10, 28), date(2026, 10, 29), date(2026, 10, 30)]
    assert len(days[date(2026, 10, 30)]) == 29
    assert days[date(2026, 10, 30)]["USD"] == Decimal("1.1172")
    assert days[date(2026, 10, 29)]["GBP"] == Decimal("0.83578")
    assert all(isinstance(rate, Decimal) for rates in days.values() for rate in rates.values())


@pytest.mark.parametrize(
    "document",
    [
        b"<html>Service unavailable</html>",
        b"not xml at all",
        FIXTURE.read_bytes().replace(b"rate='1.1172'", b"rate='n/a'"),
        FIXTURE.read_bytes().replace(b"rate='1.1172'", b"rate='-1'"),
        FIXTURE.read_bytes().replace(b"time='2026-10-30'", b"time='30.10.2026'"),
    ],
    ids=["html-error-page", "not-xml", "non-numeric-rate", "negative-rate", "non-iso-day"],
)
def test_a_malformed_file_is_refused_whole(document: bytes) -> None:
    with pytest.raises(RatesFormatError):
        parse_ecb_xml(document)


def test_the_shipped_local_table_is_ecb_csv_with_positive_decimal_rates() -> None:
    path = Path(__file__).parents[3] / "local" / "data" / "ecb-rates.csv"
    days = parse_ecb_csv(path.read_text(encoding="utf-8"))
    assert len(days) > 200  # a year of TARGET working days
    assert all(d.weekday() < 5 for d in days)  # ECB publishes on working days only
    assert days[date(2026, 10, 30)]["USD"] == Decimal("1.1172")  # the same day as the XML fixture
    assert all(rate > 0 for rates in days.values() for rate in rates.values())


def test_a_weekend_uses_the_last_rate_published_before_it() -> None:
    book = _book()
    saturday, sunday = date(2026, 10, 31), date(2026, 11, 1)
    assert saturday.weekday() == 5
    # The book is all that exists: a weekend after the newest day is provisional; with Monday known
    # it is final. Both use Friday's rate.
    found = book.find("USD", saturday)
    assert found is not None and found.rate_date == date(2026, 10, 30) and found.per_eur == Decimal("1.1172")
    assert book.provisional(saturday)
    later = RateBook({**parse_ecb_xml(FIXTURE.read_bytes()), date(2026, 11, 2): {"USD": Decimal("1.12")}})
    found = later.find("USD", sunday)
    assert found is not None and found.rate_date == date(2026, 10, 30)
    assert not later.provisional(sunday)


def test_a_day_before_the_first_rate_has_no_rate() -> None:
    assert _book().find("USD", date(2026, 10, 27)) is None


def test_conversion_uses_the_cross_rate_of_one_day_rounded_half_even_to_the_base_minor_units() -> None:
    book = _book()
    # 100.00 USD on Fri 2026-10-30 in EUR: 100 / 1.1172 = 89.5095... -> 89.51
    assert convert_amount(Decimal("100.00"), "USD", "EUR", date(2026, 10, 30), book) == Decimal("89.51")
    # In JPY (0 decimals): 100 * 175.68 / 1.1172 = 15725.0268... -> 15725
    jpy = convert_amount(Decimal("100.00"), "USD", "JPY", date(2026, 10, 30), book)
    assert jpy == Decimal("15725") and jpy.as_tuple().exponent == 0
    # 1000 JPY in USD, Thursday: 1000 * 1.113 / 175.92 = 6.3267... -> 6.33
    assert convert_amount(Decimal("1000"), "JPY", "USD", date(2026, 10, 29), book) == Decimal("6.33")
    # The base itself passes through untouched
    assert convert_amount(Decimal("12.34"), "EUR", "EUR", date(2026, 10, 29), book) == Decimal("12.34")


def test_a_currency_ecb_does_not_publish_is_reported_unconverted_with_its_reason() -> None:
    book = _book()
    assert convert_amount(Decimal("1.500"), "KWD", "EUR", date(2026, 10, 30), book) is None
    result = convert_buckets(
        [
            DayBucket(date(2026, 10, 30), "KWD", "Travel", Decimal("1.500"), 1),
            DayBucket(date(2026, 10, 30), "USD", "Travel", Decimal("100.00"), 2),
            DayBucket(date(2026, 10, 1), "USD", "Food", Decimal("5.00"), 1),  # before the first rate
        ],
        "EUR",
        book,
    )
    assert result.total == Decimal("89.51")
    reasons = {u.currency: (u.total, u.count, u.reason) for u in result.unconverted}
    assert reasons["KWD"] == (Decimal("1.500"), 1, "ECB publishes no reference rate for KWD")
    assert reasons["USD"] == (Decimal("5.00"), 1, "no ECB rate for USD on or before 2026-10-01")


def test_buckets_convert_per_day_and_report_each_rate_with_the_dates_it_served() -> None:
    book = _book()
    result = convert_buckets(
        [
            DayBucket(date(2026, 10, 29), "USD", "Food", Decimal("10.00"), 1),
            DayBucket(date(2026, 10, 30), "USD", "Food", Decimal("10.00"), 1),
            DayBucket(date(2026, 10, 31), "USD", "Travel", Decimal("10.00"), 1),  # Saturday
            DayBucket(date(2026, 10, 30), "EUR", "Food", Decimal("1.00"), 3),
        ],
        "EUR",
        book,
    )
    # 10/1.113 = 8.9847 -> 8.98 ; 10/1.1172 = 8.9509 -> 8.95 (twice: Friday and Saturday)
    assert result.items == {
        ("2026-10", "Food"): (Decimal("8.98") + Decimal("8.95") + Decimal("1.00"), 5),
        ("2026-10", "Travel"): (Decimal("8.95"), 1),
    }
    assert result.total == Decimal("27.88")
    used = [(r.currency, r.rate_date, r.rate, r.for_dates) for r in result.rates]
    assert used == [
        ("USD", date(2026, 10, 29), Decimal("0.898473"), (date(2026, 10, 29),)),
        ("USD", date(2026, 10, 30), Decimal("0.895095"), (date(2026, 10, 30), date(2026, 10, 31))),
    ]
    # Saturday is after the newest rate held: provisional until ECB publishes Monday's
    assert result.provisional and result.rates[1].provisional and not result.rates[0].provisional
    assert all(isinstance(v, Decimal) for v, _ in result.items.values())
