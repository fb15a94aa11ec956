"""Base-currency conversion as the API shows it: converted totals next to (never instead of) the
per-currency ones, with every rate used and whatever could not be converted."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator, WithJsonSchema, field_serializer

from outlay.logic.fx import BASE_CURRENCIES
from outlay.logic.money import MoneyError, check_currency, money_text
from outlay.models.fields import CamelModel, Total


def _base_currency(value: Any) -> str:
    try:
        code = check_currency(value)
    except MoneyError as exc:
        raise ValueError(f"currency {exc}") from exc
    if code not in BASE_CURRENCIES:
        raise ValueError(
            f"ECB publishes no reference rate for {code}: a base currency must be one of "
            + ", ".join(sorted(BASE_CURRENCIES))
        )
    return code


BaseCurrency = Annotated[
    str,
    BeforeValidator(_base_currency),
    WithJsonSchema(
        {
            "type": "string",
            "enum": sorted(BASE_CURRENCIES),
            "description": "EUR or a currency ECB publishes a daily reference rate for",
        }
    ),
]


class ConvertedItem(CamelModel):
    """One month x category in the base currency (`currency`): the sum of its converted days."""

    month: str
    category: str
    currency: str
    total: Total
    count: int

    @field_serializer("total", when_used="json")
    def _total_out(self, total: Decimal) -> str:
        return money_text(total, self.currency)


class RateUsedView(CamelModel):
    """`rate` units of the base currency per 1 `currency`: ECB's reference rates of `rateDate`
    (cross rate through EUR). `forDates` are the expense dates converted with it (a weekend or holiday
    uses the previous publication day's). `provisional`: ECB has not published a rate for those dates
    yet; the newest rate stands in and is replaced as soon as the day's rate is stored."""

    currency: str
    rate_date: date
    rate: Decimal
    provisional: bool
    for_dates: list[date]

    @field_serializer("rate", when_used="json")
    def _rate_out(self, rate: Decimal) -> str:
        return f"{rate:f}"


class UnconvertedTotal(CamelModel):
    """Expenses left in their own currency, with why (e.g. "ECB publishes no reference rate for KWD")."""

    currency: str
    total: Total
    count: int
    reason: str

    @field_serializer("total", when_used="json")
    def _total_out(self, total: Decimal) -> str:
        return money_text(total, self.currency)


class ConvertedSummary(CamelModel):
    base: str
    source: str = "ECB euro foreign exchange reference rates"
    items: list[ConvertedItem]
    total: Total
    count: int
    rates: list[RateUsedView]
    unconverted: list[UnconvertedTotal]
    provisional: bool
    # Expenses the monthly totals count but the daily ones do not (written before daily totals
    # existed and not backfilled yet): shown so a converted total never looks complete when it is not.
    missing_from_daily: int = 0

    @field_serializer("total", when_used="json")
    def _total_out(self, total: Decimal) -> str:
        return money_text(total, self.base)
