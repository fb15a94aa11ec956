"""Lake writer: consumes the expenses table's stream and keeps the S3 lake equal to DynamoDB.

It is also the one consumer that sees DynamoDB's TTL removals: when the trash forgets an expense
(`logic.trash`), the expense's receipt object is deleted here.

For every user-month a batch touched it re-reads that month (consistent read) and rewrites the
month's one object, or deletes it when the month is now empty. A user-month that fails is reported
in `batchItemFailures`; Lambda retries from there and, after its retries, sends the batch to the
on-failure destination (DLQ), so a disagreement is never silent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

from outlay.handlers.wiring import Lazy
from outlay.logic.lake import LakeSync, UserMonth, affected_months
from outlay.logic.trash import expired_receipts
from outlay.models.settings import LakeSettings, load, metrics_namespace

if TYPE_CHECKING:
    from outlay.dal.receipts import ReceiptStore

logger = Logger(service="lake-writer")
metrics = Metrics(namespace=metrics_namespace(), service="lake-writer")


def _build_sync() -> LakeSync:
    from outlay.dal.wiring import build_lake_sync  # boto3 and the adapters: first request, not INIT

    settings = load(LakeSettings)
    return build_lake_sync(expenses_table=settings.expenses_table, lake_bucket=settings.lake_bucket)


sync = Lazy(_build_sync)


def _build_receipts() -> ReceiptStore:
    from outlay.dal.wiring import build_receipt_store

    return build_receipt_store(receipts_bucket=load(LakeSettings).receipts_bucket)


receipts = Lazy(_build_receipts)


def _drop_expired_receipts(records: list[dict[str, Any]], failed: set[str]) -> int:
    """Delete the receipt objects of trash items that TTL removed; returns how many."""
    expired = expired_receipts(records)
    if not expired:
        return 0
    store: ReceiptStore = receipts()
    dropped = 0
    for key, sequences in expired.items():
        try:
            store.delete(key.sub, key.expense_id)
            dropped += 1
        except Exception:
            logger.exception("receipt of an expired trash item not deleted")
            failed.update(sequences)
    return dropped


def rewrite_month(key: UserMonth) -> int:
    """Make the lake object of one user-month equal to DynamoDB; returns the expense count."""
    return sync().rewrite_month(key)


@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    records = event.get("Records") or []
    months = affected_months(records)
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
    dropped = _drop_expired_receipts(records, failed)
    if dropped:
        metrics.add_metric(name="TrashReceiptsDeleted", unit=MetricUnit.Count, value=dropped)
    # Stream sequence numbers are numeric strings; Lambda restarts from the lowest reported one.
    ordered = sorted(failed, key=lambda s: (len(s), s))
    return {"batchItemFailures": [{"itemIdentifier": seq} for seq in ordered]}
