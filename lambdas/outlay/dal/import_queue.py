"""A work queue: one SQS message per model (a user's cost import, a statement chunk), sent in batches
of 10 with failed entries retried."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import boto3
from pydantic import BaseModel

from outlay.models.cost_import import ImportMessage

BATCH = 10  # SendMessageBatch maximum
ATTEMPTS = 4


MessageT = TypeVar("MessageT", bound=BaseModel)


@dataclass
class SendResult(Generic[MessageT]):
    sent: int = 0
    failed: int = 0
    unsent: list[MessageT] = field(default_factory=list)  # the failed messages themselves


class WorkQueue(Generic[MessageT]):
    def __init__(self, queue_url: str, sqs_client: Any = None, sleep: Any = time.sleep) -> None:
        self.queue_url = queue_url
        self._client = sqs_client
        self._sleep = sleep

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = boto3.client("sqs")
        return self._client

    def send_all(self, messages: Iterable[MessageT]) -> SendResult[MessageT]:
        result: SendResult[MessageT] = SendResult()
        batch: list[MessageT] = []
        for message in messages:
            batch.append(message)
            if len(batch) == BATCH:
                self._send_batch(batch, result)
                batch = []
        if batch:
            self._send_batch(batch, result)
        return result

    def _send_batch(self, batch: list[MessageT], result: SendResult[MessageT]) -> None:
        pending = {
            str(i): json.dumps(m.model_dump(mode="json", by_alias=True, exclude_none=True))
            for i, m in enumerate(batch)
        }
        for attempt in range(ATTEMPTS):
            if attempt:
                self._sleep(min(0.2 * 2**attempt, 2.0))
            response = self.client.send_message_batch(
                QueueUrl=self.queue_url,
                Entries=[{"Id": entry_id, "MessageBody": body} for entry_id, body in pending.items()],
            )
            for ok in response.get("Successful", []):
                pending.pop(ok["Id"], None)
                result.sent += 1
            # Sender faults (malformed entry) will not get better by retrying.
            for failed in response.get("Failed", []):
                if failed.get("SenderFault") and pending.pop(failed["Id"], None) is not None:
                    result.failed += 1
                    result.unsent.append(batch[int(failed["Id"])])
            if not pending:
                return
        result.failed += len(pending)
        result.unsent.extend(batch[int(entry_id)] for entry_id in pending)


class ImportQueue(WorkQueue[ImportMessage]):
    """The cost-import queue: one message per user."""
