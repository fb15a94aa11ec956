"""GET /aws-costs/overview over real HTTP on the local runtime: the demo user's live figures (moto's
Cost Explorer through the shared rate limiter), served from the cache on the next call, and a user
with no connection gets the empty state."""

from __future__ import annotations

from decimal import Decimal

import requests

from local.pytest_plugin import SignedInUser
from local.runtime import LocalRuntime
from local.seed import DEMO_SERVICES


def test_overview_over_http_fetches_once_then_serves_the_cache(local_runtime: LocalRuntime) -> None:
    headers = {"Authorization": local_runtime.id_token(local_runtime.demo_email, local_runtime.demo_password)}
    url = f"{local_runtime.api_url}/aws-costs/overview"

    first = requests.get(url, headers=headers, timeout=60)
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["configured"] is True and body["fetchedAt"]
    assert body["refresh"]["status"] in {"refreshed", "cached"}
    figures = body["figures"]
    assert set(figures["services"]) == set(DEMO_SERVICES)
    assert len(figures["months"]) == 12 and figures["lastMonth"] == figures["months"][-1]
    assert Decimal(figures["lastMonth"]["total"]) > 0
    days = figures["monthToDate"]["days"]
    assert days and all(day["date"].startswith(figures["monthToDate"]["month"]) for day in days)
    assert sum(Decimal(d["total"]) for d in days) == Decimal(figures["monthToDate"]["total"])
    assert figures["forecast"]["available"] is True and figures["forecast"]["currency"] == "USD"
    # Three Cost Explorer requests per connection (the demo user has several) at $0.01 each.
    assert body["requestsPerRefresh"] == 3 * len(body["connections"]) and body["costPerRequestUsd"] == "0.01"

    again = requests.get(url, headers=headers, timeout=60).json()
    assert again["refresh"] == {"status": "cached", "requests": 0, "costUsd": "0.00"}
    assert again["fetchedAt"] == body["fetchedAt"] and again["figures"] == figures

    first_connection = body["connections"][0]["id"]
    one = requests.get(url, headers=headers, params={"connection": first_connection}, timeout=60).json()
    assert one["refresh"]["status"] == "cached" and [c["id"] for c in one["connections"]] == [
        first_connection
    ]


def test_overview_over_http_without_a_connection_is_the_empty_state(
    local_runtime: LocalRuntime, alice: SignedInUser
) -> None:
    response = requests.get(f"{local_runtime.api_url}/aws-costs/overview", headers=alice.headers, timeout=60)
    assert response.status_code == 200, response.text
    assert response.json()["configured"] is False and response.json()["figures"] is None
