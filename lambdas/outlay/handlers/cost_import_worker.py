"""SQS -> one user's import per message, each message on its own (partial batch response).

- success: the run is recorded, the message is deleted;
- permanent failure (invalid keys, access denied, expired): the run is recorded as failed with a
  message the user can act on, and the message is deleted: retrying cannot help;
- transient failure (throttling, AWS down): the run is recorded, then the message is reported in
  `batchItemFailures` so SQS redelivers it; after 3 receives the queue's redrive moves it to the DLQ.
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
from outlay.models.cost_import import ImportMessage
from outlay.models.settings import WorkerSettings, load, metrics_namespace

if TYPE_CHECKING:
    from outlay.logic.costs_service import CostsService
    from outlay.logic.insights.service import InsightsService

logger = Logger(service="cost-import-worker")
metrics = Metrics(namespace=metrics_namespace(), service="cost-import")
processor = BatchProcessor(event_type=EventType.SQS)


class TransientImportError(Exception):
    """Raised for a message to be retried; carries only our own text (never AWS's)."""


def _build_service() -> CostsService:
    from outlay.dal.wiring import build_costs_service  # boto3 and the adapters: first request, not INIT

    settings = load(WorkerSettings)
    return build_costs_service(
        expenses_table=settings.expenses_table,
        receipts_bucket=settings.receipts_bucket,
        credentials_table=settings.credentials_table,
        envelope_function=settings.envelope_function,
    )


service = Lazy(_build_service)


def _build_insights() -> InsightsService:
    from outlay.dal.wiring import build_insights_service

    settings = load(WorkerSettings)
    return build_insights_service(
        credentials_table=settings.credentials_table,
        expenses_table=settings.expenses_table,
        envelope_function=settings.envelope_function,
    )


insights = Lazy(_build_insights)


def _monthly_summary(message: ImportMessage) -> None:
    """The opt-in insights summary after the monthly import; never fails or retries the import."""
    try:
        if insights().after_import(message.user_id, message.months[-1]):
            metrics.add_metric(name="InsightsSummaries", unit=MetricUnit.Count, value=1)
    except Exception:
        logger.exception("insights summary failed; the import itself succeeded")


def record_handler(record: SQSRecord) -> dict[str, Any]:
    message = ImportMessage.model_validate(json.loads(record.body))  # malformed -> retried -> DLQ
    logger.append_keys(userId=message.user_id)
    try:
        outcome = service().process_message(message)
    finally:
        logger.remove_keys(["userId"])
    if outcome is None:
        metrics.add_metric(name="ImportsSkipped", unit=MetricUnit.Count, value=1)
        logger.info("skipped: credentials removed or disabled since dispatch")
        return {"status": "skipped"}
    run = outcome.run
    imported = run.expenses_created + run.expenses_updated + run.expenses_unchanged
    metrics.add_metric(name="ExpensesImported", unit=MetricUnit.Count, value=imported)
    if run.status == "succeeded":
        metrics.add_metric(name="ImportsSucceeded", unit=MetricUnit.Count, value=1)
        metrics.add_metric(name="UsersImported", unit=MetricUnit.Count, value=1)
    else:
        metrics.add_metric(name="ImportsFailed", unit=MetricUnit.Count, value=1)
    logger.info(
        "import run finished",
        extra={"runId": run.run_id, "status": run.status, "errorCode": run.error_code, "months": run.months},
    )
    if run.status == "succeeded" and message.trigger == "schedule" and message.kind == "monthly":
        _monthly_summary(message)
    if outcome.transient:
        raise TransientImportError(f"run {run.run_id}: {run.error_code}; will be retried")
    return {"status": run.status, "runId": run.run_id}


@metrics.log_metrics(raise_on_empty_metrics=False)
@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    response = process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
    return dict(response)
