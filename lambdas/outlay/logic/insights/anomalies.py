"""Cost anomalies: AWS Cost Anomaly Detection's findings, and Outlay's own run-rate check.

The run-rate check works without Cost Anomaly Detection: a service is flagged when this month's
run-rate (month-to-date cost / complete days x days in the month) is at least `RATIO` times its
average over the previous `HISTORY_MONTHS` months and at least `MIN_EXCESS` above it (so a few
cents never raise an alarm). A month the service did not bill counts as zero. Before `MIN_DAYS`
complete days there is too little of the month to judge, and the check says so instead.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from outlay.logic.insights.prices import cents

HISTORY_MONTHS = 3
RATIO = Decimal("1.5")
MIN_EXCESS = Decimal("5")
MIN_DAYS = 3


@dataclass(frozen=True)
class Anomaly:
    source: Literal["aws", "outlay"]
    service: str
    account: str
    expected: Decimal  # a month's expected cost (outlay) / the anomaly's expected spend (aws)
    actual: Decimal  # this month's run-rate (outlay) / the anomaly's actual spend (aws)
    currency: str
    since: str  # ISO date

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "service": self.service,
            "account": self.account,
            "expected": str(self.expected),
            "actual": str(self.actual),
            "currency": self.currency,
            "since": self.since,
        }


def complete_days(today: date) -> int:
    """Days of this month Cost Explorer can have finished (today is still running)."""
    return today.day - 1


def run_rate_anomalies(
    today: date,
    account: str,
    history: Mapping[str, Sequence[Decimal]],
    daily: Mapping[str, Sequence[tuple[date, Decimal]]],
    currency: str = "USD",
) -> list[Anomaly]:
    """`history`: service -> its totals of the previous months (fewer = months without cost);
    `daily`: service -> (day, cost) for this month's complete days. Largest excess first."""
    days = complete_days(today)
    if days < MIN_DAYS:
        return []
    month_days = calendar.monthrange(today.year, today.month)[1]
    found = []
    for service, days_costs in daily.items():
        month_to_date = sum((cost for _, cost in days_costs), Decimal(0))
        expected = sum(history.get(service, ()), Decimal(0)) / HISTORY_MONTHS
        run_rate = month_to_date / days * month_days
        if run_rate < expected * RATIO or run_rate - expected < MIN_EXCESS:
            continue
        daily_expected = expected / month_days
        since = next(
            (day for day, cost in sorted(days_costs) if cost > daily_expected * RATIO),
            today.replace(day=1),
        )
        found.append(
            Anomaly("outlay", service, account, cents(expected), cents(run_rate), currency, since.isoformat())
        )
    return sorted(found, key=lambda a: a.expected - a.actual)


def from_cost_anomaly_detection(response: Mapping[str, Any], account: str) -> list[Anomaly]:
    """GetAnomalies' `Anomalies` -> Anomaly (USD, as Cost Anomaly Detection reports)."""
    found = []
    for item in response.get("Anomalies") or ():
        causes = item.get("RootCauses") or [{}]
        cause = causes[0]
        impact = item.get("Impact") or {}
        actual = Decimal(str(impact.get("TotalActualSpend", impact.get("MaxImpact", "0"))))
        expected = Decimal(
            str(impact.get("TotalExpectedSpend", actual - Decimal(str(impact.get("TotalImpact", "0")))))
        )
        found.append(
            Anomaly(
                "aws",
                str(cause.get("Service") or item.get("DimensionValue") or "unknown service"),
                str(cause.get("LinkedAccount") or account),
                cents(expected),
                cents(actual),
                "USD",
                str(item.get("AnomalyStartDate", ""))[:10],
            )
        )
    return found
