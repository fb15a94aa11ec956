"""SQS -> one chunk of a committed bank statement per message (partial batch response).

A chunk's rows are written by idempotent upserts under deterministic ids and its result overwrites
the previous attempt's, so a redelivered message (after a crash or a timeout) changes nothing twice.
A failing message is retried by SQS and moves to the DLQ after STATEMENT_QUEUE.max_receive_count.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from outlay.handlers.wiring import Lazy
from outlay.models.settings import StatementWorkerSettings, load, metrics_namespace
from outlay.models.statements import ChunkMessage

if TYPE_CHECKING:
    from outlay.logic.statements_service import StatementsService

logger = Logger(service="statement-import-worker")
metrics = Metrics(namespace=metrics_namespace(), service="statement-import")
processor = BatchProcessor(event_type=EventType.SQS)


def _build_service() -> StatementsService:
    from outlay.dal.wiring import build_statements_service

    settings = load(StatementWorkerSettings)
    return build_statements_service(
        expenses_table=settings.expenses_table, receipts_bucket=settings.receipts_bucket
    )


service = Lazy(_build_service)


def record_handler(record: SQSRecord) -> dict[str, Any]:
    message = ChunkMessage.model_validate(json.loads(record.body))  # malformed -> retried -> DLQ
    result = service().process_chunk(message)
    metrics.add_metric(name="StatementRowsCreated", unit=MetricUnit.Count, value=result.created)
    logger.info(
        "statement chunk written",
        extra={
            "runId": message.run_id,
            "chunk": message.chunk,
            "rows": result.rows,
            "rowsCreated": result.created,  # not "created": LogRecord has that attribute (KeyError)
        },
    )
    return {"runId": message.run_id, "chunk": message.chunk}


@metrics.log_metrics(raise_on_empty_metrics=False)
@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    response = process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
    return dict(response)
