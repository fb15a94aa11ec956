"""Recurring rules over real HTTP on the local runtime: a monthly rule materializes once however often
the schedule runs (the local daily schedule invokes the same runner EventBridge does), and what the
user does to an occurrence survives every later run."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import requests

from local.pytest_plugin import SignedInUser, new_user
from local.runtime import LocalRuntime


def _occurrences(rt: LocalRuntime, user: SignedInUser, rule_id: str) -> list[dict[str, Any]]:
    items = requests.get(
        f"{rt.api_url}/expenses", headers=user.headers, params={"limit": 100}, timeout=30
    ).json()["items"]
    return [e for e in items if e.get("recurringRuleId") == rule_id]


def test_a_monthly_rule_materializes_once_however_often_the_schedule_runs(
    local_runtime: LocalRuntime,
) -> None:
    rt = local_runtime
    user = new_user(rt, "recurring")
    today = datetime.now(UTC).date()
    body = {
        "unit": "month",
        "startDate": today.isoformat(),
        "amount": "15.99",
        "currency": "USD",
        "category": "Entertainment",
        "vendor": "Streaming Co",
    }
    created = requests.post(f"{rt.api_url}/recurring", headers=user.headers, json=body, timeout=30)
    assert created.status_code == 201, created.text
    rule = created.json()
    rt.run_recurring_now()  # other users' rules in this shared runtime catch up first
    for _ in range(3):
        run = rt.run_recurring_now()  # the daily schedule's invocation
        assert run["created"] == 0, run
        now = requests.post(f"{rt.api_url}/recurring/run", headers=user.headers, timeout=30)
        assert now.status_code == 200 and now.json()["created"] == 0, now.text
    (only,) = _occurrences(rt, user, rule["id"])
    assert only["date"] == today.isoformat() and only["amount"] == "15.99" and only["source"] == "recurring"

    edited = requests.patch(
        f"{rt.api_url}/expenses/{only['id']}", headers=user.headers, json={"amount": "17.49"}, timeout=30
    )
    assert edited.status_code == 200, edited.text
    rt.run_recurring_now()
    (still,) = _occurrences(rt, user, rule["id"])
    assert still["amount"] == "17.49"
    assert (
        requests.get(f"{rt.api_url}/recurring/{rule['id']}", headers=user.headers, timeout=30).json()[
            "amount"
        ]
        == "15.99"
    )

    assert (
        requests.delete(f"{rt.api_url}/expenses/{only['id']}", headers=user.headers, timeout=30).status_code
        == 204
    )
    rt.run_recurring_now()
    requests.post(f"{rt.api_url}/recurring/run", headers=user.headers, timeout=30)
    assert _occurrences(rt, user, rule["id"]) == []


def test_bad_rule_is_a_400_naming_the_field_over_http(local_runtime: LocalRuntime) -> None:
    rt = local_runtime
    user = new_user(rt, "recurring-bad")
    reply = requests.post(
        f"{rt.api_url}/recurring",
        headers=user.headers,
        json={"unit": "fortnight", "startDate": "2026-01-01", "amount": "1", "category": "Food"},
        timeout=30,
    )
    assert reply.status_code == 400
    assert {d["field"] for d in reply.json()["details"]} == {"unit"}
    assert requests.get(f"{rt.api_url}/recurring", headers=user.headers, timeout=30).json()["items"] == []
