"""EventBridge's daily schedule -> materialize every due recurring rule (the sparse `byDue` index).

Reads only the rules that are due; each rule's occurrences have deterministic ids, so a repeated or
retried run writes nothing twice, and a missed day is caught up by the next run (up to
`outlay.logic.recurring.CATCH_UP_DAYS` back). One rule's failure is counted, never stops the rest.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from outlay.handlers.wiring import Lazy
from outlay.models.settings import RecurringRunnerSettings, load, metrics_namespace

if TYPE_CHECKING:
    from outlay.logic.recurring_service import RecurringService

logger = Logger(service="recurring-runner")
metrics = Metrics(namespace=metrics_namespace(), service="recurring")


def _log_failure(sub: str, rule_id: str, exc: Exception) -> None:
    logger.exception("recurring rule failed", extra={"rule_id": rule_id, "error": type(exc).__name__})


def _build_service() -> RecurringService:
    from outlay.dal.wiring import build_recurring_service

    return build_recurring_service(
        expenses_table=load(RecurringRunnerSettings).expenses_table, log_failure=_log_failure
    )


service = Lazy(_build_service)


@metrics.log_metrics(raise_on_empty_metrics=False)
@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    result = service().run_due()
    metrics.add_metric(name="OccurrencesCreated", unit=MetricUnit.Count, value=result.created)
    if result.failed:
        metrics.add_metric(name="RulesFailed", unit=MetricUnit.Count, value=result.failed)
    logger.info("recurring run", extra={"run": result.model_dump()})
    return result.model_dump(by_alias=True)
