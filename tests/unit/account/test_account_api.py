"""Account self-service end to end against moto: the inventory names every kind, the export holds
every kind and never a secret, and deletion leaves nothing of the user while sparing everybody else."""

from __future__ import annotations

import json
from typing import Any

import pytest
from outlay import tables
from outlay.dal.wiring import build_account_service

from .conftest import CREDENTIALS_TABLE_NAME, KEY_ID, MONTHS, SECRET, World


def _export_document(world: World, sub: str) -> tuple[str, dict[str, Any]]:
    listed = world.s3.list_objects_v2(Bucket=world.receipts_bucket, Prefix=f"{sub}/exports/")
    keys = [o["Key"] for o in listed.get("Contents", []) if o["Key"].endswith(".json")]
    assert len(keys) == 1
    text = world.s3.get_object(Bucket=world.receipts_bucket, Key=keys[0])["Body"].read().decode()
    return text, json.loads(text)


def _envelope_strings(world: World, sub: str) -> list[str]:
    item = world.ddb.get_item(TableName=CREDENTIALS_TABLE_NAME, Key={"userId": {"S": sub}})["Item"]
    [entry] = item["connections"]["M"].values()
    secret = entry["M"]["secret"]["M"]
    values = [v.get("S") or v.get("B") for v in secret.values()]
    strings = [v.decode("latin-1") if isinstance(v, bytes) else v for v in values if v]
    assert any(len(s) >= 16 for s in strings)  # the ciphertext and the encrypted data key are there
    return [s for s in strings if len(s) >= 16]


def test_inventory_counts_each_kind_of_the_callers_data(world: World) -> None:
    status, body = world.call("GET", "/account", world.alice)

    assert status == 200
    assert body["userId"] == world.alice.sub
    assert body["confirmation"] == "DELETE"
    counts = body["counts"]
    assert counts["expenses"] == len(MONTHS)
    assert counts["receipts"] == 1
    assert counts["categories"] == 1
    assert counts["importRuns"] == 1
    assert counts["exports"] == 1  # the CSV export made while filling
    assert counts["connections"] == 1
    assert counts["lakeMonths"] == len(MONTHS)
    assert counts["otherItems"] >= 2  # profile, monthly totals, the unknown kind


def test_export_holds_every_kind_and_never_a_secret(world: World) -> None:
    ciphertexts = _envelope_strings(world, world.alice.sub)

    status, body = world.call("POST", "/account/export", world.alice)

    assert status == 200
    assert body["url"].startswith("https://")
    assert body["counts"]["expenses"] == len(MONTHS)
    text, document = _export_document(world, world.alice.sub)
    assert document["user"] == {"id": world.alice.sub, "email": world.alice.email}
    assert document["profile"] == {"defaultCurrency": "EUR"}
    assert document["categories"] == ["Coffee beans"]
    assert sorted(e["date"][:7] for e in document["expenses"]) == list(MONTHS)
    assert {e["amount"] for e in document["expenses"]} == {"12.10"}
    with_receipt = [e for e in document["expenses"] if "receipt" in e]
    assert len(with_receipt) == 1
    assert with_receipt[0]["receipt"]["contentType"] == "image/png"
    assert tables.receipt_key(world.alice.sub, with_receipt[0]["id"]) in with_receipt[0]["receipt"]["url"]
    [connection] = document["connections"]
    assert connection["type"] == "keys"
    assert connection["accessKeyId"] == f"{KEY_ID[:4]}…{KEY_ID[-4:]}"
    assert [run["runId"] for run in document["importHistory"]] == ["run1"]
    # No secret: not the key, not its envelope, not even the envelope's field names.
    assert SECRET not in text
    assert KEY_ID not in text
    for value in ciphertexts:
        assert value not in text
    assert "ciphertext" not in text
    assert "encryptedDataKey" not in text
    # Nothing of another user.
    assert world.bob.sub not in text


