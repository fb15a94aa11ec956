"""Lambda's event source mappings, locally: a DynamoDB stream poller and an SQS poller; and the daily
schedule of the recurring run.

Both run in background threads, invoke the same handlers the stacks wire up, and honour
`batchItemFailures` (ReportBatchItemFailures) the way the real mappings do.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from outlay.event_sources import IMPORT_QUEUE, LAKE_STREAM, RECURRING_RUN, QueueSpec
from outlay.routes import EVENT_FUNCTIONS

from local.lambdas import HandlerMissing, invoke

log = logging.getLogger("outlay.local.pollers")


class _Poller(threading.Thread):
    idle_sleep = 0.5

    def __init__(self, name: str) -> None:
        super().__init__(name=name, daemon=True)
        self._stop_event = threading.Event()
        self._busy = threading.Lock()
        self.missing_reported = False
        self.batches = 0  # batches handled: "has this poller changed anything?"

    def stop(self) -> None:
        self._stop_event.set()

    @contextmanager
    def paused(self) -> Iterator[None]:
        """No batch runs inside (a snapshot is taken between batches)."""
        with self._busy:
            yield

    def run(self) -> None:
        while not self._stop_event.is_set():
            try:
                with self._busy:
                    worked = self.poll_once()
                    self.batches += int(worked)
            except Exception:
                log.error("%s failed\n%s", self.name, traceback.format_exc())
                worked = False
            if not worked:
                self._stop_event.wait(self.idle_sleep)

    def poll_once(self) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError

    def _report_missing(self, exc: HandlerMissing) -> None:
        if not self.missing_reported:
            log.warning("%s: %s; events wait until it exists", self.name, exc)
            self.missing_reported = True


def _failed_ids(result: Any) -> list[str]:
    if isinstance(result, dict):
        return [str(f.get("itemIdentifier")) for f in result.get("batchItemFailures") or []]
    return []


def sqs_sender(sqs: Any, queue_url: str) -> Callable[[dict[str, Any]], None]:
    """An on-failure destination: each failure record becomes one message on the queue."""

    def send(record: dict[str, Any]) -> None:
        sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps(record, default=str))

    return send


class StreamPoller(_Poller):
    """DynamoDB stream -> lake writer with the mapping's settings (outlay.event_sources.LAKE_STREAM):
    a failed batch is retried `retry_attempts` times from its first failed record, bisected when the
    writer raises, and then recorded on the on-failure queue, as Lambda does."""

    batch_size = LAKE_STREAM.batch_size
    retry_attempts = LAKE_STREAM.retry_attempts
    bisect_batch_on_error = LAKE_STREAM.bisect_batch_on_error

    def __init__(
        self,
        streams: Any,
        stream_arn: str,
        region: str,
        trim: Callable[[str], None] | None = None,
        on_failure: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        super().__init__("lake-writer-stream")
        self.trim = trim
        self.on_failure = on_failure
        self.streams = streams
        self.stream_arn = stream_arn
        self.region = region
        self._iterators: dict[str, str] = {}
        self._pending: list[dict[str, Any]] = []
        self.delivered = 0
        self.failed_batches = 0

    def _refresh_shards(self) -> None:
        description = self.streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]
        for shard in description.get("Shards", []):
            shard_id = shard["ShardId"]
            if shard_id not in self._iterators:
                self._iterators[shard_id] = self.streams.get_shard_iterator(
                    StreamArn=self.stream_arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON"
                )["ShardIterator"]

    def poll_once(self) -> bool:
        if not self._pending:
            self._refresh_shards()
            for shard_id, iterator in list(self._iterators.items()):
                page = self.streams.get_records(ShardIterator=iterator, Limit=1000)
                if page.get("NextShardIterator"):
                    self._iterators[shard_id] = page["NextShardIterator"]
                records = page.get("Records", [])
                self._pending.extend(self._lambda_record(r) for r in records)
                if records and self.trim is not None:
                    # Read records now live in _pending until delivered; moto may forget them.
                    self.trim(records[-1]["dynamodb"]["SequenceNumber"])
        if not self._pending:
            return False
        batch = self._pending[: self.batch_size]
        try:
            self._deliver(batch, self.retry_attempts)
        except HandlerMissing as exc:
            self._report_missing(exc)
            return False  # keep the records; deliver them once the handler exists
        del self._pending[: len(batch)]
        self.delivered += len(batch)
        return True

    def _deliver(self, batch: list[dict[str, Any]], retries: int) -> None:
        """Invoke until the batch succeeds; after `retries` retries it goes to the failure destination."""
        invocations = 0
        while True:
            invocations += 1
            try:
                result = invoke(
                    EVENT_FUNCTIONS["lake_writer"],
                    "outlay-local-lake-writer",
                    {"Records": batch},
                    timeout_s=LAKE_STREAM.function_timeout_s,
                )
            except HandlerMissing:
                raise
            except Exception:
                log.error("lake writer raised (invocation %d)\n%s", invocations, traceback.format_exc())
                if self.bisect_batch_on_error and len(batch) > 1 and invocations <= retries:
                    # Lambda splits a failing batch in two and retries each half: a record is still
                    # invoked at most 1 + retry_attempts times before it reaches the failure queue.
                    half = len(batch) // 2
                    self._deliver(batch[:half], retries - invocations)
                    self._deliver(batch[half:], retries - invocations)
                    return
            else:
                failed = set(_failed_ids(result))
                if not failed:
                    return
                # ReportBatchItemFailures: resume from the first record the writer reported as failed.
                first = next((i for i, r in enumerate(batch) if r["dynamodb"]["SequenceNumber"] in failed), 0)
                batch = batch[first:]
            if invocations > retries:
                self._record_failure(batch, invocations)
                return

    def _record_failure(self, batch: list[dict[str, Any]], invocations: int) -> None:
        """What Lambda sends to the mapping's on-failure destination: the batch's coordinates."""
        self.failed_batches += 1
        log.error("lake writer: %d records to the failure queue, %d invocations", len(batch), invocations)
        if self.on_failure is None:
            return
        created = [r["dynamodb"].get("ApproximateCreationDateTime") for r in batch]
        self.on_failure(
            {
                "version": "1.0",
                "timestamp": datetime.now(UTC).isoformat(),
                "requestContext": {
                    "condition": "RetryAttemptsExhausted",
                    "approximateInvokeCount": invocations,
                },
                "DDBStreamBatchInfo": {
                    "streamArn": self.stream_arn,
                    "startSequenceNumber": batch[0]["dynamodb"]["SequenceNumber"],
                    "endSequenceNumber": batch[-1]["dynamodb"]["SequenceNumber"],
                    "approximateArrivalOfFirstRecord": created[0],
                    "approximateArrivalOfLastRecord": created[-1],
                    "batchSize": len(batch),
                },
            }
        )

    def _lambda_record(self, record: dict[str, Any]) -> dict[str, Any]:
        """boto3 parses ApproximateCreationDateTime; Lambda delivers epoch seconds."""
        dynamodb = dict(record["dynamodb"])
        created = dynamodb.get("ApproximateCreationDateTime")
        if isinstance(created, datetime):
            dynamodb["ApproximateCreationDateTime"] = int(created.timestamp())
        return {
            **record,
            "dynamodb": dynamodb,
            "eventVersion": "1.1",
            "awsRegion": self.region,
            "eventSourceARN": self.stream_arn,
        }

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Until every record written so far has been handed to the lake writer."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._busy:
                self._refresh_shards()
                drained = not self._pending and all(
                    not self.streams.get_records(ShardIterator=it, Limit=1).get("Records")
                    for it in self._iterators.values()
                )
            if drained:
                return True
            time.sleep(0.2)
        return False


class QueuePoller(_Poller):
    """SQS work queue -> its worker with the event source's settings (IMPORT_QUEUE for the cost-import
    worker, STATEMENT_QUEUE for the statement worker): failed messages become visible again after the
    queue's visibility timeout; the redrive policy moves them to the DLQ after `max_receive_count`
    receives. One poller: concurrency 1 <= max_concurrency."""

    def __init__(
        self,
        sqs: Any,
        queue_url: str,
        queue_arn: str,
        region: str,
        function: str = "cost_import_worker",
        spec: QueueSpec = IMPORT_QUEUE,
    ) -> None:
        super().__init__(function.replace("_", "-") + "-queue")
        self.function = function
        self.spec = spec
        self.sqs = sqs
        self.queue_url = queue_url
        self.queue_arn = queue_arn
        self.region = region
        self.processed = 0
        self.failed = 0
        self._in_flight = 0

    def poll_once(self) -> bool:
        received = self.sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=self.spec.batch_size,
            WaitTimeSeconds=0,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not received:
            return False
        self._in_flight = len(received)
        try:
            records = [self._lambda_record(m) for m in received]
            try:
                result = invoke(
                    EVENT_FUNCTIONS[self.function],
                    "outlay-local-" + self.function.replace("_", "-"),
                    {"Records": records},
                    timeout_s=self.spec.worker_timeout_s,
                )
                failed = set(_failed_ids(result))
            except HandlerMissing as exc:
                self._report_missing(exc)
                failed = {m["MessageId"] for m in received}
            except Exception:
                log.error("%s raised\n%s", self.function, traceback.format_exc())
                failed = {m["MessageId"] for m in received}
            done = [m for m in received if m["MessageId"] not in failed]
            if done:
                self.sqs.delete_message_batch(
                    QueueUrl=self.queue_url,
                    Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)],
                )
            self.processed += len(done)
            self.failed += len(failed)
        finally:
            self._in_flight = 0
        return True

    def _lambda_record(self, message: dict[str, Any]) -> dict[str, Any]:
        attributes = {
            name: {
                "stringValue": value.get("StringValue"),
                "binaryValue": value.get("BinaryValue"),
                "stringListValues": [],
                "binaryListValues": [],
                "dataType": value.get("DataType"),
            }
            for name, value in (message.get("MessageAttributes") or {}).items()
        }
        return {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": message.get("Attributes", {}),
            "messageAttributes": attributes,
            "md5OfBody": message.get("MD5OfBody", ""),
            "eventSource": "aws:sqs",
            "eventSourceARN": self.queue_arn,
            "awsRegion": self.region,
        }

    def wait_idle(self, timeout: float = 60.0) -> bool:
        """Until no message is waiting and none is being worked on (failed ones wait for a retry)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._busy:
                attrs = self.sqs.get_queue_attributes(
                    QueueUrl=self.queue_url, AttributeNames=["ApproximateNumberOfMessages"]
                )["Attributes"]
                if int(attrs.get("ApproximateNumberOfMessages", "0")) == 0 and not self._in_flight:
                    return True
            time.sleep(0.2)
        return False


