"""EventBridge schedule -> one SQS message per user with enabled credentials.

Event `{"kind": "monthly" | "finalize", "month"?: "YYYY-MM"}`: both kinds import the previous month
(the 1st-of-month run sees an estimated bill; the later "finalize" run re-imports it once AWS has
finalized it, updating the same expenses in place).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from outlay.handlers.wiring import Lazy
from outlay.models.cost_import import DispatchEvent
from outlay.models.settings import DispatcherSettings, load, metrics_namespace

if TYPE_CHECKING:
    from outlay.logic.costs_service import CostsService

logger = Logger(service="cost-import-dispatcher")
metrics = Metrics(namespace=metrics_namespace(), service="cost-import")


def _build_service() -> CostsService:
    from outlay.dal.wiring import build_costs_service  # boto3 and the adapters: first request, not INIT

    settings = load(DispatcherSettings)
    return build_costs_service(
        credentials_table=settings.credentials_table, queue_url=settings.import_queue_url
    )


service = Lazy(_build_service)


def parse_event(event: dict[str, Any] | None) -> DispatchEvent:
    payload = event or {}
    if isinstance(payload.get("detail"), dict):  # an EventBridge rule delivers the input as `detail`
        payload = payload["detail"]
    return DispatchEvent.model_validate(payload)


@metrics.log_metrics(raise_on_empty_metrics=False)
@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    request = parse_event(event)
    result = service().enqueue_all("schedule", request.kind, request.month)
    metrics.add_metric(name="UsersQueued", unit=MetricUnit.Count, value=result["queued"])
    if result["failed"]:
        metrics.add_metric(name="UsersNotQueued", unit=MetricUnit.Count, value=result["failed"])
        logger.error("some users could not be queued", extra=result)
    logger.info("cost import dispatched", extra={**result, "kind": request.kind})
    return {**result, "kind": request.kind}
