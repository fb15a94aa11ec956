"""Cost Explorer reads for one connected account: the month's cost lines (all pages) and the forecast."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from outlay.dal.aws_sessions import translated
from outlay.logic.cost_import import cost_and_usage_request, forecast_request
from outlay.logic.cost_tags import tag_usage_request
from outlay.logic.money import round_to_currency

MAX_PAGES = 50  # a month grouped by service x record type is a few pages at most; this stops a loop


@dataclass(frozen=True)
class Forecast:
    amount: Decimal
    currency: str


class CostExplorer:
    def __init__(self, client: Any, account_id: str) -> None:
        self._client = client
        self.account_id = account_id

    def cost_and_usage_pages(self, month: str) -> list[dict[str, Any]]:
        """Every page of the month's SERVICE x RECORD_TYPE grouping (following NextPageToken)."""
        return self._all_pages(cost_and_usage_request(month))

    def tagged_usage_pages(
        self, month: str, key: str, exclude: Mapping[str, Sequence[str]]
    ) -> list[dict[str, Any]]:
        """Every page of the month's usage by SERVICE x TAG:<key> (only asked when the user has tag rules)."""
        return self._all_pages(tag_usage_request(month, key, exclude))

    def _all_pages(self, request: dict[str, Any]) -> list[dict[str, Any]]:
        pages: list[dict[str, Any]] = []
        token: str | None = None
        for _ in range(MAX_PAGES):
            kwargs = dict(request)
            if token:
                kwargs["NextPageToken"] = token
            with translated("GetCostAndUsage"):
                page = self._client.get_cost_and_usage(**kwargs)
            pages.append(page)
            token = page.get("NextPageToken")
            if not token:
                return pages
        raise RuntimeError("Cost Explorer kept returning NextPageToken; giving up")

    def forecast(self, today_iso: str, month: str) -> Forecast:
        with translated("GetCostForecast"):
            response = self._client.get_cost_forecast(**forecast_request(today_iso, month))
        total = response["Total"]
        currency = str(total["Unit"])
        return Forecast(amount=round_to_currency(Decimal(str(total["Amount"])), currency), currency=currency)
