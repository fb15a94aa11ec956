"""The account adapters' failure paths: throttled batch deletes are retried for exactly what is left,
and a deletion AWS refuses is an error (never reported as done)."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from outlay.dal import account_data
from outlay.dal.account_data import ObjectVersions, PartitionItems
from outlay.logic.errors import UpstreamUnavailableError

TABLE = "t"


def _delete(sk: str) -> dict[str, Any]:
    return {"DeleteRequest": {"Key": {"pk": {"S": "USER#u1"}, "sk": {"S": sk}}}}


@pytest.fixture(autouse=True)
def _no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(account_data.time, "sleep", lambda _: None)


def _ddb() -> Any:
    return boto3.client("dynamodb", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")


def test_unprocessed_deletes_are_retried_until_none_is_left() -> None:
    client = _ddb()
    stub = Stubber(client)
    stub.add_response(
        "batch_write_item",
        {"UnprocessedItems": {TABLE: [_delete("EXPENSE#b")]}},
        {"RequestItems": {TABLE: [_delete("EXPENSE#a"), _delete("EXPENSE#b")]}},
    )
    stub.add_response(
        "batch_write_item", {"UnprocessedItems": {}}, {"RequestItems": {TABLE: [_delete("EXPENSE#b")]}}
    )
    with stub:
        PartitionItems(TABLE, dynamodb_client=client).delete("u1", ["EXPENSE#a", "EXPENSE#b"])
    stub.assert_no_pending_responses()


def test_deletes_still_throttled_after_the_retries_are_an_error() -> None:
    client = _ddb()
    stub = Stubber(client)
    for _ in range(account_data.RETRIES):
        stub.add_response("batch_write_item", {"UnprocessedItems": {TABLE: [_delete("EXPENSE#a")]}})
    with stub, pytest.raises(UpstreamUnavailableError):
        PartitionItems(TABLE, dynamodb_client=client).delete("u1", ["EXPENSE#a"])


def test_an_object_version_s3_refuses_to_delete_is_an_error() -> None:
    client = boto3.client("s3", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
    stub = Stubber(client)
    stub.add_response(
        "list_object_versions",
        {"Versions": [{"Key": "u1/receipts/a", "VersionId": "v1"}], "IsTruncated": False},
    )
    stub.add_response(
        "delete_objects",
        {"Errors": [{"Key": "u1/receipts/a", "VersionId": "v1", "Code": "AccessDenied", "Message": "no"}]},
    )
    with stub, pytest.raises(UpstreamUnavailableError):
        ObjectVersions("b", s3_client=client).purge("u1/")


def test_deleting_page_by_page_reaches_every_item_of_the_partition_and_only_it(
    expenses_table: str, dynamodb_client: Any
) -> None:
    for sub, count in (("u1", 7), ("u2", 3)):
        for n in range(count):
            dynamodb_client.put_item(
                TableName=expenses_table,
                Item={
                    "pk": {"S": f"USER#{sub}"},
                    "sk": {"S": f"KIND{n % 3}#{n}"},
                    "date": {"S": "2026-01-02"},
                },
            )
    partition = PartitionItems(expenses_table, dynamodb_client=dynamodb_client)

    seen = 0
    for page in partition.pages("u1", page_size=2):  # deleting while the Query goes on
        assert len(page) <= 2
        partition.delete("u1", [item.sk for item in page])
        seen += len(page)

    assert seen == 7
    assert (
        dynamodb_client.query(
            TableName=expenses_table,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": "USER#u1"}},
        )["Count"]
        == 0
    )
    assert (
        dynamodb_client.query(
            TableName=expenses_table,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": "USER#u2"}},
        )["Count"]
        == 3
    )
