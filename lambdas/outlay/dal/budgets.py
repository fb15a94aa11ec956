"""Budgets and the stored AWS forecast, in the user's partition of the expenses table."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from outlay import tables
from outlay.dal.expense_items import UserItems, deserialize, iso, serialize
from outlay.logic.budgets import StoredForecast
from outlay.models.budgets import Budget


def _budget(item: dict[str, Any]) -> Budget:
    return Budget(
        category=item.get("category"),
        currency=str(item["currency"]),
        amount=Decimal(item["amount"]),
        rollover=bool(item.get("rollover", False)),
        created_at=datetime.fromisoformat(str(item["createdAt"])),
        updated_at=datetime.fromisoformat(str(item["updatedAt"])),
    )


class BudgetsRepository(UserItems):
    def list_budgets(self, sub: str) -> list[Budget]:
        args: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": serialize(
                {":pk": tables.user_pk(sub), ":prefix": tables.BUDGET_PREFIX}
            ),
        }
        return [_budget(item) for item in self._query_all(args)]

    def put_budget(self, sub: str, budget: Budget) -> Budget:
        """Create or replace; a replaced budget keeps its first `createdAt` (rollover starts there)."""
        names = {"#t": "type", "#c": "category", "#cur": "currency", "#a": "amount", "#r": "rollover"}
        values: dict[str, Any] = {
            ":t": "BUDGET",
            ":cur": budget.currency,
            ":a": budget.amount,
            ":r": budget.rollover,
            ":created": iso(budget.created_at),
            ":updated": iso(budget.updated_at),
        }
        sets = "#t = :t, #cur = :cur, #a = :a, #r = :r, createdAt = if_not_exists(createdAt, :created), "
        sets += "updatedAt = :updated"
        if budget.category is not None:
            values[":c"] = budget.category
            expression = f"SET {sets}, #c = :c"
        else:
            expression = f"SET {sets} REMOVE #c"
        response = self.client.update_item(
            TableName=self.table_name,
            Key=serialize(
                {"pk": tables.user_pk(sub), "sk": tables.budget_sk(budget.currency, budget.category)}
            ),
            UpdateExpression=expression,
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=serialize(values),
            ReturnValues="ALL_NEW",
        )
        return _budget(deserialize(response["Attributes"]))

    def delete_budget(self, sub: str, currency: str, category: str | None) -> Budget | None:
        response = self.client.delete_item(
            TableName=self.table_name,
            Key=serialize({"pk": tables.user_pk(sub), "sk": tables.budget_sk(currency, category)}),
            ReturnValues="ALL_OLD",
        )
        old = response.get("Attributes")
        return _budget(deserialize(old)) if old else None

    def get_forecast(self, sub: str, month: str) -> StoredForecast | None:
        item = self._get_item(sub, tables.forecast_sk(month))
        if item is None:
            return None
        return StoredForecast(
            month=month,
            amount=Decimal(item["amount"]),
            currency=str(item["currency"]),
            start=date.fromisoformat(str(item["start"])),
            end=date.fromisoformat(str(item["end"])),
            fetched_at=datetime.fromisoformat(str(item["fetchedAt"])),
        )

    def put_forecast(self, sub: str, forecast: StoredForecast) -> None:
        """The costs function's one write here: the latest forecast of the month replaces the last."""
        item = {
            "pk": tables.user_pk(sub),
            "sk": tables.forecast_sk(forecast.month),
            "type": "FORECAST",
            "month": forecast.month,
            "amount": forecast.amount,
            "currency": forecast.currency,
            "start": forecast.start.isoformat(),
            "end": forecast.end.isoformat(),
            "fetchedAt": iso(forecast.fetched_at),
        }
        self.client.put_item(TableName=self.table_name, Item=serialize(item))
