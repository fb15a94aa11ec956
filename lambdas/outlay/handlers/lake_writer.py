"""Lake writer: consumes the expenses table's stream and keeps the S3 lake equal to DynamoDB.

For every user-month a batch touched it re-reads that month (consistent read) and rewrites the
month's one object, or deletes it when the month is now empty. A user-month that fails is reported
in `batchItemFailures`; Lambda retries from there and, after its retries, sends the batch to the
on-failure destination (DLQ), so a disagreement is never silent.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

from outlay.handlers.wiring import Lazy
from outlay.logic.lake import LakeSync, UserMonth, affected_months
from outlay.models.settings import LakeSettings, load, metrics_namespace

logger = Logger(service="lake-writer")
metrics = Metrics(namespace=metrics_namespace(), service="lake-writer")


def _build_sync() -> LakeSync:
    from outlay.dal.wiring import build_lake_sync  # boto3 and the adapters: first request, not INIT

    settings = load(LakeSettings)
    return build_lake_sync(expenses_table=settings.expenses_table, lake_bucket=settings.lake_bucket)


sync = Lazy(_build_sync)


def rewrite_month(key: UserMonth) -> int:
    """Make the lake object of one user-month equal to DynamoDB; returns the expense count."""
    return sync().rewrite_month(key)


@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    months = affected_months(event.get("Records") or [])
    failed: set[str] = set()
    failed_months = 0
    for key in sorted(months):
        try:
            rewrite_month(key)
        except Exception:
            failed_months += 1
            logger.exception("lake rewrite failed", extra={"year": key.year, "month": key.month})
            failed.update(months[key])
    metrics.add_metric(name="LakeMonthsRewritten", unit=MetricUnit.Count, value=len(months) - failed_months)
    if failed_months:
        metrics.add_metric(name="LakeMonthsFailed", unit=MetricUnit.Count, value=failed_months)
    # Stream sequence numbers are numeric strings; Lambda restarts from the lowest reported one.
    ordered = sorted(failed, key=lambda s: (len(s), s))
    return {"batchItemFailures": [{"itemIdentifier": seq} for seq in ordered]}
