"""Cost Explorer reads for one connected account: the month's cost lines (all pages) and the forecast.

A connection to an AWS Organizations management account reads the month per linked account (two
queries, see `cost_import.organization_requests`), and names the accounts with
`organizations:ListAccounts` when the role allows it (else the lines carry the ids only).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from outlay.dal.aws_sessions import translated
from outlay.logic.cost_import import (
    cost_and_usage_request,
    forecast_request,
    organization_pages,
    organization_requests,
)
from outlay.logic.cost_tags import tag_usage_request
from outlay.logic.errors import OutlayError
from outlay.logic.money import round_to_currency

MAX_PAGES = 50  # a month grouped by service x record type is a few pages at most; this stops a loop


@dataclass(frozen=True)
class Forecast:
    amount: Decimal
    currency: str


class CostExplorer:
    def __init__(
        self,
        client: Any,
        account_id: str,
        organization: bool = False,
        organizations_client: Callable[[], Any] | None = None,
    ) -> None:
        self._client = client
        self.account_id = account_id
        self.organization = organization
        self._organizations = organizations_client

    def cost_and_usage_pages(self, month: str) -> list[dict[str, Any]]:
        """Every page of the month: SERVICE x RECORD_TYPE for one account (one query + pages), or
        an organization's two LINKED_ACCOUNT queries (two + pages) folded by `organization_pages`."""
        if not self.organization:
            return self._pages(cost_and_usage_request(month))
        usage, records = organization_requests(month)
        return organization_pages(self._pages(usage), self._pages(records))

    def tagged_usage_pages(
        self, month: str, key: str, exclude: Mapping[str, Sequence[str]]
    ) -> list[dict[str, Any]]:
        """Every page of the month's usage by SERVICE x TAG:<key> (only asked when the user has tag rules)."""
        return self._pages(tag_usage_request(month, key, exclude))

    def _pages(self, request: dict[str, Any]) -> list[dict[str, Any]]:
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

    def account_names(self) -> Mapping[str, str]:
        """Account id -> name from organizations:ListAccounts; {} when the role may not call it (the
        optional statement of the role template) or this is not an organization."""
        if not self.organization or self._organizations is None:
            return {}
        names: dict[str, str] = {}
        try:
            client = self._organizations()
            with translated("ListAccounts"):
                for page in client.get_paginator("list_accounts").paginate():
                    for account in page.get("Accounts", []):
                        names[str(account["Id"])] = str(account.get("Name") or account["Id"])
        except OutlayError:
            return {}
        return names

    def forecast(self, today_iso: str, month: str) -> Forecast:
        with translated("GetCostForecast"):
            response = self._client.get_cost_forecast(**forecast_request(today_iso, month))
        total = response["Total"]
        currency = str(total["Unit"])
        return Forecast(amount=round_to_currency(Decimal(str(total["Amount"])), currency), currency=currency)
