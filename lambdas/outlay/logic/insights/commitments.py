"""Reservations and Savings Plans: last month's utilization and coverage, or a quiet "none".

Cost Explorer answers an account without reservations (or Savings Plans) with zero purchased
hours / commitment, or with DataUnavailableException: both mean "none", a valid answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any


def _percent(value: Any) -> str | None:
    if value in (None, ""):
        return None
    return str(Decimal(str(value)).quantize(Decimal("0.1")))


def reservations(utilization: Mapping[str, Any] | None, coverage: Mapping[str, Any] | None) -> dict[str, Any]:
    total = (utilization or {}).get("Total") or {}
    if Decimal(str(total.get("PurchasedHours") or "0")) == 0:
        return {"has": False}
    hours = ((coverage or {}).get("Total") or {}).get("CoverageHours") or {}
    return {
        "has": True,
        "utilizationPercent": _percent(total.get("UtilizationPercentage")),
        "coveragePercent": _percent(hours.get("CoverageHoursPercentage")),
        "unusedHours": str(total.get("UnusedHours", "0")),
    }


def savings_plans(
    utilization: Mapping[str, Any] | None, coverage: Mapping[str, Any] | None
) -> dict[str, Any]:
    total = ((utilization or {}).get("Total") or {}).get("Utilization") or {}
    if Decimal(str(total.get("TotalCommitment") or "0")) == 0:
        return {"has": False}
    items = (coverage or {}).get("SavingsPlansCoverages") or []
    percent = None
    if items:
        covered = sum(
            Decimal(str((c.get("Coverage") or {}).get("SpendCoveredBySavingsPlans") or 0)) for c in items
        )
        on_demand = sum(Decimal(str((c.get("Coverage") or {}).get("OnDemandCost") or 0)) for c in items)
        if covered + on_demand > 0:
            percent = _percent(covered * 100 / (covered + on_demand))
    return {
        "has": True,
        "utilizationPercent": _percent(total.get("UtilizationPercentage")),
        "coveragePercent": percent,
        "unusedCommitment": str(total.get("UnusedCommitment", "0")),
    }
