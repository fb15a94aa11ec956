"""A Cost Explorer client double for the calls moto does not emulate (GetAnomalies, commitments)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from botocore.exceptions import ClientError


def _error(code: str, operation: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "no"}}, operation)


class FakeCostExplorer:
    """Answers by request shape: spend by REGION, MONTHLY / DAILY by SERVICE, one anomaly, and "no
    commitments" (DataUnavailableException). `denied` lists operations to refuse with AccessDenied."""

    def __init__(self, denied: tuple[str, ...] = (), ec2_daily: str = "1.00") -> None:
        self.denied = denied
        self.ec2_daily = ec2_daily
        self.calls: list[str] = []

    def _check(self, operation: str) -> None:
        self.calls.append(operation)
        if operation in self.denied:
            raise _error("AccessDeniedException", operation)

    def get_cost_and_usage(self, **request: Any) -> dict[str, Any]:
        self._check("GetCostAndUsage")
        key = request["GroupBy"][0]["Key"]
        start = date.fromisoformat(request["TimePeriod"]["Start"])
        end = date.fromisoformat(request["TimePeriod"]["End"])
        if key == "REGION":
            groups = [_group("us-east-1", "30"), _group("global", "2"), _group("eu-west-1", "0")]
            return {"ResultsByTime": [_period(start, end, groups)]}
        if request["Granularity"] == "MONTHLY":
            periods, month = [], start
            while month < end:
                following = (month + timedelta(days=32)).replace(day=1)
                periods.append(
                    _period(month, following, [_group("Amazon Elastic Compute Cloud - Compute", "30")])
                )
                month = following
            return {"ResultsByTime": periods}
        periods, day = [], start
        while day < end:
            periods.append(
                _period(
                    day,
                    day + timedelta(days=1),
                    [_group("Amazon Elastic Compute Cloud - Compute", self.ec2_daily)],
                )
            )
            day += timedelta(days=1)
        return {"ResultsByTime": periods}

    def get_anomalies(self, **request: Any) -> dict[str, Any]:
        self._check("GetAnomalies")
        return {
            "Anomalies": [
                {
                    "AnomalyId": "a1",
                    "AnomalyStartDate": "2026-11-15",
                    "DimensionValue": "AWS Lambda",
                    "RootCauses": [{"Service": "AWS Lambda", "LinkedAccount": "123456789012"}],
                    "AnomalyScore": {"MaxScore": 0.8, "CurrentScore": 0.8},
                    "Impact": {"MaxImpact": 9, "TotalActualSpend": 12, "TotalExpectedSpend": 3},
                    "MonitorArn": "arn:aws:ce::123456789012:anomalymonitor/x",
                }
            ]
        }

    def _none(self, operation: str) -> dict[str, Any]:
        self._check(operation)
        raise _error("DataUnavailableException", operation)

    def get_reservation_utilization(self, **request: Any) -> dict[str, Any]:
        return self._none("GetReservationUtilization")

    def get_reservation_coverage(self, **request: Any) -> dict[str, Any]:
        return self._none("GetReservationCoverage")

    def get_savings_plans_utilization(self, **request: Any) -> dict[str, Any]:
        return self._none("GetSavingsPlansUtilization")

    def get_savings_plans_coverage(self, **request: Any) -> dict[str, Any]:
        return self._none("GetSavingsPlansCoverage")


def _group(key: str, amount: str) -> dict[str, Any]:
    return {"Keys": [key], "Metrics": {"UnblendedCost": {"Amount": amount, "Unit": "USD"}}}


def _period(start: date, end: date, groups: list[dict[str, Any]]) -> dict[str, Any]:
    return {"TimePeriod": {"Start": start.isoformat(), "End": end.isoformat()}, "Groups": groups, "Total": {}}
