"""Budgets: the rules (rollover, days left, the AWS forecast check) and the use cases over ports.

Pure: no boto3, the clock is injected. Spending comes from the monthly `SUMMARY#` aggregates (one
key range covering last month and this one), so a status costs O(categories) reads, never
O(expenses). Spending counts the budget's own currency only: nothing is converted here (a base
currency's converted totals, when the user has one, belong next to `spent`, never instead of it).
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

from outlay.logic.cost_import import CATEGORY as AWS_CATEGORY
from outlay.logic.errors import NotFoundError
from outlay.logic.expenses import amount_in_currency, resolve_category, starter_category, utc_now
from outlay.logic.money import money_text
from outlay.logic.months import add_months, last_day, month_of, parse_month
from outlay.models.budgets import AwsForecastCheck, Budget, BudgetList, BudgetStatus, PutBudgetRequest
from outlay.models.expenses import Summary, SummaryItem


@dataclass(frozen=True)
class StoredForecast:
    """This month's AWS forecast as the costs function stored it when it last fetched it."""

    month: str
    amount: Decimal
    currency: str
    start: date
    end: date
    fetched_at: datetime


# ------------------------------------------------------------------------------------------ ports
class BudgetStore(Protocol):
    def list_budgets(self, sub: str) -> list[Budget]: ...
    def put_budget(self, sub: str, budget: Budget) -> Budget: ...
    def delete_budget(self, sub: str, currency: str, category: str | None) -> Budget | None: ...
    def get_forecast(self, sub: str, month: str) -> StoredForecast | None: ...


class Spending(Protocol):
    def summary(self, sub: str, start: str, end: str) -> Summary: ...
    def find_category(self, sub: str, name: str) -> str | None: ...


# ------------------------------------------------------------------------------------------ rules
def days_left(month: str, today: date) -> int:
    """Days of `month` still ahead, today included: the whole month ahead of it, 0 once it is over."""
    if month < month_of(today):
        return 0
    if month > month_of(today):
        return days_in(month)
    return (last_day(month) - today).days + 1


def days_in(month: str) -> int:
    year, number = parse_month(month)
    return calendar.monthrange(year, number)[1]


def carried_over(budget: Budget, month: str, spent_last_month: Decimal) -> Decimal:
    """Rollover: last month's leftover (amount - spent; negative when overspent), carried one month
    only. Nothing is carried without rollover, or into the month the budget was created in (there
    was no budget last month)."""
    if not budget.rollover or month_of(budget.created_at.date()) >= month:
        return Decimal(0)
    return budget.amount - spent_last_month


def spent_by_budget(items: Iterable[SummaryItem], month: str) -> dict[tuple[str, str | None], Decimal]:
    """(currency, category) -> spent in `month`, plus (currency, None) for the overall total."""
    spent: dict[tuple[str, str | None], Decimal] = defaultdict(Decimal)
    for item in items:
        if item.month != month:
            continue
        spent[(item.currency, item.category.casefold())] += item.total
        spent[(item.currency, None)] += item.total
    return spent


def forecast_check(
    budget: Budget, spent: Decimal, available: Decimal, forecast: StoredForecast | None
) -> AwsForecastCheck | None:
    """The AWS category's budget checked against the forecast: projected = spent + forecast. The
    month's own AWS lines are imported once the month is over, so until then the forecast stands for
    AWS spending. Only a forecast in the budget's currency counts (never converted).

    The forecast is what GET /aws-costs/forecast fetched: Cost Explorer's forecast for `start` (the
    day it was fetched) to the month's end. AWS usage of this month before `start` is in neither
    term (not yet imported, not forecast), so the projection can be low late in a month;
    `fetchedAt` and `start` say which period the forecast covers."""
    if forecast is None or budget.category != AWS_CATEGORY or forecast.currency != budget.currency:
        return None
    projected = spent + forecast.amount
    exceeds = projected > available
    message = (
        f"Forecast {money_text(projected, budget.currency)} {budget.currency} will exceed your "
        f"{money_text(available, budget.currency)} {budget.currency} AWS budget"
        if exceeds
        else None
    )
    return AwsForecastCheck(
        forecast=forecast.amount,
        start=forecast.start,
        end=forecast.end,
        fetched_at=forecast.fetched_at,
        projected=projected,
        exceeds=exceeds,
        message=message,
        currency=budget.currency,
    )


def budget_status(
    budget: Budget,
    month: str,
    spent: dict[tuple[str, str | None], Decimal],
    spent_last_month: dict[tuple[str, str | None], Decimal],
    forecast: StoredForecast | None,
) -> BudgetStatus:
    key = (budget.currency, budget.category.casefold() if budget.category else None)
    now_spent = spent.get(key, Decimal(0))
    carried = carried_over(budget, month, spent_last_month.get(key, Decimal(0)))
    available = max(Decimal(0), budget.amount + carried)
    return BudgetStatus(
        **budget.model_dump(),
        carried=carried,
        available=available,
        spent=now_spent,
        remaining=available - now_spent,
        over=now_spent > available,
        aws_forecast=forecast_check(budget, now_spent, available, forecast),
    )


def _order(status: BudgetStatus) -> tuple[int, str, str]:
    return (0 if status.category is None else 1, (status.category or "").casefold(), status.currency)


# ------------------------------------------------------------------------------------------ service
@dataclass
class BudgetsService:
    budgets: BudgetStore
    spending: Spending
    clock: Callable[[], datetime] = field(default=utc_now)

    def _category(self, sub: str, name: str) -> str:
        """A category must exist, as for an expense (starter ones need no read); 400 otherwise."""
        own = None if starter_category(name) else self.spending.find_category(sub, name)
        return resolve_category(name, [own] if own else [])

    def statuses(self, sub: str, month: str | None = None) -> BudgetList:
        """Every budget with its month's status: 1 budgets query + 1 aggregates query (+ 1 GetItem
        for the AWS forecast, this month only), whatever the number of expenses."""
        today = self.clock().date()
        month = month or month_of(today)
        budgets = self.budgets.list_budgets(sub)
        items: list[BudgetStatus] = []
        if budgets:
            previous = add_months(month, -1)
            summary = self.spending.summary(sub, previous, month)
            this, last = spent_by_budget(summary.items, month), spent_by_budget(summary.items, previous)
            wants_forecast = month == month_of(today) and any(b.category == AWS_CATEGORY for b in budgets)
            forecast = self.budgets.get_forecast(sub, month) if wants_forecast else None
            items = sorted((budget_status(b, month, this, last, forecast) for b in budgets), key=_order)
        return BudgetList(
            month=month,
            days_in_month=days_in(month),
            days_left=days_left(month, today),
            aws_category=AWS_CATEGORY,
            items=items,
        )

    def put(self, sub: str, request: PutBudgetRequest) -> Budget:
        category = self._category(sub, request.category) if request.category is not None else None
        now = self.clock()
        budget = Budget(
            category=category,
            currency=request.currency,
            amount=amount_in_currency(request.amount, request.currency),
            rollover=request.rollover,
            created_at=now,
            updated_at=now,
        )
        return self.budgets.put_budget(sub, budget)  # keeps the first createdAt of that budget

    def delete(self, sub: str, currency: str, category: str | None) -> Budget:
        """Returns the deleted budget, so a client can offer to undo by putting it back."""
        name = (starter_category(category) or category) if category is not None else None
        deleted = self.budgets.delete_budget(sub, currency, name)
        if deleted is None:
            raise NotFoundError("No such budget", [{"field": "category", "message": "no budget here"}])
        return deleted
