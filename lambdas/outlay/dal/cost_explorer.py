"""Cost Explorer reads for one connected account: the month's cost lines (all pages), the forecast,
and the AWS costs page's reads (any grouped request, all pages).

A connection to an AWS Organizations management account reads the month per linked account (two
queries, see `cost_import.organization_requests`), and names the accounts with
`organizations:ListAccounts` when the role allows it (else the lines carry the ids only). Tag
rules add one request per tag key for one account, one per tag value for an organization
(`outlay.logic.cost_tags`).

Every request first takes a slot from the shared rate limiter (`outlay.dal.ce_rate_limiter`, at most
5 per second per calling account across all processes); a throttled request is retried with
exponential backoff and full jitter (`outlay.logic.rate_limit`), each retry through the limiter
again. The boto3 client itself makes one attempt per call (`AwsSessions.cost_explorer`), so no
retry ever bypasses the limiter. `requests` counts the requests made ($0.01 each on the user's bill).
"""

from __future__ import annotations

import random as _random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from botocore.exceptions import ClientError

from outlay.dal.aws_sessions import translated
from outlay.logic import aws_errors, rate_limit
from outlay.logic.cost_import import (
    cost_and_usage_request,
    forecast_request,
    organization_pages,
    organization_requests,
)
from outlay.logic.cost_tags import linked_tag_usage_request, tag_usage_request
from outlay.logic.errors import OutlayError
from outlay.logic.money import round_to_currency

MAX_PAGES = 50  # a month grouped by service x record type is a few pages at most; this stops a loop


class RateGate(Protocol):
    def acquire(self, account_id: str) -> int: ...


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
        limiter: RateGate | None = None,
        sleep: Callable[[float], None] = time.sleep,
        random: Callable[[], float] = _random.random,
    ) -> None:
        self._client = client
        self.account_id = account_id
        self.organization = organization
        self._organizations = organizations_client
        self._limiter = limiter
        self._sleep = sleep
        self._random = random
        self.requests = 0

    def _call(self, operation: str, method: Callable[..., Any], **kwargs: Any) -> Any:
        """One Cost Explorer request: a limiter slot first, backoff + a new slot when throttled."""
        with translated(operation):
            for attempt in range(rate_limit.THROTTLE_ATTEMPTS):
                if self._limiter is not None:
                    self._limiter.acquire(self.account_id)
                self.requests += 1
                try:
                    return method(**kwargs)
                except ClientError as exc:
                    code = str(exc.response.get("Error", {}).get("Code", ""))
                    if code not in aws_errors.THROTTLED or attempt + 1 == rate_limit.THROTTLE_ATTEMPTS:
                        raise
                    self._sleep(rate_limit.backoff_delay(attempt, self._random))
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    def pages(self, request: dict[str, Any]) -> list[dict[str, Any]]:
        """Every page of one GetCostAndUsage request (following NextPageToken)."""
        pages: list[dict[str, Any]] = []
        token: str | None = None
        for _ in range(MAX_PAGES):
            kwargs = dict(request)
            if token:
                kwargs["NextPageToken"] = token
            page = self._call("GetCostAndUsage", self._client.get_cost_and_usage, **kwargs)
            pages.append(page)
            token = page.get("NextPageToken")
            if not token:
                return pages
        raise RuntimeError("Cost Explorer kept returning NextPageToken; giving up")

    def cost_and_usage_pages(self, month: str) -> list[dict[str, Any]]:
        """Every page of the month: SERVICE x RECORD_TYPE for one account (one query + pages), or
        an organization's two LINKED_ACCOUNT queries (two + pages) folded by `organization_pages`."""
        if not self.organization:
            return self.pages(cost_and_usage_request(month))
        usage, records = organization_requests(month)
        return organization_pages(self.pages(usage), self.pages(records))

    def tagged_usage_pages(
        self, month: str, key: str, exclude: Mapping[str, Sequence[str]]
    ) -> list[dict[str, Any]]:
        """Every page of the month's usage by SERVICE x TAG:<key> (only asked when the user has tag rules)."""
        return self.pages(tag_usage_request(month, key, exclude))

    def linked_tagged_usage_pages(
        self, month: str, key: str, value: str, exclude: Mapping[str, Sequence[str]]
    ) -> list[dict[str, Any]]:
        """Every page of an organization's month of usage tagged `key=value`, by LINKED_ACCOUNT x
        SERVICE (only asked when the user has tag rules: one request + pages per tag value)."""
        return self.pages(linked_tag_usage_request(month, key, value, exclude))

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
        response = self._call(
            "GetCostForecast", self._client.get_cost_forecast, **forecast_request(today_iso, month)
        )
        total = response["Total"]
        currency = str(total["Unit"])
        return Forecast(amount=round_to_currency(Decimal(str(total["Amount"])), currency), currency=currency)
