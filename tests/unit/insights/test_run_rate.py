"""Outlay's own anomaly check: this month's run-rate against the previous three months' average."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from outlay.logic.insights.anomalies import from_cost_anomaly_detection, run_rate_anomalies

TODAY = date(2026, 11, 11)  # 10 complete days of a 30-day month


def days(*amounts: str) -> list[tuple[date, Decimal]]:
    return [(date(2026, 11, 1) + timedelta(days=i), Decimal(a)) for i, a in enumerate(amounts)]


def test_a_service_running_at_twice_its_average_is_flagged_with_expected_actual_and_since() -> None:
    history = {"Amazon EC2": [Decimal(30), Decimal(30), Decimal(30)]}  # average 30/month = 1/day
    daily = {"Amazon EC2": days("1", "1", "1", "1", "1", "3", "3", "3", "3", "3")}  # 20 in 10 days
    [found] = run_rate_anomalies(TODAY, "111122223333", history, daily)
    assert found.to_json() == {
        "source": "outlay",
        "service": "Amazon EC2",
        "account": "111122223333",
        "expected": "30.00",
        "actual": "60.00",
        "currency": "USD",
        "since": "2026-11-06",
    }


def test_a_service_within_one_and_a_half_times_its_average_is_not_flagged() -> None:
    history = {"S3": [Decimal(30)] * 3}
    assert run_rate_anomalies(TODAY, "a", history, {"S3": days(*["1.4"] * 10)}) == []


def test_a_small_excess_below_five_dollars_is_not_flagged_even_at_a_high_ratio() -> None:
    history = {"Lambda": [Decimal("0.30")] * 3}  # run-rate 3.00 is 10x but only 2.70 more
    assert run_rate_anomalies(TODAY, "a", history, {"Lambda": days(*["0.1"] * 10)}) == []


def test_a_new_service_counts_missing_months_as_zero() -> None:
    [found] = run_rate_anomalies(TODAY, "a", {}, {"Amazon SageMaker": days(*["2"] * 10)})
    assert (found.expected, found.actual, found.since) == (Decimal("0.00"), Decimal("60.00"), "2026-11-01")


def test_before_the_fourth_of_the_month_there_is_too_little_to_judge() -> None:
    daily = {"Amazon EC2": days("50", "50")}
    assert run_rate_anomalies(date(2026, 11, 3), "a", {"Amazon EC2": [Decimal(1)] * 3}, daily) == []


def test_cost_anomaly_detection_findings_keep_service_account_expected_actual_and_start() -> None:
    response = {
        "Anomalies": [
            {
                "AnomalyId": "x",
                "AnomalyStartDate": "2026-11-02T00:00:00Z",
                "DimensionValue": "Amazon Relational Database Service",
                "RootCauses": [
                    {"Service": "Amazon Relational Database Service", "LinkedAccount": "444455556666"}
                ],
                "AnomalyScore": {"MaxScore": 0.9, "CurrentScore": 0.5},
                "Impact": {"MaxImpact": 12.5, "TotalActualSpend": 40.129, "TotalExpectedSpend": 10.0},
                "MonitorArn": "arn:aws:ce::1:anomalymonitor/m",
            }
        ]
    }
    [found] = from_cost_anomaly_detection(response, "111122223333")
    assert (found.source, found.service, found.account) == (
        "aws",
        "Amazon Relational Database Service",
        "444455556666",
    )
    assert (found.expected, found.actual, found.since) == (Decimal("10.00"), Decimal("40.13"), "2026-11-02")
