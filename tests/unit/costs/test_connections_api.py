"""/aws-connections: a collection of AWS connections, the seed's /aws-credentials on the first one,
the lazy migration of a one-connection item, and per-connection import history (moto)."""

from __future__ import annotations

from typing import Any

from outlay.dal.connections_repo import LEGACY_ID
from outlay.logic.cost_import import expense_id
from outlay.logic.costs_service import CostsService
from outlay.models.connections import MAX_CONNECTIONS

from .conftest import (
    CREDENTIALS,
    KEYS,
    MOTO_DEFAULT_ACCOUNT,
    OCTOBER_GROUPS,
    Moto,
    call,
    ce_result,
    repo,
)

ROLE_A = "arn:aws:iam::111122223333:role/OutlayCostExplorerReadOnly"
ROLE_B = "arn:aws:iam::444455556666:role/OutlayCostExplorerReadOnly"


def role(arn: str, **extra: Any) -> dict[str, Any]:
    return {"type": "role", "roleArn": arn, **extra}


def test_add_list_rename_pause_and_delete_connections(service: CostsService) -> None:
    assert call("GET", "/aws-connections") == (200, {"items": []})
    status, keys = call("POST", "/aws-connections", body={**KEYS, "name": "Personal"})
    assert status == 201 and keys["name"] == "Personal" and keys["accountId"] == MOTO_DEFAULT_ACCOUNT
    assert keys["type"] == "keys" and keys["accessKeyId"] == "AKIA…MPLE" and "secret" not in keys
    status, work = call("POST", "/aws-connections", body=role(ROLE_A, name="Work"))
    assert status == 201 and work["accountId"] == "111122223333" and work["roleArn"] == ROLE_A
    assert work["isOrganization"] is False and work["enabled"] is True

    items = call("GET", "/aws-connections")[1]["items"]
    assert [c["name"] for c in items] == ["Personal", "Work"]
    assert call("GET", f"/aws-connections/{work['id']}")[1]["accountId"] == "111122223333"

    status, renamed = call(
        "PATCH", f"/aws-connections/{work['id']}", body={"name": "Client", "enabled": False}
    )
    assert status == 200 and renamed["name"] == "Client" and renamed["enabled"] is False
    status, body = call("PATCH", f"/aws-connections/{work['id']}", body={})
    assert status == 400

    status, body = call("DELETE", f"/aws-connections/{work['id']}")
    assert status == 200 and "Client" in body["message"]
    assert [c["id"] for c in call("GET", "/aws-connections")[1]["items"]] == [keys["id"]]
    assert call("GET", f"/aws-connections/{work['id']}")[0] == 404
    assert call("DELETE", f"/aws-connections/{work['id']}")[0] == 404


def test_the_same_account_twice_is_a_409_naming_it(service: CostsService, moto_aws: Moto) -> None:
    assert call("POST", "/aws-connections", body=role(ROLE_A, name="Work"))[0] == 201
    status, body = call("POST", "/aws-connections", body=role(ROLE_A, name="Again"))
    assert status == 409 and "111122223333" in body["message"] and "'Work'" in body["message"]
    assert len(moto_aws.connection_ids("user-a")) == 1


def test_at_most_twenty_connections(service: CostsService, moto_aws: Moto) -> None:
    for i in range(MAX_CONNECTIONS):
        arn = f"arn:aws:iam::{100000000000 + i}:role/R"
        assert call("POST", "/aws-connections", body=role(arn))[0] == 201
    status, body = call("POST", "/aws-connections", body=role("arn:aws:iam::999999999999:role/R"))
    assert status == 409 and "20" in body["message"]
    assert len(moto_aws.connection_ids("user-a")) == MAX_CONNECTIONS


def test_connections_are_the_callers_own(service: CostsService) -> None:
    _, mine = call("POST", "/aws-connections", body=KEYS)
    assert call("GET", "/aws-connections", sub="user-b")[1] == {"items": []}
    assert call("GET", f"/aws-connections/{mine['id']}", sub="user-b")[0] == 404
    assert call("PATCH", f"/aws-connections/{mine['id']}", sub="user-b", body={"name": "x"})[0] == 404
    assert call("DELETE", f"/aws-connections/{mine['id']}", sub="user-b")[0] == 404
    assert call("GET", f"/aws-connections/{mine['id']}")[0] == 200


def test_seed_credentials_act_on_the_first_connection(service: CostsService) -> None:
    _, first = call("POST", "/aws-connections", body=role(ROLE_A, name="First"))
    call("POST", "/aws-connections", body=role(ROLE_B, name="Second"))
    status = call("GET", "/aws-credentials")[1]
    assert status["configured"] is True and status["accountId"] == "111122223333"
    assert call("PUT", "/aws-credentials/toggle", body={"enabled": False})[0] == 200
    by_name = {c["name"]: c for c in call("GET", "/aws-connections")[1]["items"]}
    assert by_name["First"]["enabled"] is False and by_name["Second"]["enabled"] is True
    # POST replaces the first connection's method, keeping its id and name
    assert call("POST", "/aws-credentials", body=KEYS)[0] == 200
    by_name = {c["name"]: c for c in call("GET", "/aws-connections")[1]["items"]}
    assert by_name["First"]["id"] == first["id"] and by_name["First"]["type"] == "keys"
    # ... but not onto an account another connection has
    status, body = call("POST", "/aws-credentials", body=role(ROLE_B))
    assert status == 409 and "'Second'" in body["message"]
    assert call("DELETE", "/aws-credentials")[0] == 200
    assert [c["name"] for c in call("GET", "/aws-connections")[1]["items"]] == ["Second"]
    assert call("GET", "/aws-credentials")[1]["accountId"] == "444455556666"


