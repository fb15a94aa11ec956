"""Daily schedule -> ECB reference rates into the rates table (`logic/fx_refresh.py` says how).

A download or parse failure is logged as an error (with the URL and the cause) and nothing is written;
the function still succeeds, so the schedule simply tries again the next day (and then catches up on
the missed days from ECB's 90-day file). Retrying sooner would not help: ECB publishes once a day.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from outlay.handlers.wiring import Lazy
from outlay.logic.expenses import utc_now
from outlay.logic.fx_refresh import RateStore, refresh
from outlay.models.settings import FxRatesSettings, load, metrics_namespace

logger = Logger(service="fx-rates")
metrics = Metrics(namespace=metrics_namespace(), service="fx-rates")


def _build_store() -> RateStore:
    from outlay.dal.fx_rates import FxRates  # boto3: first invocation, not INIT

    return FxRates(load(FxRatesSettings).rates_table)


store = Lazy(_build_store)


@metrics.log_metrics(raise_on_empty_metrics=False)
@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    from outlay.dal.ecb_feed import fetch

    result = refresh(store(), fetch, utc_now().date())
    summary = {
        "status": result.status,
        "url": result.url,
        "stored": result.stored,
        "latest": result.latest.isoformat() if result.latest else None,
    }
    if result.error:
        metrics.add_metric(name="FxRatesFailed", unit=MetricUnit.Count, value=1)
        logger.error(
            "ECB rates not stored; the next daily run retries", extra={**summary, "error": result.error}
        )
    else:
        metrics.add_metric(name="FxRatesStored", unit=MetricUnit.Count, value=result.stored)
        logger.info("ECB rates refreshed", extra=summary)
    return summary
