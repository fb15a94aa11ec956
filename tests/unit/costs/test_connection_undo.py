"""Undo after deleting an AWS connection: for `RESTORE_MINUTES` the same connection (id, name,
account, method, sealed keys, history) can be put back; after that it is forgotten (moto)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from outlay.handlers import costs_api
from outlay.logic.costs_service import CostsService
from outlay.models.connections import RESTORE_MINUTES

from .conftest import CREDENTIALS, KEYS, MOTO_DEFAULT_ACCOUNT, NOW, OCTOBER_GROUPS, Moto, call, ce_result

ROLE = {"type": "role", "roleArn": "arn:aws:iam::111122223333:role/OutlayCostExplorerReadOnly"}


class MovingClock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now

    def advance(self, minutes: float) -> None:
        self.now += timedelta(minutes=minutes)


@pytest.fixture
def clock(make_service: Callable[..., CostsService]) -> MovingClock:
    moving = MovingClock()
    costs_api.service.use(make_service(clock=moving))
    return moving


def removed_ids(moto_aws: Moto, sub: str = "user-a") -> list[str]:
    item = moto_aws.ddb.get_item(TableName=CREDENTIALS, Key={"userId": {"S": sub}}).get("Item") or {}
    return sorted(item.get("removedConnections", {}).get("M", {}))


def stored_entry(moto_aws: Moto, connection_id: str, sub: str = "user-a") -> dict[str, Any]:
    item = moto_aws.ddb.get_item(TableName=CREDENTIALS, Key={"userId": {"S": sub}})["Item"]
    entry: dict[str, Any] = item["connections"]["M"][connection_id]
    return entry


def test_undo_brings_back_the_same_connection_with_its_sealed_keys(
    clock: MovingClock, moto_aws: Moto
) -> None:
    _, keys = call("POST", "/aws-connections", body={**KEYS, "name": "Personal"})
    sealed_before = stored_entry(moto_aws, keys["id"])
    assert "secret" in sealed_before["M"]

    status, deleted = call("DELETE", f"/aws-connections/{keys['id']}")
    assert status == 200 and deleted["restoreUntil"] == "2026-11-21T21:10:00.000Z"
    assert call("GET", "/aws-connections")[1] == {"items": []}

    clock.advance(RESTORE_MINUTES - 1)
    status, restored = call("POST", f"/aws-connections/{keys['id']}/restore")
    assert status == 200
    assert {k: restored[k] for k in ("id", "name", "accountId", "type", "accessKeyId", "createdAt")} == {
        k: keys[k] for k in ("id", "name", "accountId", "type", "accessKeyId", "createdAt")
    }
    assert stored_entry(moto_aws, keys["id"]) == sealed_before  # the same envelope, nothing re-sealed
    assert removed_ids(moto_aws) == []
    # ... and it imports again: the restored secret still opens
    october = ce_result("2026-10-01", "2026-11-01", OCTOBER_GROUPS)
    moto_aws.queue_ce([october], account_id=MOTO_DEFAULT_ACCOUNT)
    run = call("POST", "/aws-cost-import", body={"month": "2026-10", "connectionId": keys["id"]})[1]
    assert run["status"] == "succeeded" and run["expensesCreated"] == 4


def test_a_connection_cannot_be_restored_after_the_undo_time(clock: MovingClock, moto_aws: Moto) -> None:
    _, role = call("POST", "/aws-connections", body=ROLE)
    call("DELETE", f"/aws-connections/{role['id']}")
    clock.advance(RESTORE_MINUTES)

    status, body = call("POST", f"/aws-connections/{role['id']}/restore")
    assert status == 404 and f"{RESTORE_MINUTES} minutes" in body["message"]
    # listing forgets the expired removal, so nothing of it stays in the item
    assert removed_ids(moto_aws) == [role["id"]]
    assert call("GET", "/aws-connections")[1] == {"items": []}
    assert removed_ids(moto_aws) == []


def test_restoring_onto_an_account_connected_again_is_a_409(clock: MovingClock, moto_aws: Moto) -> None:
    _, first = call("POST", "/aws-connections", body={**ROLE, "name": "Work"})
    call("DELETE", f"/aws-connections/{first['id']}")
    assert call("POST", "/aws-connections", body={**ROLE, "name": "Work again"})[0] == 201

    status, body = call("POST", f"/aws-connections/{first['id']}/restore")
    assert status == 409 and "'Work again'" in body["message"]
    assert [c["name"] for c in call("GET", "/aws-connections")[1]["items"]] == ["Work again"]
    assert removed_ids(moto_aws) == [first["id"]]  # still restorable once that one is deleted


def test_a_restore_is_the_callers_own_and_happens_once(clock: MovingClock) -> None:
    _, role = call("POST", "/aws-connections", body=ROLE)
    call("DELETE", f"/aws-connections/{role['id']}")
    assert call("POST", f"/aws-connections/{role['id']}/restore", sub="user-b")[0] == 404
    assert call("POST", f"/aws-connections/{role['id']}/restore")[0] == 200
    assert call("POST", f"/aws-connections/{role['id']}/restore")[0] == 404
    assert [c["id"] for c in call("GET", "/aws-connections")[1]["items"]] == [role["id"]]


def test_the_seed_credentials_delete_keeps_nothing_to_restore(clock: MovingClock, moto_aws: Moto) -> None:
    call("POST", "/aws-credentials", body=KEYS)
    (connection_id,) = moto_aws.connection_ids("user-a")
    assert call("DELETE", "/aws-credentials")[0] == 200
    assert removed_ids(moto_aws) == []
    assert call("POST", f"/aws-connections/{connection_id}/restore")[0] == 404
