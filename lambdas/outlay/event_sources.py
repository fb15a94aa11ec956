"""Queue, retry and stream settings: the scheduler stack, the lake writer construct and the local
runtime (`local/provision.py`, `local/pollers.py`) all read these, so `make dev` retries, waits and
gives up exactly as the deployed mappings do.

- IMPORT_QUEUE: dispatcher -> SQS (one message per user) -> cost-import worker, redrive to a DLQ.
- DISPATCHER: the cost-import dispatcher, invoked asynchronously by the EventBridge schedules.
- LAKE_STREAM: the expenses table's stream -> lake writer, failed batches to an on-failure queue.
- FX_RATES: the daily ECB rates function, invoked asynchronously by its schedule (FX_RATES_SCHEDULE).
- RECURRING_RUN: the daily recurring run, invoked asynchronously by its EventBridge schedule
  (`RECURRING_SCHEDULE`); locally `local/pollers.py` invokes it once per UTC day.
- STATEMENT_QUEUE: statement commit -> SQS (one message per 500-row chunk) -> statement worker, DLQ.
"""

from __future__ import annotations

from dataclasses import dataclass

# AWS's advice for an SQS event source: visibility timeout >= 6 x the function timeout + the
# batching window, so a message is not re-delivered while retries inside one batch still run.
VISIBILITY_TIMEOUT_FACTOR = 6


@dataclass(frozen=True)
class QueueSpec:
    worker_timeout_s: int
    max_receive_count: int  # receives before the redrive policy moves a message to the DLQ
    dlq_retention_days: int
    batch_size: int
    max_batching_window_s: int
    max_concurrency: int  # import workers polling at once (the event source's maximum concurrency)
    report_batch_item_failures: bool

    @property
    def visibility_timeout_s(self) -> int:
        return VISIBILITY_TIMEOUT_FACTOR * self.worker_timeout_s + self.max_batching_window_s


@dataclass(frozen=True)
class AsyncInvokeSpec:
    timeout_s: int
    retry_attempts: int  # Lambda's own retries of a failed asynchronous invocation (0-2)
    max_event_age_s: int
    schedule_retry_attempts: int  # EventBridge's retries of a failed delivery to the function
    schedule_max_event_age_s: int
    failure_retention_days: int  # the dead-letter queue of both


@dataclass(frozen=True)
class StreamSpec:
    function_timeout_s: int
    batch_size: int
    bisect_batch_on_error: bool
    retry_attempts: int  # retries after the first attempt, then the batch goes to the on-failure queue
    max_record_age_s: int | None  # None = records never expire (-1 in the mapping)
    report_batch_item_failures: bool
    starting_position: str
    failure_retention_days: int


IMPORT_QUEUE = QueueSpec(
    worker_timeout_s=300,
    max_receive_count=3,
    dlq_retention_days=14,
    batch_size=5,
    max_batching_window_s=0,
    max_concurrency=2,
    report_batch_item_failures=True,
)

DISPATCHER = AsyncInvokeSpec(
    timeout_s=120,
    retry_attempts=2,
    max_event_age_s=6 * 3600,
    schedule_retry_attempts=3,
    schedule_max_event_age_s=24 * 3600,
    failure_retention_days=14,
)

LAKE_STREAM = StreamSpec(
    function_timeout_s=120,
    batch_size=100,
    bisect_batch_on_error=True,
    retry_attempts=10,
    max_record_age_s=None,
    report_batch_item_failures=True,
    starting_position="TRIM_HORIZON",
    failure_retention_days=14,
)

# ECB publishes its reference rates at about 16:00 CET (14:00-15:00 UTC) on TARGET working days;
# 17:00 UTC every day leaves a margin. Weekend runs find nothing new and write nothing.
FX_RATES_SCHEDULE = "cron(0 17 * * ? *)"

FX_RATES = AsyncInvokeSpec(
    timeout_s=60,
    retry_attempts=2,  # only a DynamoDB error raises; a failed download waits for the next day
    max_event_age_s=6 * 3600,
    schedule_retry_attempts=3,
    schedule_max_event_age_s=6 * 3600,
    failure_retention_days=14,
)

# Once a day, shortly after midnight UTC: occurrences are dated in UTC days.
RECURRING_SCHEDULE = "cron(15 0 * * ? *)"

RECURRING_RUN = AsyncInvokeSpec(
    timeout_s=300,
    retry_attempts=2,
    max_event_age_s=6 * 3600,
    schedule_retry_attempts=3,
    schedule_max_event_age_s=24 * 3600,
    failure_retention_days=14,
)

STATEMENT_QUEUE = QueueSpec(
    worker_timeout_s=300,
    max_receive_count=3,
    dlq_retention_days=14,
    batch_size=1,  # one chunk per invocation: a failure retries only that chunk
    max_batching_window_s=0,
    max_concurrency=2,
    report_batch_item_failures=True,
)
