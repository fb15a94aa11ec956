"""Budget rules, pure: days left, rollover (one month, both ways), the overall total, the AWS forecast
check, and what one status costs in reads."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from outlay.logic.budgets import (
    BudgetsService,
    StoredForecast,
    budget_status,
    carried_over,
    days_left,
    spent_by_budget,
)
from outlay.models.budgets import Budget
from outlay.models.expenses import Summary, SummaryItem

CREATED_LONG_AGO = datetime(2026, 1, 5, tzinfo=UTC)


def budget(
    amount: str,
    category: str | None = "Food",
    *,
    currency: str = "USD",
    rollover: bool = False,
    created: datetime = CREATED_LONG_AGO,
) -> Budget:
    return Budget(
        category=category,
        currency=currency,
        amount=Decimal(amount),
        rollover=rollover,
        created_at=created,
        updated_at=created,
    )


def item(month: str, category: str, total: str, currency: str = "USD") -> SummaryItem:
    return SummaryItem(month=month, category=category, currency=currency, total=Decimal(total), count=1)


def forecast(amount: str, currency: str = "USD") -> StoredForecast:
    return StoredForecast(
        month="2026-11",
        amount=Decimal(amount),
        currency=currency,
        start=date(2026, 11, 21),
        end=date(2026, 12, 1),
        fetched_at=datetime(2026, 11, 21, 8, 0, tzinfo=UTC),
    )


def test_days_left_counts_today_and_is_zero_for_past_months() -> None:
    assert days_left("2026-11", date(2026, 11, 21)) == 10  # 21..30
    assert days_left("2026-11", date(2026, 11, 30)) == 1
    assert days_left("2026-11", date(2026, 11, 1)) == 30
    assert days_left("2026-10", date(2026, 11, 21)) == 0
    assert days_left("2028-02", date(2026, 11, 21)) == 29  # a future (leap) month lies wholly ahead


def test_rollover_carries_unspent_and_takes_off_overspend_for_one_month() -> None:
    food = budget("300.00", rollover=True)
    assert carried_over(food, "2026-11", Decimal("250.00")) == Decimal("50.00")
    assert carried_over(food, "2026-11", Decimal("340.00")) == Decimal("-40.00")
    assert carried_over(food, "2026-11", Decimal(0)) == Decimal(
        "300.00"
    )  # never more than one month's amount


def test_no_rollover_without_the_flag_or_into_the_month_the_budget_was_created() -> None:
    assert carried_over(budget("300.00"), "2026-11", Decimal("10.00")) == 0
    new = budget("300.00", rollover=True, created=datetime(2026, 11, 3, tzinfo=UTC))
    assert carried_over(new, "2026-11", Decimal("10.00")) == 0
    assert carried_over(new, "2026-12", Decimal("10.00")) == Decimal("290.00")


def test_status_spent_remaining_over_and_available_never_below_zero() -> None:
    items = [
        item("2026-10", "Food", "900.00"),
        item("2026-11", "food", "20.00"),
        item("2026-11", "Food", "15.50"),
    ]
    this, last = spent_by_budget(items, "2026-11"), spent_by_budget(items, "2026-10")
    status = budget_status(budget("300.00", rollover=True), "2026-11", this, last, None)
    assert (status.carried, status.available) == (Decimal("-600.00"), Decimal(0))
    assert (status.spent, status.remaining, status.over) == (Decimal("35.50"), Decimal("-35.50"), True)
    plain = budget_status(budget("300.00"), "2026-11", this, last, None)
    assert (plain.available, plain.remaining, plain.over) == (Decimal("300.00"), Decimal("264.50"), False)


def test_overall_budget_sums_every_category_of_its_own_currency_only() -> None:
    items = [
        item("2026-11", "Food", "10.00"),
        item("2026-11", "Travel", "5.25"),
        item("2026-11", "Food", "99.00", currency="EUR"),
    ]
    spent = spent_by_budget(items, "2026-11")
    status = budget_status(budget("100.00", category=None), "2026-11", spent, {}, None)
    assert status.spent == Decimal("15.25")
    assert budget_status(budget("100.00", None, currency="EUR"), "2026-11", spent, {}, None).spent == Decimal(
        "99.00"
    )


def test_aws_forecast_warns_when_spent_plus_forecast_exceeds_the_software_budget() -> None:
    spent = spent_by_budget([item("2026-11", "Software", "12.00")], "2026-11")
    status = budget_status(budget("60.00", "Software"), "2026-11", spent, {}, forecast("81.45"))
    check = status.aws_forecast
    assert check is not None and check.exceeds and check.projected == Decimal("93.45")
    assert check.message == "Forecast 93.45 USD will exceed your 60.00 USD AWS budget"
    assert status.over is False  # spending itself is still within the budget


def test_aws_forecast_within_budget_has_no_warning() -> None:
    status = budget_status(budget("100.00", "Software"), "2026-11", {}, {}, forecast("81.45"))
    assert status.aws_forecast is not None
    assert (status.aws_forecast.exceeds, status.aws_forecast.message) == (False, None)


def test_aws_forecast_ignored_for_other_categories_and_other_currencies() -> None:
    assert budget_status(budget("10.00", "Food"), "2026-11", {}, {}, forecast("81.45")).aws_forecast is None
    eur = budget("10.00", "Software", currency="EUR")
    assert budget_status(eur, "2026-11", {}, {}, forecast("81.45")).aws_forecast is None  # never converted


class FakeStore:
    def __init__(self, budgets: list[Budget], stored: StoredForecast | None) -> None:
        self.budgets, self.stored, self.forecast_reads = budgets, stored, 0

    def list_budgets(self, sub: str) -> list[Budget]:
        return list(self.budgets)

    def put_budget(self, sub: str, budget: Budget) -> Budget:
        raise AssertionError("not called")

    def delete_budget(self, sub: str, currency: str, category: str | None) -> Budget | None:
        raise AssertionError("not called")

    def get_forecast(self, sub: str, month: str) -> StoredForecast | None:
        self.forecast_reads += 1
        return self.stored if month == self.stored.month else None  # type: ignore[union-attr]


class FakeSpending:
    def __init__(self, items: list[SummaryItem]) -> None:
        self.items, self.ranges = items, []

    def summary(self, sub: str, start: str, end: str) -> Summary:
        self.ranges.append((start, end))
        kept = [i for i in self.items if start <= i.month <= end]
        return Summary.model_validate({"from": start, "to": end, "items": kept, "totals": []})

    def find_category(self, sub: str, name: str) -> str | None:
        return None


def test_one_aggregate_range_and_one_forecast_read_per_status_whatever_the_budgets() -> None:
    store = FakeStore(
        [budget("60.00", "Software"), budget("300.00"), budget("900.00", None)], forecast("81.45")
    )
    spending = FakeSpending([item("2026-11", "Software", "12.00"), item("2026-10", "Food", "1.00")])
    service = BudgetsService(store, spending, clock=lambda: datetime(2026, 11, 21, 9, tzinfo=UTC))
    result = service.statuses("alice")
    assert spending.ranges == [("2026-10", "2026-11")] and store.forecast_reads == 1
    assert [s.category for s in result.items] == [None, "Food", "Software"]  # overall first
    assert (result.month, result.days_left, result.days_in_month) == ("2026-11", 10, 30)
    past = service.statuses("alice", "2026-10")
    assert past.days_left == 0 and store.forecast_reads == 1  # a past month has no forecast to read
    assert all(s.aws_forecast is None for s in past.items)


def test_no_budgets_reads_no_spending() -> None:
    spending = FakeSpending([])
    result = BudgetsService(
        FakeStore([], None), spending, clock=lambda: datetime(2026, 11, 21, tzinfo=UTC)
    ).statuses("a")
    assert result.items == [] and spending.ranges == []
