"""Cost Explorer answers the browser tests queue in moto (one month, SERVICE x RECORD_TYPE)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any


def previous_month(today: date) -> tuple[date, date]:
    end = today.replace(day=1)
    start = (end - timedelta(days=1)).replace(day=1)
    return start, end


def cost_result(start: date, end: date) -> dict[str, Any]:
    """One GetCostAndUsage answer (SERVICE x RECORD_TYPE) for moto's Cost Explorer queue."""

    def group(service: str, record_type: str, amount: str) -> dict[str, Any]:
        return {
            "Keys": [service, record_type],
            "Metrics": {
                "UnblendedCost": {"Amount": amount, "Unit": "USD"},
                "AmortizedCost": {"Amount": amount, "Unit": "USD"},
            },
        }

    return {
        "ResultsByTime": [
            {
                "TimePeriod": {"Start": start.isoformat(), "End": end.isoformat()},
                "Total": {},
                "Groups": [
                    group("AWS Lambda", "Usage", "0.8400000000"),
                    group("Amazon Simple Storage Service", "Usage", "3.1200000000"),
                ],
                "Estimated": False,
            }
        ],
        "DimensionValueAttributes": [],
        "GroupDefinitions": [
            {"Type": "DIMENSION", "Key": "SERVICE"},
            {"Type": "DIMENSION", "Key": "RECORD_TYPE"},
        ],
    }
