"""Budgets over real HTTP on the local runtime: the seeded demo budgets with the AWS forecast warning,
a user's set/progress/delete, the gateway's and the function's 400s naming the field, isolation."""

from __future__ import annotations

from datetime import UTC, datetime

import requests

from local.pytest_plugin import SignedInUser
from local.runtime import LocalRuntime
from local.seed_budgets import DEMO_BUDGETS


def test_demo_account_has_budgets_and_the_aws_forecast_warning(local_runtime: LocalRuntime) -> None:
    report = local_runtime.wait_for_seed()
    assert report.get("budgets") == len(DEMO_BUDGETS), report
    headers = {"Authorization": local_runtime.id_token(local_runtime.demo_email, local_runtime.demo_password)}
    response = requests.get(f"{local_runtime.api_url}/budgets", headers=headers, timeout=30)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["month"] == datetime.now(UTC).strftime("%Y-%m")
    items = {(i["category"], i["currency"]): i for i in body["items"]}
    assert set(items) == {(None, "USD"), ("Food", "USD"), ("Software", "USD")}
    check = items[("Software", "USD")]["awsForecast"]
    assert check["exceeds"] is True and check["forecast"] == "81.45"
    assert check["message"].startswith("Forecast ") and check["message"].endswith("60.00 USD AWS budget")
    assert items[("Food", "USD")]["awsForecast"] is None


def test_a_user_sets_sees_progress_and_deletes_a_budget(
    local_runtime: LocalRuntime, alice: SignedInUser, bob: SignedInUser
) -> None:
    api = local_runtime.api_url
    today = datetime.now(UTC).date().isoformat()
    expense = {"amount": "1200", "currency": "JPY", "category": "Travel", "date": today, "vendor": "JR"}
    assert (
        requests.post(f"{api}/expenses", json=expense, headers=alice.headers, timeout=30).status_code == 201
    )
    put = requests.put(
        f"{api}/budgets",
        json={"category": "travel", "currency": "JPY", "amount": 1000},
        headers=alice.headers,
        timeout=30,
    )
    assert put.status_code == 200, put.text
    assert (put.json()["category"], put.json()["amount"]) == ("Travel", "1000")

    status = requests.get(f"{api}/budgets", headers=alice.headers, timeout=30).json()
    [travel] = status["items"]
    assert (travel["spent"], travel["remaining"], travel["over"]) == ("1200", "-200", True)
    assert 1 <= status["daysLeft"] <= 31
    assert requests.get(f"{api}/budgets", headers=bob.headers, timeout=30).json()["items"] == []

    gone = requests.delete(
        f"{api}/budgets", params={"currency": "JPY", "category": "Travel"}, headers=bob.headers, timeout=30
    )
    assert gone.status_code == 404  # bob cannot reach alice's budget
    gone = requests.delete(
        f"{api}/budgets", params={"currency": "JPY", "category": "Travel"}, headers=alice.headers, timeout=30
    )
    assert gone.status_code == 200 and gone.json()["amount"] == "1000"
    assert requests.get(f"{api}/budgets", headers=alice.headers, timeout=30).json()["items"] == []


def test_bad_budgets_are_refused_naming_the_field(local_runtime: LocalRuntime, alice: SignedInUser) -> None:
    api = local_runtime.api_url
    cases = [
        ({"category": "Food", "currency": "JPY", "amount": "5.5"}, "amount"),
        ({"category": "No such category", "currency": "USD", "amount": "5"}, "category"),
    ]
    for body, field in cases:
        response = requests.put(f"{api}/budgets", json=body, headers=alice.headers, timeout=30)
        assert response.status_code == 400, response.text
        assert field in {d["field"] for d in response.json()["details"]}
    # The gateway's model check (same schema as API Gateway): the message names the property.
    missing = requests.put(f"{api}/budgets", json={"amount": "5"}, headers=alice.headers, timeout=30)
    assert missing.status_code == 400 and "currency" in missing.json()["details"][0]["message"]
    month = requests.get(f"{api}/budgets", params={"month": "2026-1"}, headers=alice.headers, timeout=30)
    assert month.status_code == 400 and month.json()["details"][0]["field"] == "month"
    assert requests.get(f"{api}/budgets", headers=alice.headers, timeout=30).json()["items"] == []
