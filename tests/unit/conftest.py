"""Shared moto fixtures for unit tests: an expenses table built from `outlay.tables.EXPENSES_TABLE`,
the receipts and lake buckets, fake credentials and the function env vars. Generic on purpose: any
bounded context's unit tests can use them. The network is blocked; moto's mocks are in-process."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from outlay import tables
from outlay.models.settings import load

from local.provision import table_definition

REGION = "us-east-1"
EXPENSES_TABLE_NAME = "outlay-test-expenses"
RECEIPTS_BUCKET_NAME = "outlay-test-receipts"
LAKE_BUCKET_NAME = "outlay-test-lake"


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Unit tests never leave the process: any outbound connection is an error."""

    def guarded_connect(self: socket.socket, address: Any) -> None:
        raise RuntimeError(f"unit tests must not use the network (tried {address!r})")

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", guarded_connect)


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fake credentials + the env vars every function reads; settings cache cleared around the test."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "EXPENSES_TABLE": EXPENSES_TABLE_NAME,
        "RECEIPTS_BUCKET": RECEIPTS_BUCKET_NAME,
        "LAKE_BUCKET": LAKE_BUCKET_NAME,
        "ALLOWED_ORIGINS": "https://app.example.com,http://localhost:8000",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_NAMESPACE": "Outlay",
        "POWERTOOLS_SERVICE_NAME": "outlay-test",
        "POWERTOOLS_DEV": "false",
    }.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    load.cache_clear()
    yield
    load.cache_clear()


@pytest.fixture
def aws(aws_env: None) -> Iterator[None]:
    with mock_aws():
        yield


def create_table(client: Any, spec: tables.TableSpec, name: str) -> None:
    """Create a table exactly as the spec says, with the local runtime's own definition of it."""
    client.create_table(**(table_definition(spec) | {"TableName": name}))


@pytest.fixture
def dynamodb_client(aws: None) -> Any:
    return boto3.client("dynamodb", region_name=REGION)


@pytest.fixture
def s3_client(aws: None) -> Any:
    return boto3.client("s3", region_name=REGION)


@pytest.fixture
def expenses_table(dynamodb_client: Any) -> str:
    create_table(dynamodb_client, tables.EXPENSES_TABLE, EXPENSES_TABLE_NAME)
    return EXPENSES_TABLE_NAME


@pytest.fixture
def receipts_bucket(s3_client: Any) -> str:
    s3_client.create_bucket(Bucket=RECEIPTS_BUCKET_NAME)
    return RECEIPTS_BUCKET_NAME


@pytest.fixture
def lake_bucket(s3_client: Any) -> str:
    s3_client.create_bucket(Bucket=LAKE_BUCKET_NAME)
    return LAKE_BUCKET_NAME
