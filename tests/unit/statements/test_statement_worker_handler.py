"""The statement worker's Lambda entry point over moto: one queued chunk in, its rows written, no
failed record (the service tests call `process_chunk` directly, not the handler around it)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from outlay import tables
from outlay.handlers import statement_import_worker
from outlay.logic.statements_service import StatementsService
from outlay.models.queries import ListQuery
from outlay.models.statements import ChunkMessage, CommitRequest

from tests.unit.costs.conftest import FakeContext
from tests.unit.statements.conftest import InlineQueue

SUB = "user-1"
CSV = "Date;Amount;Payee;Memo\n31.12.2026;-3,50;Bäckerei;Brot\n30.12.2026;-12,00;Shell 0042;Fuel\n"


@pytest.fixture(autouse=True)
def _handler_runs_on_the_test_service(service: StatementsService) -> Iterator[None]:
    statement_import_worker.service.use(service)
    yield
    statement_import_worker.service.use(None)


def _record(message: ChunkMessage) -> dict[str, Any]:
    return {
        "messageId": "m-1",
        "receiptHandle": "r-1",
        "body": message.model_dump_json(by_alias=True),
        "attributes": {"ApproximateReceiveCount": "1"},
        "messageAttributes": {},
        "md5OfBody": "",
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:statements",
        "awsRegion": "us-east-1",
    }


def test_worker_writes_a_chunk_and_fails_no_record(
    service: StatementsService, s3_client: Any, receipts_bucket: str
) -> None:
    upload_id = service.start_upload(SUB).upload_id
    s3_client.put_object(Bucket=receipts_bucket, Key=tables.statement_key(SUB, upload_id), Body=CSV.encode())
    mapping = service.analyze(SUB, upload_id, None).mapping
    assert mapping is not None
    service.commit(SUB, upload_id, CommitRequest(mapping=mapping))
    queue: InlineQueue = service.queue  # type: ignore[assignment]
    (message,) = queue.sent

    result = statement_import_worker.handler({"Records": [_record(message)]}, FakeContext())

    assert result["batchItemFailures"] == []
    written = service.expenses.page(SUB, ListQuery(), limit=10).items
    assert sorted(e.vendor for e in written if e.source == "statement") == ["Bäckerei", "Shell 0042"]
