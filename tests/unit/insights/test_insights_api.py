"""GET /aws-insights over the costs handler: moto's EC2, a Cost Explorer double, the real cache."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from outlay.dal.aws_sessions import AwsSessions
from outlay.dal.wiring import build_insights_service
from outlay.handlers import costs_api

from local.envelope_lambda import LOCAL_ENVELOPE_FUNCTION, InProcessLambda
from tests.unit.costs.conftest import CREDENTIALS, EXPENSES, Moto, call, fixed_clock
from tests.unit.insights.fakes import FakeCostExplorer


def _install(moto: Moto, ce: FakeCostExplorer, ec2: dict[str, Any] | None = None) -> None:
    real = boto3.session.Session()

    def factory(service: str, **kwargs: Any) -> Any:
        if service == "ce":
            return ce
        if service == "ec2" and ec2 and kwargs.get("region_name") in ec2:
            return ec2[kwargs["region_name"]]
        return real.client(service, **kwargs)

    costs_api.insights.use(
        build_insights_service(
            credentials_table=CREDENTIALS,
            expenses_table=EXPENSES,
            envelope_function=LOCAL_ENVELOPE_FUNCTION,
            dynamodb_client=moto.ddb,
            lambda_client=InProcessLambda.for_key(moto.key_id, moto.kms),
            sessions=AwsSessions(client_factory=factory),
            clock=fixed_clock,
        )
    )


@pytest.fixture
def loose_volume(connected: Moto) -> str:
    ec2 = boto3.client("ec2", region_name="us-east-1")
    return str(ec2.create_volume(AvailabilityZone="us-east-1a", Size=100, VolumeType="gp3")["VolumeId"])


def test_insights_list_waste_anomalies_and_quiet_commitments_for_the_connection(
    connected: Moto, loose_volume: str
) -> None:
    ce = FakeCostExplorer(ec2_daily="3.00")  # 3/day against 30/month: a run-rate anomaly
    _install(connected, ce)
    status, body = call("GET", "/aws-insights")
    assert status == 200
    [conn] = body["connections"]
    assert conn["id"] and (conn["accountId"], conn["cached"]) == ("123456789012", False)
    assert (conn["regions"], conn["regionsFrom"]) == (
        ["us-east-1"],
        "spend",
    )  # "global" and $0 regions left out
    [finding] = conn["waste"]["items"]
    assert (finding["kind"], finding["resourceId"], finding["monthlyCost"]) == (
        "unattached_volume",
        loose_volume,
        "8.00",
    )
    sources = {(a["source"], a["service"]) for a in conn["anomalies"]["items"]}
    assert sources == {("aws", "AWS Lambda"), ("outlay", "Amazon Elastic Compute Cloud - Compute")}
    assert conn["commitments"]["reservations"] == {"has": False}
    assert conn["commitments"]["savingsPlans"] == {"has": False}
    assert conn["problems"] == []
    assert body["badges"]["EC2 - Other"] == "1 unattached volume ~$8.00/month"


def test_a_second_read_is_served_from_the_cache_with_its_time_and_refresh_reads_aws_again(
    connected: Moto, loose_volume: str
) -> None:
    ce = FakeCostExplorer()
    _install(connected, ce)
    first = call("GET", "/aws-insights")[1]["connections"][0]
    calls = len(ce.calls)
    second = call("GET", "/aws-insights", query={"connection": first["id"]})[1]["connections"][0]
    assert (second["cached"], second["readAt"], len(ce.calls)) == (True, first["readAt"], calls)
    refreshed = call("GET", "/aws-insights", query={"refresh": "true"})[1]["connections"][0]
    assert refreshed["cached"] is False and len(ce.calls) > calls


def test_cached_only_never_calls_aws_and_leaves_out_connections_never_read(
    connected: Moto, loose_volume: str
) -> None:
    ce = FakeCostExplorer()
    _install(connected, ce)
    assert call("GET", "/aws-insights", query={"cachedOnly": "true"})[1]["connections"] == []
    assert ce.calls == []
    call("GET", "/aws-insights")
    calls = len(ce.calls)
    body = call("GET", "/aws-insights", query={"cachedOnly": "true"})[1]
    assert [c["cached"] for c in body["connections"]] == [True] and len(ce.calls) == calls
    assert body["badges"]["EC2 - Other"] == "1 unattached volume ~$8.00/month"


def test_a_denied_feature_is_reported_in_user_words_while_the_others_still_answer(
    connected: Moto, loose_volume: str
) -> None:
    eu = boto3.client("ec2", region_name="eu-west-1")
    stub = Stubber(eu)
    stub.add_client_error("describe_volumes", "UnauthorizedOperation")
    stub.add_response(
        "describe_addresses", {"Addresses": [{"PublicIp": "203.0.113.9", "AllocationId": "eipalloc-1"}]}
    )
    stub.add_response("describe_snapshots", {"Snapshots": []})
    stub.add_response("describe_instances", {"Reservations": []})
    stub.activate()
    _install(connected, FakeCostExplorer(denied=("GetAnomalies",)), ec2={"eu-west-1": eu})
    assert call("PUT", "/aws-insights/settings", body={"regions": ["eu-west-1", "us-east-1"]})[0] == 200

    [conn] = call("GET", "/aws-insights", query={"refresh": "true"})[1]["connections"]
    assert conn["regionsFrom"] == "preference"
    messages = {p["message"] for p in conn["problems"]}
    assert messages == {
        "Outlay may not read EC2 volumes in eu-west-1: add the optional statement OutlayFindWaste "
        "to the role's policy (Settings, AWS role setup)",
        "Outlay may not read Cost Anomaly Detection findings: add the optional statement "
        "OutlayReadAnomalies to the role's policy (Settings, AWS role setup)",
    }
    kinds = {(f["kind"], f["region"]) for f in conn["waste"]["items"]}
    assert kinds == {("idle_address", "eu-west-1"), ("unattached_volume", "us-east-1")}
    assert [a["source"] for a in conn["anomalies"]["items"]] == []  # 1/day = the usual 30/month
    stub.assert_no_pending_responses()


def test_without_a_connection_insights_say_so_and_an_unknown_connection_is_404(service: Any) -> None:
    assert call("GET", "/aws-insights") == (200, {"configured": False, "connections": [], "badges": {}})
    assert call("GET", "/aws-insights", query={"connection": "nope"})[0] == 404


@pytest.mark.parametrize(
    ("query", "field"),
    [({"refresh": "yes"}, "refresh"), ({"connection": "a/b"}, "connection"), ({"x": "1"}, "x")],
)
def test_a_bad_query_is_a_400_naming_the_parameter(service: Any, query: dict[str, str], field: str) -> None:
    status, body = call("GET", "/aws-insights", query=query)
    assert status == 400
    assert field in {d["field"] for d in body["details"]}


def test_regions_to_scan_are_validated_and_kept(connected: Moto, make_service: Callable[..., Any]) -> None:
    _install(connected, FakeCostExplorer())
    status, body = call("PUT", "/aws-insights/settings", body={"regions": ["eu-west-1", "mars-north-1x"]})
    assert status == 400 and body["details"][0]["field"].startswith("regions")
    assert call("PUT", "/aws-insights/settings", body={"regions": ["us-west-2", "eu-west-1"]}) == (
        200,
        {"regions": ["eu-west-1", "us-west-2"], "monthlySummary": False, "maxRegions": 8},
    )
    assert call("GET", "/aws-insights/settings")[1]["regions"] == ["eu-west-1", "us-west-2"]