def legacy_item(moto_aws: Moto, sub: str = "user-a") -> None:
    """What a deployed user's item looked like with one connection in top-level fields."""
    call("POST", "/aws-credentials", body=KEYS, sub=sub)
    entry = moto_aws.credentials_item(sub)
    assert entry is not None
    top = {k: v for k, v in entry.items() if k not in ("name", "isOrganization")}
    moto_aws.ddb.put_item(TableName=CREDENTIALS, Item=top)


def test_a_legacy_connection_is_migrated_once_and_keeps_its_lines(
    service: CostsService, moto_aws: Moto
) -> None:
    legacy_item(moto_aws)
    moto_aws.queue_ce(
        [ce_result("2026-10-01", "2026-11-01", OCTOBER_GROUPS)], account_id=MOTO_DEFAULT_ACCOUNT
    )
    # the line ids the one-connection importer gave: sha of (user, account, month, line)
    lines = (
        "service:Amazon Simple Storage Service",
        "service:Amazon Elastic Compute Cloud - Compute",
        "record:Credit",
        "record:Tax",
    )
    before = {expense_id("user-a", MOTO_DEFAULT_ACCOUNT, "2026-10", line) for line in lines}

    items = call("GET", "/aws-connections")[1]["items"]
    assert [(c["id"], c["accountId"], c["type"]) for c in items] == [
        (LEGACY_ID, MOTO_DEFAULT_ACCOUNT, "keys")
    ]
    # reads never write (the worker and the account function may only read the table) ...
    stored = moto_aws.ddb.get_item(TableName=CREDENTIALS, Key={"userId": {"S": "user-a"}})["Item"]
    assert "connections" not in stored and stored["type"]["S"] == "keys"

    run = call("POST", "/aws-cost-import", body={"month": "2026-10"})[1]
    assert run["status"] == "succeeded" and run["connectionId"] == LEGACY_ID
    ids = {e.id for e in repo(moto_aws).month_expenses("user-a", "2026", "10")}
    assert ids == before
    # ... the first change migrates, once, under the same id: the same lines, no duplicates
    assert call("PATCH", f"/aws-connections/{LEGACY_ID}", body={"name": "Main"})[1]["name"] == "Main"
    stored = moto_aws.ddb.get_item(TableName=CREDENTIALS, Key={"userId": {"S": "user-a"}})["Item"]
    assert "type" not in stored and "secret" not in stored and list(stored["connections"]["M"]) == [LEGACY_ID]
    assert call("PATCH", f"/aws-connections/{LEGACY_ID}", body={"enabled": False})[0] == 200
    again = call("POST", "/aws-cost-import", body={"month": "2026-10"})[1]
    assert again["connectionId"] == LEGACY_ID and again["expensesCreated"] == 0
    assert again["expensesUnchanged"] == run["expensesCreated"]
    assert {e.id for e in repo(moto_aws).month_expenses("user-a", "2026", "10")} == ids


def test_dispatcher_migrated_and_legacy_items_both_import(service: CostsService, moto_aws: Moto) -> None:
    legacy_item(moto_aws, "old-user")
    call("POST", "/aws-connections", body=role(ROLE_A), sub="new-user")
    call("POST", "/aws-connections", body=role(ROLE_B, enabled=False), sub="new-user")
    result = service.enqueue_all("schedule", "monthly")
    assert result == {"users": 2, "connections": 2, "queued": 2, "failed": 0}


def test_each_connection_has_its_own_import_history(service: CostsService, moto_aws: Moto) -> None:
    _, a = call("POST", "/aws-connections", body=role(ROLE_A))
    _, b = call("POST", "/aws-connections", body=role(ROLE_B))
    for account in ("111122223333", "444455556666"):
        moto_aws.queue_ce([ce_result("2026-10-01", "2026-11-01", OCTOBER_GROUPS)], account_id=account)
    run_a = call("POST", "/aws-cost-import", body={"month": "2026-10", "connectionId": a["id"]})[1]
    run_b = call("POST", "/aws-cost-import", body={"month": "2026-10", "connectionId": b["id"]})[1]
    assert run_a["accountId"] == "111122223333" and run_b["accountId"] == "444455556666"
    history_a = call("GET", f"/aws-connections/{a['id']}/history")[1]
    assert [r["runId"] for r in history_a["items"]] == [run_a["runId"]]
    assert call("GET", f"/aws-connections/{b['id']}")[1]["lastImport"]["runId"] == run_b["runId"]
    accounts = {e.aws.account_id for e in repo(moto_aws).month_expenses("user-a", "2026", "10") if e.aws}
    assert accounts == {"111122223333", "444455556666"}
    assert call("POST", "/aws-cost-import", body={"connectionId": "nope"})[0] == 404
