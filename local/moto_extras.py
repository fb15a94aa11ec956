"""What moto does not emulate but `make dev` needs, added to moto's in-process server.

- Cost Explorer `GetCostForecast`: moto answers NotImplemented (HTTP 500, retried by botocore and
  shown as "AWS unavailable" in the dashboard). Locally it answers a demo forecast for the requested
  period, shaped like AWS's response: `Total {Amount, Unit}` + `ForecastResultsByTime`.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

# Roughly the demo account's monthly bill (local/seed.py DEMO_SERVICES + tax).
DEMO_FORECAST_USD = Decimal("81.45")


def _get_cost_forecast(self: Any) -> str:
    request = json.loads(self.body or "{}")
    period = request.get("TimePeriod") or {}
    amount = str(DEMO_FORECAST_USD)
    return json.dumps(
        {
            "Total": {"Amount": amount, "Unit": "USD"},
            "ForecastResultsByTime": [
                {
                    "TimePeriod": {"Start": period.get("Start", ""), "End": period.get("End", "")},
                    "MeanValue": amount,
                    "PredictionIntervalLowerBound": str(DEMO_FORECAST_USD * Decimal("0.9")),
                    "PredictionIntervalUpperBound": str(DEMO_FORECAST_USD * Decimal("1.1")),
                }
            ],
        }
    )


def install() -> None:
    """Idempotent; only adds operations moto lacks (never replaces one it has)."""
    from moto.ce.responses import CostExplorerResponse

    if not hasattr(CostExplorerResponse, "get_cost_forecast"):
        CostExplorerResponse.get_cost_forecast = _get_cost_forecast  # type: ignore[attr-defined]
