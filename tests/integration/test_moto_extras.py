"""What the runtime adds to moto keeps AWS's semantics (a failed transaction writes and streams
nothing) and keeps memory proportional to the data held, not to the number of writes."""

from __future__ import annotations

import gc
from decimal import Decimal
from typing import Any

import pytest
import requests
from moto.dynamodb.models.dynamo_type import Item
from moto.dynamodb.models.table import Table

from local.pytest_plugin import SignedInUser
from local.runtime import LocalRuntime


def _live(kind: type) -> int:
    gc.collect()
    return sum(1 for obj in gc.get_objects() if type(obj) is kind)


def _stored_items(runtime: LocalRuntime) -> int:
    return sum(len(table) for table in runtime.aws.backend("dynamodb").tables.values())


def _stream_end(runtime: LocalRuntime, table: str) -> int:
    """The next sequence number of the table's stream (trimming moves its start, not its end)."""
    shard: Any = runtime.aws.backend("dynamodb").tables[table].stream_shard
    return int(shard.starting_sequence_number) + len(shard.items)


def test_transactional_writes_keep_no_table_copies_or_item_versions_alive(
    local_runtime: LocalRuntime, alice: SignedInUser
) -> None:
    writes = 40
    tables, items, stored = _live(Table), _live(Item), _stored_items(local_runtime)
    for n in range(writes):  # each one a TransactWriteItems (expense + monthly summary)
        created = requests.post(
            f"{local_runtime.api_url}/expenses",
            json={"amount": f"{n + 1}.00", "currency": "USD", "category": "Food", "vendor": f"Shop {n}"},
            headers=alice.headers,
            timeout=30,
        )
        assert created.status_code == 201, created.text
    assert _stored_items(local_runtime) - stored >= writes
    assert _live(Table) == tables
    # Every live item version is one the tables hold: none kept by a backup or a tracker.
    assert _live(Item) - items <= _stored_items(local_runtime) - stored


def test_a_cancelled_transaction_writes_and_streams_nothing(local_runtime: LocalRuntime) -> None:
    ddb = local_runtime.client("dynamodb")
    table = local_runtime.resources.expenses_table  # type: ignore[union-attr]
    key = {"pk": {"S": "USER#txn-test"}, "sk": {"S": "SUMMARY#2026-01#USD#Food"}}
    ddb.put_item(TableName=table, Item={**key, "total": {"N": "10"}})
    stream_end = _stream_end(local_runtime, table)
    with pytest.raises(ddb.exceptions.TransactionCanceledException):
        ddb.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": table,
                        "Item": {
                            "pk": {"S": "USER#txn-test"},
                            "sk": {"S": "EXPENSE#new"},
                            "dateKey": {"S": "x"},
                        },
                    }
                },
                {
                    "Update": {
                        "TableName": table,
                        "Key": key,
                        "UpdateExpression": "ADD #t :one",
                        "ExpressionAttributeNames": {"#t": "total"},
                        "ExpressionAttributeValues": {":one": {"N": "1"}},
                    }
                },
                {
                    "ConditionCheck": {
                        "TableName": table,
                        "Key": {"pk": {"S": "USER#txn-test"}, "sk": {"S": "PROFILE"}},
                        "ConditionExpression": "attribute_exists(pk)",
                    }
                },
            ]
        )
    assert "Item" not in ddb.get_item(
        TableName=table, Key={"pk": {"S": "USER#txn-test"}, "sk": {"S": "EXPENSE#new"}}
    )
    assert ddb.get_item(TableName=table, Key=key)["Item"]["total"] == {"N": "10"}
    assert _stream_end(local_runtime, table) == stream_end  # nothing streamed for the lake either


def test_reading_the_stream_keeps_a_bounded_number_of_shard_iterators(
    local_runtime: LocalRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    from local import moto_extras

    monkeypatch.setattr(moto_extras, "MAX_SHARD_ITERATORS", 5)
    streams = local_runtime.client("dynamodbstreams")
    arn = local_runtime.resources.stream_arn  # type: ignore[union-attr]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="LATEST")
    iterator = iterator["ShardIterator"]
    for _ in range(20):  # an idle poller: each read hands out a new iterator
        iterator = streams.get_records(ShardIterator=iterator, Limit=1)["NextShardIterator"]
    assert len(local_runtime.aws.backend("dynamodbstreams").shard_iterators) <= 5
    streams.get_records(ShardIterator=iterator, Limit=1)  # the newest one still reads


def test_cost_forecast_is_answered_for_the_requested_period(local_runtime: LocalRuntime) -> None:
    forecast = local_runtime.client("ce").get_cost_forecast(
        TimePeriod={"Start": "2026-11-21", "End": "2026-12-01"},
        Metric="UNBLENDED_COST",
        Granularity="MONTHLY",
    )
    assert forecast["Total"]["Unit"] == "USD"
    assert Decimal(forecast["Total"]["Amount"]) > 0
    assert forecast["ForecastResultsByTime"][0]["TimePeriod"] == {"Start": "2026-11-21", "End": "2026-12-01"}
