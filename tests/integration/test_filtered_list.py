"""Filters and search over real HTTP: a selective filter finds every match in the first response."""

from __future__ import annotations

from datetime import date, timedelta

from local.pytest_plugin import new_user
from local.runtime import LocalRuntime
from tests.integration.test_expense_journey import Api


def test_vendor_filter_and_word_search_find_every_match_at_once(local_runtime: LocalRuntime) -> None:
    api = Api(local_runtime, new_user(local_runtime, "filters"))
    start = date(2025, 6, 1)
    marriott = {10, 75, 140}
    for n in range(150):
        body = {
            "amount": "20.00",
            "currency": "EUR",
            "date": (start + timedelta(days=n)).isoformat(),
            "category": "Travel" if n in marriott else "Food",
            "vendor": "Marriott" if n in marriott else f"Shop {n}",
            "description": "Trip to Lisbon" if n == 140 else "groceries",
        }
        created = api.call("POST", "/expenses", json=body)
        assert created.status_code == 201, created.text

    listed = api.call("GET", "/expenses", params={"vendor": "Marriott", "limit": 25})
    assert listed.status_code == 200, listed.text
    found = listed.json()
    assert [e["date"] for e in found["items"]] == [
        (start + timedelta(days=n)).isoformat() for n in sorted(marriott, reverse=True)
    ]
    assert found["next"] is None

    searched = api.call("GET", "/expenses", params={"q": "LISB"}).json()
    assert [e["vendor"] for e in searched["items"]] == ["Marriott"] and searched["next"] is None
    both = api.call("GET", "/expenses", params={"q": "trip", "vendor": "marr", "month": "2025-10"}).json()
    assert [e["description"] for e in both["items"]] == ["Trip to Lisbon"]

    summary = api.call("GET", "/summary", params={"from": "2025-06", "to": "2025-12", "category": "travel"})
    assert summary.status_code == 200, summary.text
    assert summary.json()["category"] == "Travel"
    assert summary.json()["totals"] == [{"currency": "EUR", "total": "60.00"}]
