"""Budgets: a monthly amount per category (or one overall) in one currency, and its month's status."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import ConfigDict, Field, field_serializer, field_validator

from outlay.logic.money import money_text
from outlay.models.fields import (
    MAX_CATEGORY,
    AmountInput,
    CamelModel,
    CategoryName,
    Currency,
    Month,
    RequestModel,
    Total,
)
from outlay.models.text import PlainText

ROLLOVER_RULE = (
    "With rollover, last month's result is carried one month: what was left unspent is added, an "
    "overspend is taken off (available = amount + (amount - last month's spending), never below 0). "
    "Only last month counts (no chain), and nothing is carried into the month the budget was created."
)


class PutBudgetRequest(RequestModel):
    """Set the budget of one category (or, without `category`, the overall budget) in one currency."""

    category: CategoryName | None = Field(
        None, description="A starter category or one of the user's own; leave out for the overall budget"
    )
    currency: Currency
    amount: AmountInput = Field(description="Per month, in the currency's ISO 4217 minor units")
    rollover: bool = Field(False, description=ROLLOVER_RULE)


def _present(value: Any) -> Any:
    if value == "":
        raise ValueError("must not be empty (leave the parameter out instead)")
    return value


class BudgetQuery(CamelModel):
    model_config = ConfigDict(populate_by_name=True, extra="forbid")

    month: Month | None = Field(None, description="YYYY-MM; default: this month (UTC)")

    @field_validator("*", mode="before")
    @classmethod
    def _given_means_not_empty(cls, value: Any) -> Any:
        return _present(value)


class BudgetKeyQuery(CamelModel):
    """Which budget DELETE removes: one category's in `currency`, or the overall one without `category`."""

    model_config = ConfigDict(populate_by_name=True, extra="forbid")

    currency: Currency
    category: PlainText | None = Field(
        None, min_length=1, max_length=MAX_CATEGORY, description="Leave out for the overall budget"
    )

    @field_validator("*", mode="before")
    @classmethod
    def _given_means_not_empty(cls, value: Any) -> Any:
        return _present(value)


class Budget(CamelModel):
    category: str | None = Field(description="null: the overall budget (every category)")
    currency: str
    amount: Total
    rollover: bool
    created_at: datetime
    updated_at: datetime

    @field_serializer("amount")
    def _amount_text(self, amount: Decimal) -> str:
        return money_text(amount, self.currency)


class AwsForecastCheck(CamelModel):
    """The AWS category's budget against this month's Cost Explorer forecast, as the costs function
    last stored it (`fetchedAt` says how fresh it is)."""

    forecast: Total = Field(description="Cost Explorer's forecast for `start`..`end` (end exclusive)")
    start: date
    end: date
    fetched_at: datetime
    projected: Total = Field(description="spent + forecast")
    exceeds: bool
    message: str | None = None
    currency: str

    @field_serializer("forecast", "projected")
    def _money(self, amount: Decimal) -> str:
        return money_text(amount, self.currency)


class BudgetStatus(Budget):
    carried: Total = Field(description="Rollover from last month: + unspent, - overspent (0 without)")
    available: Total = Field(description="amount + carried, never below 0")
    spent: Total = Field(description="This month's expenses in the budget's currency (never converted)")
    remaining: Total = Field(description="available - spent (negative when over)")
    over: bool
    aws_forecast: AwsForecastCheck | None = None

    @field_serializer("carried", "available", "spent", "remaining")
    def _status_money(self, amount: Decimal) -> str:
        return money_text(amount, self.currency)


class BudgetList(CamelModel):
    month: str
    days_in_month: int
    days_left: int = Field(description="Days of `month` left, today included (0 for a past month)")
    aws_category: str = Field(description="The category AWS lines are imported into")
    items: list[BudgetStatus]
