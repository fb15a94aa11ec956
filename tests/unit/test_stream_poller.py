"""The local stream poller retries, bisects and gives up as the deployed DynamoDB stream mapping does
(outlay.event_sources.LAKE_STREAM): 1 + retry_attempts invocations, then the batch's coordinates go
to the failure queue and the stream moves on."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from outlay.event_sources import LAKE_STREAM

from local import pollers


class FakeStreams:
    """One shard holding `count` records with sequence numbers 1..count."""

    def __init__(self, count: int) -> None:
        created = datetime(2026, 11, 30, tzinfo=UTC)
        self.records = [
            {
                "eventID": str(n),
                "eventName": "INSERT",
                "dynamodb": {"SequenceNumber": str(n), "ApproximateCreationDateTime": created},
            }
            for n in range(1, count + 1)
        ]

    def describe_stream(self, StreamArn: str) -> dict[str, Any]:
        return {"StreamDescription": {"Shards": [{"ShardId": "shard-1"}]}}

    def get_shard_iterator(self, **_: Any) -> dict[str, Any]:
        return {"ShardIterator": "it-0"}

    def get_records(self, ShardIterator: str, Limit: int) -> dict[str, Any]:
        if ShardIterator == "it-0":
            return {"Records": self.records, "NextShardIterator": "it-1"}
        return {"Records": [], "NextShardIterator": "it-1"}


def _sequence(batch: list[dict[str, Any]]) -> list[str]:
    return [r["dynamodb"]["SequenceNumber"] for r in batch]


def _run(
    monkeypatch: pytest.MonkeyPatch, count: int, writer: Any
) -> tuple[pollers.StreamPoller, list[list[str]], list[dict[str, Any]]]:
    invocations: list[list[str]] = []
    failures: list[dict[str, Any]] = []

    def fake_invoke(entry: str, name: str, event: dict[str, Any], timeout_s: int = 30) -> Any:
        assert timeout_s == LAKE_STREAM.function_timeout_s
        invocations.append(_sequence(event["Records"]))
        return writer(_sequence(event["Records"]))

    monkeypatch.setattr(pollers, "invoke", fake_invoke)
    poller = pollers.StreamPoller(FakeStreams(count), "arn:stream", "us-east-1", on_failure=failures.append)
    assert poller.poll_once() is True
    assert poller.poll_once() is False  # the stream moved on: nothing pending any more
    assert poller.delivered == count
    return poller, invocations, failures


def test_a_failing_batch_is_retried_as_often_as_aws_then_recorded(monkeypatch: pytest.MonkeyPatch) -> None:
    def always_raises(_: list[str]) -> Any:
        raise RuntimeError("lake unavailable")

    poller, invocations, failures = _run(monkeypatch, 1, always_raises)
    assert len(invocations) == 1 + LAKE_STREAM.retry_attempts == 11
    (failure,) = failures
    assert failure["requestContext"] == {"condition": "RetryAttemptsExhausted", "approximateInvokeCount": 11}
    info = failure["DDBStreamBatchInfo"]
    assert (info["startSequenceNumber"], info["endSequenceNumber"], info["batchSize"]) == ("1", "1", 1)
    assert info["streamArn"] == "arn:stream"
    assert poller.failed_batches == 1


def test_bisection_delivers_the_good_records_and_isolates_the_poison_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def poison_three(batch: list[str]) -> Any:
        if "3" in batch:
            raise RuntimeError("record 3 cannot be written")
        return {"batchItemFailures": []}

    _, invocations, failures = _run(monkeypatch, 4, poison_three)
    delivered = {seq for batch in invocations if "3" not in batch for seq in batch}
    assert delivered == {"1", "2", "4"}
    (failure,) = failures
    info = failure["DDBStreamBatchInfo"]
    assert (info["startSequenceNumber"], info["endSequenceNumber"]) == ("3", "3")
    assert sum("3" in batch for batch in invocations) == 1 + LAKE_STREAM.retry_attempts


def test_reported_item_failures_resume_from_the_first_failed_record(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = {"n": 0}

    def fails_twice_at_two(batch: list[str]) -> Any:
        calls["n"] += 1
        return {"batchItemFailures": [{"itemIdentifier": "2"}] if calls["n"] <= 2 else []}

    _, invocations, failures = _run(monkeypatch, 3, fails_twice_at_two)
    assert invocations == [["1", "2", "3"], ["2", "3"], ["2", "3"]]
    assert failures == []