def test_export_refuses_more_expenses_than_one_request_can_hold(world: World) -> None:
    service = build_account_service(
        expenses_table=world.expenses_table,
        credentials_table=CREDENTIALS_TABLE_NAME,
        receipts_bucket=world.receipts_bucket,
        lake_bucket=world.lake_bucket,
        user_pool_id=world.pool_id,
    )
    service.max_export_expenses = len(MONTHS) - 1
    from outlay.handlers import account_api

    account_api.service.use(service)

    status, body = world.call("POST", "/account/export", world.alice)

    assert status == 413
    assert "CSV" in body["message"]
    listed = world.s3.list_objects_v2(Bucket=world.receipts_bucket, Prefix=f"{world.alice.sub}/exports/")
    assert not [o for o in listed.get("Contents", []) if o["Key"].endswith(".json")]  # aborted, no file


@pytest.mark.parametrize("confirm", ["delete", "DELETE ", "", "yes"])
def test_delete_without_the_exact_confirmation_deletes_nothing(world: World, confirm: str) -> None:
    before = world.snapshot(world.alice)

    status, body = world.call("DELETE", "/account", world.alice, body={"confirm": confirm})

    assert status == 400
    assert body["details"][0]["field"] == "confirm"
    assert world.snapshot(world.alice) == before
    assert world.idp.admin_get_user(UserPoolId=world.pool_id, Username=world.alice.sub)


def test_delete_leaves_nothing_of_the_user_and_spares_the_others(world: World) -> None:
    bob_before = world.snapshot(world.bob)
    alice_before = world.snapshot(world.alice)
    assert all(alice_before.values())  # she has something everywhere, old versions included

    status, body = world.call("DELETE", "/account", world.alice, body={"confirm": "DELETE"})

    assert status == 200
    assert body["status"] == "deleted"
    assert body["itemsDeleted"] == len(alice_before["expenses"]) + 1
    assert world.snapshot(world.alice) == {"expenses": [], "credentials": [], "receipts": [], "lake": []}
    with pytest.raises(world.idp.exceptions.UserNotFoundException):
        world.idp.admin_get_user(UserPoolId=world.pool_id, Username=world.alice.sub)
    assert world.snapshot(world.bob) == bob_before
    assert world.idp.admin_get_user(UserPoolId=world.pool_id, Username=world.bob.sub)
    # A retry after success (the browser did not see the answer) is harmless.
    assert world.call("DELETE", "/account", world.alice, body={"confirm": "DELETE"})[0] == 200


def test_deletion_out_of_time_keeps_the_sign_in_until_a_later_call_finishes(world: World) -> None:
    service = build_account_service(
        expenses_table=world.expenses_table,
        credentials_table=CREDENTIALS_TABLE_NAME,
        receipts_bucket=world.receipts_bucket,
        lake_bucket=world.lake_bucket,
        user_pool_id=world.pool_id,
    )

    first = service.delete(world.alice.sub, "DELETE", time_up=lambda: True)

    assert first.status == "in_progress"
    assert first.items_deleted > 0
    # The user can still sign in and call again: the sign-in goes last.
    assert world.idp.admin_get_user(UserPoolId=world.pool_id, Username=world.alice.sub)
    assert world.snapshot(world.alice)["receipts"]

    second = service.delete(world.alice.sub, "DELETE")

    assert second.status == "deleted"
    assert world.snapshot(world.alice) == {"expenses": [], "credentials": [], "receipts": [], "lake": []}


def test_export_holds_the_aws_cost_rules(world: World) -> None:
    from outlay.dal.cost_rules import CostRulesStore
    from outlay.models.cost_rules import CostRules

    rule = {
        "match": "tag",
        "tagKey": "project",
        "value": "acme",
        "category": "Coffee beans",
        "tags": ["acme"],
    }
    rules = CostRules.model_validate(
        {"rules": [rule], "credits": "omit", "updatedAt": "2026-11-02T00:00:00.000Z"}
    )
    CostRulesStore(world.expenses_table, dynamodb_client=world.ddb).put(world.alice.sub, rules)

    assert world.call("POST", "/account/export", world.alice)[0] == 200
    _, document = _export_document(world, world.alice.sub)
    assert document["awsCostRules"]["credits"] == "omit"
    assert [(r["tagKey"], r["value"], r["category"]) for r in document["awsCostRules"]["rules"]] == [
        ("project", "acme", "Coffee beans")
    ]
    assert world.call("POST", "/account/export", world.bob)[0] == 200
    _, theirs = _export_document(world, world.bob.sub)
    assert theirs["awsCostRules"] == {"rules": [], "credits": "show", "updatedAt": None}
