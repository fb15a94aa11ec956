"""The monthly AWS cost import, locally: `make import-now` -> dispatcher -> SQS -> worker -> expenses."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
import requests

from local import import_now
from local.gateway import LOCAL_CONTROL_HEADER
from local.pytest_plugin import new_user
from local.runtime import LocalRuntime
from local.seed import (
    DEMO_LINKED_ACCOUNTS,
    DEMO_ORG_MANAGEMENT,
    DEMO_RULE_CATEGORY,
    DEMO_SERVICES,
    DEMO_SIDE_ACCOUNT,
    DEMO_TAGGED,
)


def _demo_headers(rt: LocalRuntime) -> dict[str, str]:
    return {"Authorization": rt.id_token(rt.demo_email, rt.demo_password)}


def _aws_expenses(rt: LocalRuntime) -> list[dict[str, Any]]:
    response = requests.get(
        f"{rt.api_url}/expenses",
        headers=_demo_headers(rt),
        params={"vendor": "AWS - ", "limit": 100},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return [e for e in response.json()["items"] if e["source"] == "aws"]


def _schedule_runs(rt: LocalRuntime) -> list[dict[str, Any]]:
    response = requests.get(
        f"{rt.api_url}/aws-cost-import/history", headers=_demo_headers(rt), params={"limit": 50}, timeout=30
    )
    assert response.status_code == 200, response.text
    return [run for run in response.json()["items"] if run["trigger"] == "schedule"]


def test_import_now_over_http_creates_aws_expenses_once(
    local_runtime: LocalRuntime, capsys: pytest.CaptureFixture[str]
) -> None:
    assert local_runtime.seed_report.get("awsConnected"), local_runtime.seed_report
    runs_before = _schedule_runs(local_runtime)

    # `make import-now` = python -m local.import_now --port N
    assert import_now.main(["--port", str(local_runtime.port)]) == 0
    printed = capsys.readouterr().out
    connections = 1 + local_runtime.seed_report["awsConnections"]  # one message per connection
    # Every enabled connection of every user is queued: the demo user's, and any that earlier tests
    # in this runtime connected for their own users.
    queued = int(re.search(r'"queued": (\d+)', printed).group(1))  # type: ignore[union-attr]
    assert queued >= connections
    assert f'"processed": {queued}' in printed

    imported = _aws_expenses(local_runtime)
    vendors = {e["vendor"] for e in imported}
    assert {f"AWS - {service}" for service in DEMO_SERVICES} <= vendors
    # The demo user's one rule (local/seed.py) sends the tagged EC2 part to its own category.
    assert all(
        e["category"] == "Software" and e["currency"] == "USD" for e in imported if "acme" not in e["tags"]
    )
    assert len({e["date"] for e in imported}) == 1  # the last day of the imported month
    assert all(
        Decimal(e["amount"]) > 0 for e in imported if e["vendor"] not in ("AWS - Tax", "AWS - Credits")
    )

    # A second run (the schedule's finalize re-sync, or a retry) overwrites, never duplicates.
    again = requests.post(
        f"{local_runtime.url}__local/import-now", headers={LOCAL_CONTROL_HEADER: "1"}, json={}, timeout=120
    )
    assert again.status_code == 200, again.text
    assert again.json()["processed"] >= connections
    assert sorted(e["id"] for e in _aws_expenses(local_runtime)) == sorted(e["id"] for e in imported)

    runs = _schedule_runs(local_runtime)
    assert len(runs) == len(runs_before) + 2 * connections
    assert runs[0]["status"] == "succeeded"


def test_the_demo_user_imports_two_accounts_and_an_organization(local_runtime: LocalRuntime) -> None:
    headers = _demo_headers(local_runtime)
    assert local_runtime.seed_report["awsConnections"] == 2, local_runtime.seed_report
    listed = requests.get(f"{local_runtime.api_url}/aws-connections", headers=headers, timeout=30)
    assert listed.status_code == 200, listed.text
    connections = {c["name"]: c for c in listed.json()["items"]}
    assert connections["Side project"]["accountId"] == DEMO_SIDE_ACCOUNT
    org = connections["Organization"]
    assert org["isOrganization"] is True and org["accountId"] == DEMO_ORG_MANAGEMENT
    run = requests.post(
        f"{local_runtime.api_url}/aws-cost-import",
        json={"connectionId": org["id"]},
        headers=headers,
        timeout=120,
    )
    assert run.status_code == 200 and run.json()["status"] == "succeeded", run.text
    assert len(run.json()["accounts"]) == 1 + len(DEMO_LINKED_ACCOUNTS)
    lines = [e for e in _aws_expenses(local_runtime) if e["aws"]["accountId"] in run.json()["accounts"]]
    names = {e["aws"]["accountName"] for e in lines}
    assert set(DEMO_LINKED_ACCOUNTS) <= names
    assert any(e["vendor"] == "AWS - Credits" and Decimal(e["amount"]) < 0 for e in lines)
    # The demo's tag rule (project=acme) applies to the organization too: in each account running
    # EC2 (the management account and one member), the tagged part is its own line.
    service, key, value, most = DEMO_TAGGED
    ec2 = requests.get(
        f"{local_runtime.api_url}/expenses",
        headers=headers,
        params={"month": run.json()["months"][0], "vendor": f"AWS - {service}", "limit": 100},
        timeout=30,
    ).json()["items"]
    line = f"service:{service}|tag:{key}={value}"
    tagged = [e for e in ec2 if e["aws"]["line"] == line and e["aws"]["accountId"] in run.json()["accounts"]]
    accounts = [e["aws"]["accountId"] for e in tagged]
    assert DEMO_ORG_MANAGEMENT in accounts and len(set(accounts)) == len(accounts) == 2
    assert all(e["category"] == DEMO_RULE_CATEGORY and Decimal(e["amount"]) <= most for e in tagged)
    history = requests.get(
        f"{local_runtime.api_url}/aws-connections/{org['id']}/history", headers=headers, timeout=30
    ).json()["items"]
    assert history[0]["runId"] == run.json()["runId"]


def test_forecast_answers_locally(local_runtime: LocalRuntime) -> None:
    response = requests.get(
        f"{local_runtime.api_url}/aws-costs/forecast", headers=_demo_headers(local_runtime), timeout=30
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["available"] is True
    assert body["currency"] == "USD"
    assert Decimal(body["amount"]) > 0


def test_local_controls_need_the_local_header(local_runtime: LocalRuntime) -> None:
    # A web page cannot add a custom header cross-origin without a preflight we never answer.
    response = requests.post(f"{local_runtime.url}__local/import-now", timeout=10)
    assert response.status_code == 403
    assert requests.get(f"{local_runtime.url}__local/import-now", timeout=10).status_code == 403


def test_import_now_cli_reports_a_stopped_runtime(capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free_port = probe.getsockname()[1]
    assert import_now.main(["--port", str(free_port)]) == 1
    assert f"PORT={free_port}" in capsys.readouterr().out


def test_import_for_everyone_is_for_admins_only(local_runtime: LocalRuntime) -> None:
    """`cognito:groups` reaches the handler as API Gateway passes it; the handler enforces admin-only."""
    member = new_user(local_runtime, "member")
    refused = requests.post(
        f"{local_runtime.api_url}/aws-cost-import/all", headers={"Authorization": member.id_token}, timeout=30
    )
    assert refused.status_code == 403, refused.text
    assert refused.json()["error"] == "forbidden"

    admin_email, admin_password = "admin-import@example.com", "Admin-pass-123!"
    local_runtime.create_user(admin_email, admin_password, admin=True)
    token = local_runtime.id_token(admin_email, admin_password)
    accepted = requests.post(
        f"{local_runtime.api_url}/aws-cost-import/all", headers={"Authorization": token}, timeout=30
    )
    assert accepted.status_code == 202, accepted.text
    assert local_runtime.wait_for_queue(120)


def test_a_role_connection_imports_the_demo_bill(local_runtime: LocalRuntime) -> None:
    """The recommended way to connect (a role in the user's own account) works locally end to end."""
    user = new_user(local_runtime, "role")
    headers = {"Authorization": user.id_token}
    setup = requests.get(f"{local_runtime.api_url}/aws-credentials/role-setup", headers=headers, timeout=30)
    assert setup.status_code == 200, setup.text
    connected = requests.post(
        f"{local_runtime.api_url}/aws-credentials",
        json={"type": "role", "roleArn": "arn:aws:iam::111122223333:role/OutlayCostReader"},
        headers=headers,
        timeout=30,
    )
    assert connected.status_code == 200, connected.text
    run = requests.post(f"{local_runtime.api_url}/aws-cost-import", json={}, headers=headers, timeout=120)
    assert run.status_code == 200, run.text
    assert run.json()["status"] == "succeeded", run.text
    assert run.json()["accountId"] == "111122223333"
    listed = requests.get(
        f"{local_runtime.api_url}/expenses", headers=headers, params={"vendor": "AWS - "}, timeout=30
    ).json()["items"]
    assert {f"AWS - {service}" for service in DEMO_SERVICES} <= {e["vendor"] for e in listed}