class DailySchedule(_Poller):
    """EventBridge's daily rule, locally: invokes the recurring runner once per UTC day (at start-up,
    then whenever the date changes), asynchronously as the cloud does; the schedule expression itself
    (`RECURRING_SCHEDULE`) is the stacks'. A failed run is retried on the next check, as Lambda's
    async retries would (`RECURRING_RUN.retry_attempts`), then waits for the next day."""

    idle_sleep = 60.0

    def __init__(self, today: Callable[[], Any] | None = None) -> None:
        super().__init__("recurring-schedule")
        self._today = today or (lambda: datetime.now(UTC).date())
        self.last_day: Any = None
        self._attempts = 0
        self.runs: list[Any] = []

    def poll_once(self) -> bool:
        day = self._today()
        if day == self.last_day:
            return False
        self._attempts += 1
        try:
            result = run_recurring()
        except HandlerMissing as exc:
            self._report_missing(exc)
            return False
        except Exception:
            log.error("recurring runner raised (attempt %d)\n%s", self._attempts, traceback.format_exc())
            if self._attempts <= RECURRING_RUN.retry_attempts:
                return False
            result = None
        self.runs.append(result)
        self.last_day, self._attempts = day, 0
        return True


def run_recurring() -> Any:
    """One invocation of the recurring runner, with the event EventBridge's scheduled rule sends."""
    return invoke(
        EVENT_FUNCTIONS["recurring_runner"],
        "outlay-local-recurring-runner",
        {"source": "aws.events", "detail-type": "Scheduled Event", "detail": {}},
        timeout_s=RECURRING_RUN.timeout_s,
    )
