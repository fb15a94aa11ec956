"""What we send to STS and Cost Explorer, and how their errors reach users (botocore Stubber where
moto cannot tell: the ExternalId, exact CE parameters, paging, error codes; a before-send hook for
throttling because Stubber short-circuits botocore's retry loop)."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from outlay.dal.aws_sessions import AwsSessions, TemporaryCredentials
from outlay.dal.cost_explorer import CostExplorer
from outlay.logic.aws_errors import CostDataUnavailableError
from outlay.logic.errors import CredentialsRejectedError, UpstreamUnavailableError
from outlay.models.credentials import KeysCredentialsRequest

from .conftest import ce_group, ce_result

ROLE = "arn:aws:iam::111122223333:role/OutlayCostExplorerReadOnly"
KEY_ID = "AKIAIOSFODNN7EXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


class StubFactory:
    """One stubbed client per service; records the kwargs each client was built with."""

    def __init__(self) -> None:
        self.clients: dict[str, Any] = {}
        self.stubbers: dict[str, Stubber] = {}
        self.built: list[tuple[str, dict[str, Any]]] = []

    def stub(self, service: str) -> Stubber:
        if service not in self.stubbers:
            client = boto3.client(
                service, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y"
            )
            self.clients[service] = client
            self.stubbers[service] = Stubber(client)
            self.stubbers[service].activate()
        return self.stubbers[service]

    def __call__(self, service: str, **kwargs: Any) -> Any:
        self.built.append((service, kwargs))
        self.stub(service)
        return self.clients[service]


@pytest.fixture
def stubs(monkeypatch: pytest.MonkeyPatch) -> StubFactory:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    return StubFactory()


def assumed() -> dict[str, Any]:
    return {
        "Credentials": {
            "AccessKeyId": "ASIATEMPORARYKEY0001",
            "SecretAccessKey": "temporary-secret-value",
            "SessionToken": "token",
            "Expiration": "2026-11-21T22:00:00Z",
        },
        "AssumedRoleUser": {"AssumedRoleId": "AROAEXAMPLE:outlay-user", "Arn": f"{ROLE}/outlay-user"},
    }


def test_assume_role_sends_the_users_external_id_then_identifies(stubs: StubFactory) -> None:
    sts = stubs.stub("sts")
    sts.add_response(
        "assume_role",
        assumed(),
        {
            "RoleArn": ROLE,
            "ExternalId": "ext-id-of-user-a-0123456789abcdef",
            "RoleSessionName": "outlay-user-a",
            "DurationSeconds": 900,
        },
    )
    sts.add_response(
        "get_caller_identity",
        {"Account": "111122223333", "Arn": f"{ROLE}/outlay-user-a", "UserId": "AROAEXAMPLE"},
        {},
    )
    sessions = AwsSessions(client_factory=stubs)
    account, creds = sessions.role_account(ROLE, "ext-id-of-user-a-0123456789abcdef", "user-a")
    assert account == "111122223333"
    sts.assert_no_pending_responses()
    # GetCallerIdentity ran with the assumed credentials, not ours
    identity_kwargs = [kw for svc, kw in stubs.built if svc == "sts" and "aws_access_key_id" in kw]
    assert identity_kwargs[-1]["aws_access_key_id"] == "ASIATEMPORARYKEY0001"
    assert identity_kwargs[-1]["aws_session_token"] == "token"
    assert repr(creds) == "TemporaryCredentials(***)"


def test_role_in_a_different_account_than_its_arn_is_rejected(stubs: StubFactory) -> None:
    sts = stubs.stub("sts")
    sts.add_response("assume_role", assumed(), None)
    sts.add_response("get_caller_identity", {"Account": "999999999999"}, {})
    with pytest.raises(CredentialsRejectedError, match="different account"):
        AwsSessions(client_factory=stubs).role_account(ROLE, "x" * 43, "user-a")


@pytest.mark.parametrize(
    ("code", "error", "fragment"),
    [
        ("InvalidClientTokenId", CredentialsRejectedError, "Invalid AWS credentials"),
        ("SignatureDoesNotMatch", CredentialsRejectedError, "Invalid AWS credentials"),
        ("AccessDenied", CredentialsRejectedError, "Access denied"),
        ("ExpiredToken", CredentialsRejectedError, "AWS credentials expired"),
        ("Throttling", UpstreamUnavailableError, "throttling"),
        ("ServiceUnavailable", UpstreamUnavailableError, "temporarily unavailable"),
    ],
)
def test_key_validation_errors_map_to_actionable_messages(
    stubs: StubFactory, code: str, error: type[Exception], fragment: str
) -> None:
    stubs.stub("sts").add_client_error(
        "get_caller_identity",
        service_error_code=code,
        service_message=f"key {KEY_ID} is bad",
        http_status_code=403,
    )
    connector_sessions = AwsSessions(client_factory=stubs)
    with pytest.raises(error) as info:
        connector_sessions.caller_account(TemporaryCredentials(KEY_ID, SECRET))
    text = str(info.value)
    assert fragment in text
    assert code in text  # the code helps support
    assert KEY_ID not in text and SECRET not in text  # AWS's message (which echoes the key) is dropped
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_assume_role_access_denied_points_at_the_trust_policy(stubs: StubFactory) -> None:
    stubs.stub("sts").add_client_error("assume_role", service_error_code="AccessDenied", http_status_code=403)
    with pytest.raises(CredentialsRejectedError, match="trust policy"):
        AwsSessions(client_factory=stubs).assume_role(ROLE, "x" * 43, "user-a")


def test_cost_explorer_access_denied_names_the_permission(stubs: StubFactory) -> None:
    stubs.stub("ce").add_client_error(
        "get_cost_and_usage", service_error_code="AccessDeniedException", http_status_code=400
    )
    ce = CostExplorer(
        AwsSessions(client_factory=stubs).cost_explorer(TemporaryCredentials(KEY_ID, SECRET)), "111122223333"
    )
    with pytest.raises(CredentialsRejectedError, match=r"ce:GetCostAndUsage"):
        ce.cost_and_usage_pages("2026-10")


def test_cost_explorer_client_is_us_east_1_and_makes_one_attempt_per_call(stubs: StubFactory) -> None:
    """botocore's own retries would bypass the shared rate limiter: `CostExplorer` retries throttling
    itself, through the limiter (tests/unit/costs/test_ce_rate_limit.py)."""
    AwsSessions(client_factory=stubs).cost_explorer(TemporaryCredentials(KEY_ID, SECRET))
    service, kwargs = stubs.built[-1]
    assert service == "ce" and kwargs["region_name"] == "us-east-1"
    assert kwargs["config"].retries == {"mode": "standard", "total_max_attempts": 1}
    assert kwargs["aws_access_key_id"] == KEY_ID


def test_get_cost_and_usage_parameters_and_paging(stubs: StubFactory) -> None:
    ce_stub = stubs.stub("ce")
    expected = {
        "TimePeriod": {"Start": "2026-02-01", "End": "2026-03-01"},  # End exclusive: Feb 28 included
        "Granularity": "MONTHLY",
        "Metrics": ["UnblendedCost", "AmortizedCost"],
        "GroupBy": [{"Type": "DIMENSION", "Key": "SERVICE"}, {"Type": "DIMENSION", "Key": "RECORD_TYPE"}],
    }
    page1 = ce_result("2026-02-01", "2026-03-01", [ce_group("AWS Lambda", "Usage", "1.00")], token="page-2")
    page2 = ce_result("2026-02-01", "2026-03-01", [ce_group("Amazon S3", "Usage", "2.00")])
    ce_stub.add_response("get_cost_and_usage", page1, expected)
    ce_stub.add_response("get_cost_and_usage", page2, {**expected, "NextPageToken": "page-2"})
    pages = CostExplorer(stubs("ce"), "111122223333").cost_and_usage_pages("2026-02")
    assert len(pages) == 2
    ce_stub.assert_no_pending_responses()


def test_forecast_request_and_rounding(stubs: StubFactory) -> None:
    stubs.stub("ce").add_response(
        "get_cost_forecast",
        {"Total": {"Amount": "123.456789", "Unit": "USD"}, "ForecastResultsByTime": []},
        {
            "TimePeriod": {"Start": "2026-11-21", "End": "2026-12-01"},
            "Metric": "UNBLENDED_COST",
            "Granularity": "MONTHLY",
        },
    )
    result = CostExplorer(stubs("ce"), "111122223333").forecast("2026-11-21", "2026-11")
    assert str(result.amount) == "123.46" and result.currency == "USD"


def test_data_unavailable_is_its_own_error(stubs: StubFactory) -> None:
    stubs.stub("ce").add_client_error("get_cost_and_usage", service_error_code="DataUnavailableException")
    with pytest.raises(CostDataUnavailableError):
        CostExplorer(stubs("ce"), "111122223333").cost_and_usage_pages("2026-10")


def test_keys_request_never_reprs_the_secret() -> None:
    request = KeysCredentialsRequest.model_validate({"accessKeyId": KEY_ID, "secretAccessKey": SECRET})
    assert SECRET not in repr(request) and SECRET not in str(request)
