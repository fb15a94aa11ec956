"""Rules from AWS to categories over real HTTP on the local runtime: the demo user's seeded rule, and
a user who saves a tag rule, imports (the tagged EC2 usage becomes its own line, and the month still
adds up to the bill), edits a line, changes the rules and re-imports (only unedited lines follow)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import requests
from outlay.logic import months as month_rules

from local.pytest_plugin import SignedInUser, new_user
from local.runtime import LocalRuntime
from local.seed import DEMO_RULE_CATEGORY, DEMO_TAGGED, demo_cost_results

EC2, TAG_KEY, TAG_VALUE, TAGGED_USD = DEMO_TAGGED


def _connected_user(rt: LocalRuntime) -> SignedInUser:
    user = new_user(rt, "rules")
    keys = {
        "type": "keys",
        "accessKeyId": "AKIA" + uuid.uuid4().hex[:16].upper(),
        "secretAccessKey": "integration-secret-" + uuid.uuid4().hex,
        "region": rt.region,
    }
    response = requests.post(f"{rt.api_url}/aws-credentials", headers=user.headers, json=keys, timeout=30)
    assert response.status_code == 200, response.text
    return user


def _import(rt: LocalRuntime, user: SignedInUser, month: str) -> dict[str, Any]:
    response = requests.post(
        f"{rt.api_url}/aws-cost-import", headers=user.headers, json={"month": month}, timeout=60
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def _month_lines(rt: LocalRuntime, user: SignedInUser, month: str) -> list[dict[str, Any]]:
    response = requests.get(
        f"{rt.api_url}/expenses", headers=user.headers, params={"month": month, "limit": 100}, timeout=30
    )
    assert response.status_code == 200, response.text
    return [e for e in response.json()["items"] if e["source"] == "aws"]


def _put_rules(rt: LocalRuntime, user: SignedInUser, body: dict[str, Any]) -> requests.Response:
    return requests.put(f"{rt.api_url}/aws-cost-rules", headers=user.headers, json=body, timeout=30)


def test_the_demo_user_has_the_seeded_tag_rule(local_runtime: LocalRuntime) -> None:
    token = local_runtime.id_token(local_runtime.demo_email, local_runtime.demo_password)
    response = requests.get(
        f"{local_runtime.api_url}/aws-cost-rules", headers={"Authorization": token}, timeout=30
    )
    assert response.status_code == 200, response.text
    [rule] = response.json()["rules"]
    assert (rule["match"], rule["tagKey"], rule["value"]) == ("tag", TAG_KEY, TAG_VALUE)
    assert rule["category"] == DEMO_RULE_CATEGORY


def test_rules_over_http_split_the_tagged_line_and_follow_only_unedited_lines(
    local_runtime: LocalRuntime,
) -> None:
    rt = local_runtime
    user = _connected_user(rt)
    month = month_rules.previous_month(datetime.now(UTC).date())

    bad = _put_rules(
        rt,
        user,
        {"rules": [{"match": "tag", "tagKey": TAG_KEY, "value": TAG_VALUE, "category": "Client work"}]},
    )
    assert bad.status_code == 400 and bad.json()["details"][0]["field"] == "rules.0.category"
    created = requests.post(
        f"{rt.api_url}/categories", headers=user.headers, json={"name": "Client work"}, timeout=30
    )
    assert created.status_code in (200, 201), created.text
    tag_rule = {
        "match": "tag",
        "tagKey": TAG_KEY,
        "value": TAG_VALUE,
        "category": "Client work",
        "tags": ["acme"],
    }
    assert _put_rules(rt, user, {"rules": [tag_rule]}).status_code == 200

    run = _import(rt, user, month)
    lines = _month_lines(rt, user, month)
    tagged = [e for e in lines if e["aws"]["line"].endswith(f"|tag:{TAG_KEY}={TAG_VALUE}")]
    assert len(tagged) == 1
    assert tagged[0]["vendor"] == f"AWS - {EC2}" and Decimal(tagged[0]["amount"]) == TAGGED_USD
    assert (tagged[0]["category"], tagged[0]["tags"]) == ("Client work", ["aws", "acme"])
    rest = next(e for e in lines if e["aws"]["line"] == f"service:{EC2}")
    assert rest["category"] == "Software"

    # The month's lines add up to the demo bill (each group rounded to cents, as the import does).
    bill = demo_cost_results(datetime.now(UTC).date(), months=1)[0]["ResultsByTime"][0]["Groups"]
    expected = sum(Decimal(g["Metrics"]["UnblendedCost"]["Amount"]).quantize(Decimal("0.01")) for g in bill)
    assert sum(Decimal(e["amount"]) for e in lines) == expected
    assert run["totals"] == [{"currency": "USD", "total": str(expected)}]

    # The user edits the tagged line's category; a new rule for EC2 moves the rest, not the edit.
    edit = requests.patch(
        f"{rt.api_url}/expenses/{tagged[0]['id']}",
        headers=user.headers,
        json={"category": "Other"},
        timeout=30,
    )
    assert edit.status_code == 200, edit.text
    ec2_rule = {"match": "service", "value": EC2, "category": "Utilities"}
    assert _put_rules(rt, user, {"rules": [ec2_rule, tag_rule]}).status_code == 200
    again = _import(rt, user, month)
    after = {e["aws"]["line"]: e for e in _month_lines(rt, user, month)}
    assert after[f"service:{EC2}"]["category"] == "Utilities"
    assert after[tagged[0]["aws"]["line"]]["category"] == "Other"
    assert (again["expensesCreated"], again["expensesUpdated"], again["expensesKeptUserEdits"]) == (0, 1, 1)
