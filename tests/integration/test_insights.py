"""AWS insights over real HTTP on the local runtime: the demo account has one of each kind to find."""

from __future__ import annotations

from decimal import Decimal

import requests

from local.pytest_plugin import new_user
from local.runtime import LocalRuntime


def test_the_demo_account_shows_waste_an_anomaly_and_no_commitments(local_runtime: LocalRuntime) -> None:
    rt = local_runtime
    headers = {"Authorization": rt.id_token(rt.demo_email, rt.demo_password)}
    response = requests.get(
        f"{rt.api_url}/aws-insights", headers=headers, params={"refresh": "true"}, timeout=60
    )
    assert response.status_code == 200, response.text
    body = response.json()
    # The demo user's key-pair account holds the seeded waste; its other connections have none.
    [conn] = [c for c in body["connections"] if c["waste"]["items"]]
    assert len(body["connections"]) == 1 + rt.seed_report["awsConnections"]
    assert conn["problems"] == []
    assert conn["regions"] == ["us-east-1"]
    seeded = rt.seed_report["insights"]
    found = {f["kind"]: f for f in conn["waste"]["items"]}
    assert found["unattached_volume"]["resourceId"] == seeded["volume"]
    assert found["idle_address"]["resourceId"] == seeded["address"]
    assert found["old_snapshot"]["resourceId"] == seeded["snapshot"]
    assert found["unattached_volume"]["monthlyCost"] == "9.60"  # 120 GiB gp3 x $0.08
    assert Decimal(conn["waste"]["totalMonthly"]) == sum(Decimal(f["monthlyCost"]) for f in found.values())
    assert {(a["source"], a["service"]) for a in conn["anomalies"]["items"]} >= {
        ("aws", "Amazon Relational Database Service")
    }
    assert conn["commitments"]["reservations"] == {"has": False}
    assert body["badges"]["Amazon Elastic Compute Cloud - Compute"] == "3 idle resources ~$16.25/month"

    again = next(
        c
        for c in requests.get(f"{rt.api_url}/aws-insights", headers=headers, timeout=60).json()["connections"]
        if c["id"] == conn["id"]
    )
    assert (again["cached"], again["readAt"]) == (True, conn["readAt"])


def test_a_user_without_a_connection_gets_an_empty_answer(local_runtime: LocalRuntime) -> None:
    user = new_user(local_runtime, "noaws")
    response = requests.get(f"{local_runtime.api_url}/aws-insights", headers=user.headers, timeout=30)
    assert response.status_code == 200
    assert response.json() == {"configured": False, "connections": [], "badges": {}}
