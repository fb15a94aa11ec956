"""The opt-in monthly summary: left by the scheduled import's worker, shown until dismissed."""

from __future__ import annotations

import json
from typing import Any

import boto3
from outlay.dal.aws_sessions import AwsSessions
from outlay.dal.wiring import build_insights_service
from outlay.handlers import cost_import_worker, costs_api
from outlay.logic.costs_service import CostsService
from outlay.logic.insights.service import InsightsService

from local.envelope_lambda import LOCAL_ENVELOPE_FUNCTION, InProcessLambda
from tests.unit.costs.conftest import (
    CREDENTIALS,
    EXPENSES,
    MOTO_DEFAULT_ACCOUNT,
    OCTOBER_GROUPS,
    FakeContext,
    Moto,
    call,
    ce_result,
    fixed_clock,
)
from tests.unit.insights.fakes import FakeCostExplorer

MONTHLY = {"userId": "user-a", "months": ["2026-10"], "trigger": "schedule", "kind": "monthly"}


def _insights(moto: Moto) -> InsightsService:
    real = boto3.session.Session()

    def factory(service: str, **kwargs: Any) -> Any:
        return FakeCostExplorer() if service == "ce" else real.client(service, **kwargs)

    svc = build_insights_service(
        credentials_table=CREDENTIALS,
        expenses_table=EXPENSES,
        envelope_function=LOCAL_ENVELOPE_FUNCTION,
        dynamodb_client=moto.ddb,
        lambda_client=InProcessLambda.for_key(moto.key_id, moto.kms),
        sessions=AwsSessions(client_factory=factory),
        clock=fixed_clock,
    )
    costs_api.insights.use(svc)
    cost_import_worker.insights.use(svc)
    return svc


def _run_worker(service: CostsService, moto: Moto, message: dict[str, Any]) -> dict[str, Any]:
    moto.queue_ce([ce_result("2026-10-01", "2026-11-01", OCTOBER_GROUPS)], account_id=MOTO_DEFAULT_ACCOUNT)
    cost_import_worker.service.use(service)
    event = {
        "Records": [
            {
                "messageId": "m1",
                "receiptHandle": "r",
                "body": json.dumps(message),
                "attributes": {},
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:1:q",
                "awsRegion": "us-east-1",
            }
        ]
    }
    return dict(cost_import_worker.handler(event, FakeContext()))


def test_an_opted_in_user_finds_a_summary_after_the_monthly_import_until_dismissing_it(
    connected: Moto, service: CostsService
) -> None:
    boto3.client("ec2", region_name="us-east-1").create_volume(
        AvailabilityZone="us-east-1a", Size=100, VolumeType="gp3"
    )
    _insights(connected)
    assert call("PUT", "/aws-insights/settings", body={"monthlySummary": True})[1]["monthlySummary"] is True
    assert call("GET", "/aws-insights", query={"cachedOnly": "true"})[1].get("notice") is None

    assert _run_worker(service, connected, MONTHLY) == {"batchItemFailures": []}

    notice = call("GET", "/aws-insights", query={"cachedOnly": "true"})[1]["notice"]
    assert notice["month"] == "2026-10"
    assert (
        notice["text"] == "AWS in October 2026: 1 idle resource ~$8.00/month, 1 cost anomaly, no commitments."
    )
    assert call("DELETE", "/aws-insights/notice") == (204, None)
    assert "notice" not in call("GET", "/aws-insights", query={"cachedOnly": "true"})[1]


def test_without_opting_in_or_on_the_finalize_run_no_summary_is_left(
    connected: Moto, service: CostsService
) -> None:
    _insights(connected)
    assert _run_worker(service, connected, MONTHLY) == {"batchItemFailures": []}
    assert "notice" not in call("GET", "/aws-insights", query={"cachedOnly": "true"})[1]
    call("PUT", "/aws-insights/settings", body={"monthlySummary": True})
    assert _run_worker(service, connected, {**MONTHLY, "kind": "finalize"}) == {"batchItemFailures": []}
    assert "notice" not in call("GET", "/aws-insights", query={"cachedOnly": "true"})[1]


def test_changing_regions_keeps_the_summary_choice_and_turning_it_off_drops_the_notice(
    connected: Moto, service: CostsService
) -> None:
    svc = _insights(connected)
    call("PUT", "/aws-insights/settings", body={"monthlySummary": True})
    assert call("PUT", "/aws-insights/settings", body={"regions": ["eu-west-1"]})[1] == {
        "regions": ["eu-west-1"],
        "monthlySummary": True,
        "maxRegions": 8,
    }
    assert svc.after_import("user-a", "2026-10") is True
    call("PUT", "/aws-insights/settings", body={"monthlySummary": False})
    assert "notice" not in call("GET", "/aws-insights", query={"cachedOnly": "true"})[1]
