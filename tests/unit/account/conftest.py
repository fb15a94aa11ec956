"""A moto world with two users who each hold every kind of data Outlay stores: expenses (three months,
one with a receipt replaced once, so the bucket keeps an older version), a category of their own, a
profile, an AWS connection whose secret is sealed in an envelope, an import run, a CSV export, the
data-lake objects of their months, and an item of a kind this context does not know."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from outlay import tables
from outlay.dal.import_runs import ImportRunsRepository
from outlay.dal.wiring import build_costs_service, build_lake_sync
from outlay.handlers import account_api
from outlay.handlers.wiring import reset_all
from outlay.logic.lake import UserMonth
from outlay.models.cost_import import ImportRun
from outlay.models.credentials import SaveCredentialsRequest
from outlay.models.settings import load

from local.envelope_lambda import LOCAL_ENVELOPE_FUNCTION, InProcessLambda
from local.envelope_lambda import install as install_envelope_lambda
from tests.unit.conftest import create_table
from tests.unit.costs.conftest import FakeContext
from tests.unit.expenses.expense_events import invoke as call_expenses
from tests.unit.expenses.expense_events import proxy_event

CREDENTIALS_TABLE_NAME = "outlay-test-credentials"
SECRET = "Zx9+Leak/CanaryS3cr3tValue0123456789ABCD"
KEY_ID = "AKIACANARYKEY0000042"
MONTHS = ("2026-08", "2026-09", "2026-10")


@dataclass
class User:
    email: str
    sub: str


@dataclass
class World:
    ddb: Any
    s3: Any
    idp: Any
    pool_id: str
    alice: User
    bob: User

    def call(self, method: str, path: str, user: User, body: Any = None) -> tuple[int, Any]:
        event = proxy_event(method, path, sub=user.sub, body=body)
        event["requestContext"]["authorizer"]["claims"]["email"] = user.email
        response = account_api.handler(event, FakeContext())  # type: ignore[arg-type]
        text = response.get("body")
        return response["statusCode"], (json.loads(text) if text else None)

    def items_of(self, table: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        for page in self.ddb.get_paginator("scan").paginate(TableName=table):
            items += page["Items"]
        return items

    def versions_of(self, bucket: str) -> list[str]:
        """Every object version and delete marker in the bucket, as keys."""
        keys: list[str] = []
        for page in self.s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
            keys += [v["Key"] for v in (*page.get("Versions", []), *page.get("DeleteMarkers", []))]
        return keys

    def snapshot(self, user: User) -> dict[str, Any]:
        """Everything of `user` in every table and bucket (keys, versions, items)."""
        needle = user.sub
        return {
            "expenses": sorted(
                json.dumps(i, sort_keys=True)
                for i in self.items_of(self.expenses_table)
                if needle in json.dumps(i)
            ),
            "credentials": [i for i in self.items_of(CREDENTIALS_TABLE_NAME) if needle in json.dumps(i)],
            "receipts": sorted(k for k in self.versions_of(self.receipts_bucket) if needle in k),
            "lake": sorted(k for k in self.versions_of(self.lake_bucket) if needle in k),
        }

    expenses_table: str = ""
    receipts_bucket: str = ""
    lake_bucket: str = ""


def _user(idp: Any, pool_id: str, email: str) -> User:
    created = idp.admin_create_user(
        UserPoolId=pool_id,
        Username=email,
        UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}],
        MessageAction="SUPPRESS",
    )["User"]
    return User(email=email, sub=next(a["Value"] for a in created["Attributes"] if a["Name"] == "sub"))


def _fill(world: World, user: User, key_id: str) -> None:
    """Every kind of data, through the same handlers and repositories the product uses."""
    sub = user.sub

    def expenses(method: str, path: str, body: Any = None) -> Any:
        reply = call_expenses(method, path, sub=sub, body=body)
        assert reply.status < 300, reply.text
        return reply.json

    expenses("POST", "/categories", {"name": "Coffee beans"})
    expenses("PUT", "/profile", {"defaultCurrency": "EUR"})
    ids = [
        expenses(
            "POST",
            "/expenses",
            {"amount": "12.10", "category": "Coffee beans", "date": f"{month}-15", "vendor": f"V{n}"},
        )["id"]
        for n, month in enumerate(MONTHS)
    ]
    expenses("POST", f"/expenses/{ids[0]}/receipt", {"contentType": "image/png"})
    receipt = tables.receipt_key(sub, ids[0])
    for content in (b"first scan", b"second scan"):  # the bucket keeps the replaced version
        world.s3.put_object(Bucket=world.receipts_bucket, Key=receipt, Body=content)
    expenses("GET", "/expenses/export")

    costs = build_costs_service(
        credentials_table=CREDENTIALS_TABLE_NAME,
        expenses_table=world.expenses_table,
        envelope_function=LOCAL_ENVELOPE_FUNCTION,
        lambda_client=InProcessLambda.for_key(key_id, boto3.client("kms")),
        service_account_id="999988887777",
        dynamodb_client=world.ddb,
    )
    costs.save(
        sub,
        SaveCredentialsRequest.model_validate({"accessKeyId": KEY_ID, "secretAccessKey": SECRET}),
    )
    ImportRunsRepository(world.expenses_table, dynamodb_client=world.ddb).put(
        sub,
        ImportRun.model_validate(
            {
                "runId": "run1",
                "startedAt": "2026-11-01T09:00:00.000Z",
                "trigger": "schedule",
                "months": ["2026-10"],
                "status": "succeeded",
            }
        ),
    )
    # An item of a kind account self-service does not know (another context's, added later).
    world.ddb.put_item(
        TableName=world.expenses_table,
        Item={"pk": {"S": tables.user_pk(sub)}, "sk": {"S": "SOMETHING-NEW#1"}, "note": {"S": "x"}},
    )
    lake = build_lake_sync(
        expenses_table=world.expenses_table, lake_bucket=world.lake_bucket, dynamodb_client=world.ddb
    )
    for month in MONTHS:  # what the stream's lake writer does
        year, mm = month.split("-")
        lake.rewrite_month(UserMonth(sub, year, mm))


@pytest.fixture
def world(
    aws: None,
    expenses_table: str,
    receipts_bucket: str,
    lake_bucket: str,
    dynamodb_client: Any,
    s3_client: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[World]:
    create_table(dynamodb_client, tables.CREDENTIALS_TABLE, CREDENTIALS_TABLE_NAME)
    for bucket in (receipts_bucket, lake_bucket):  # like the data stack's data buckets
        s3_client.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    key_id = boto3.client("kms").create_key(Description="outlay test")["KeyMetadata"]["KeyId"]
    idp = boto3.client("cognito-idp")
    pool_id = idp.create_user_pool(PoolName="outlay-test", UsernameAttributes=["email"])["UserPool"]["Id"]
    monkeypatch.setenv("CREDENTIALS_TABLE", CREDENTIALS_TABLE_NAME)
    monkeypatch.setenv("USER_POOL_ID", pool_id)
    monkeypatch.setenv("KMS_KEY_ID", key_id)
    monkeypatch.setenv("ENVELOPE_FUNCTION", LOCAL_ENVELOPE_FUNCTION)
    install_envelope_lambda()  # handlers built from env invoke it through moto
    load.cache_clear()
    reset_all()
    world = World(
        ddb=dynamodb_client,
        s3=s3_client,
        idp=idp,
        pool_id=pool_id,
        alice=_user(idp, pool_id, "alice@example.com"),
        bob=_user(idp, pool_id, "bob@example.com"),
        expenses_table=expenses_table,
        receipts_bucket=receipts_bucket,
        lake_bucket=lake_bucket,
    )
    for user in (world.alice, world.bob):
        _fill(world, user, key_id)
    yield world
    reset_all()
