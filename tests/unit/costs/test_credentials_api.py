"""/aws-credentials and /aws-credentials/role-setup through the real handler, on moto."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlparse

import boto3
import pytest
from botocore.stub import Stubber
from outlay.dal.aws_sessions import AwsSessions
from outlay.dal.credentials_repo import CredentialsRepository
from outlay.handlers import costs_api
from outlay.logic.costs_service import CostsService

from .conftest import CREDENTIALS, SERVICE_ACCOUNT, Moto, call

KEY_ID = "AKIAIOSFODNN7EXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
KEYS = {
    "type": "keys",
    "accessKeyId": KEY_ID,
    "secretAccessKey": SECRET,
    "region": "eu-west-1",
    "enabled": True,
}


def test_status_before_anything_is_configured(service: CostsService) -> None:
    status, body = call("GET", "/aws-credentials")
    assert status == 200
    assert body == {
        "configured": False,
        "enabled": False,
        "type": None,
        "region": None,
        "accountId": None,
        "roleArn": None,
        "accessKeyId": None,
        "updatedAt": None,
        "lastImport": None,
    }


def test_save_keys_validates_encrypts_and_reports_status(service: CostsService, moto_aws: Moto) -> None:
    status, body = call("POST", "/aws-credentials", body=KEYS)
    assert status == 200
    assert body["message"] == "Credentials saved successfully" and body["enabled"] is True

    item = moto_aws.credentials_item("user-a")
    assert item is not None
    assert item["type"]["S"] == "keys" and item["accountId"]["S"] == "123456789012"  # from GetCallerIdentity
    assert set(item["secret"]["M"]) == {"ciphertext", "nonce", "encryptedDataKey", "version"}
    assert SECRET not in json.dumps(item) and KEY_ID not in json.dumps(item)

    status, body = call("GET", "/aws-credentials")
    assert status == 200
    assert body["configured"] is True and body["enabled"] is True and body["type"] == "keys"
    assert body["region"] == "eu-west-1" and body["accountId"] == "123456789012"
    assert body["accessKeyId"] == "AKIA…MPLE"
    assert SECRET not in json.dumps(body)


def test_seed_contract_without_type_means_keys(service: CostsService) -> None:
    seed = {k: v for k, v in KEYS.items() if k != "type"}
    status, _ = call("POST", "/aws-credentials", body=seed)
    assert status == 200
    assert call("GET", "/aws-credentials")[1]["type"] == "keys"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**KEYS, "accessKeyId": "not-a-key"}, "accessKeyId"),
        ({**KEYS, "secretAccessKey": "short"}, "secretAccessKey"),
        ({**KEYS, "region": "mars"}, "region"),
        ({**KEYS, "userId": "someone-else"}, "userId"),  # the user id never comes from a body
        ({"type": "role", "roleArn": "arn:aws:iam::123:role/x"}, "roleArn"),
        ({"type": "token", "token": "x"}, "type"),
    ],
)
def test_invalid_bodies_are_400_naming_the_field_without_echoing_values(
    service: CostsService, moto_aws: Moto, body: dict[str, Any], field: str
) -> None:
    status, response = call("POST", "/aws-credentials", body=body)
    assert status == 400
    assert response["error"] == "invalid_input"
    assert (
        any(field in d["field"] or field in response["message"] for d in response["details"])
        or field == "type"
    )
    text = json.dumps(response)
    assert SECRET not in text and "short" not in text.replace("too_short", "")
    assert moto_aws.credentials_item("user-a") is None


def rejecting_service(make_service: Callable[..., CostsService], code: str) -> CostsService:
    client = boto3.client("sts", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
    stub = Stubber(client)
    stub.add_client_error(
        "get_caller_identity", service_error_code=code, service_message=f"bad {KEY_ID}", http_status_code=403
    )
    stub.activate()
    svc = make_service(sessions=AwsSessions(client_factory=lambda service, **kw: client))
    costs_api.service.use(svc)
    return svc


@pytest.mark.parametrize(
    ("code", "status", "error", "message"),
    [
        ("InvalidClientTokenId", 400, "aws_credentials_rejected", "Invalid AWS credentials"),
        ("SignatureDoesNotMatch", 400, "aws_credentials_rejected", "Invalid AWS credentials"),
        ("ExpiredToken", 400, "aws_credentials_rejected", "AWS credentials expired"),
        ("AccessDenied", 400, "aws_credentials_rejected", "Access denied"),
        ("Throttling", 503, "upstream_unavailable", "try again"),
    ],
)
def test_rejected_keys_are_not_saved_and_the_message_is_actionable(
    make_service: Callable[..., CostsService],
    moto_aws: Moto,
    code: str,
    status: int,
    error: str,
    message: str,
) -> None:
    rejecting_service(make_service, code)
    got_status, body = call("POST", "/aws-credentials", body=KEYS)
    assert got_status == status
    assert body["error"] == error and message in body["message"]
    assert KEY_ID not in json.dumps(body) and SECRET not in json.dumps(body)
    assert moto_aws.credentials_item("user-a") is None


def test_role_setup_external_id_is_stable_per_user_and_unique(service: CostsService) -> None:
    status, first = call("GET", "/aws-credentials/role-setup")
    assert status == 200
    second = call("GET", "/aws-credentials/role-setup")[1]
    other = call("GET", "/aws-credentials/role-setup", sub="user-b")[1]
    assert first["externalId"] == second["externalId"] != other["externalId"]
    assert len(first["externalId"]) >= 32
    assert first["principal"] == f"arn:aws:iam::{SERVICE_ACCOUNT}:root"
    assert first["policy"]["Statement"] == [
        {
            "Sid": "OutlayReadCosts",
            "Effect": "Allow",
            "Action": ["ce:GetCostAndUsage", "ce:GetCostForecast"],
            "Resource": "*",
        }
    ]
    template = json.loads(first["template"])
    role = template["Resources"]["OutlayRole"]["Properties"]
    trust = role["AssumeRolePolicyDocument"]["Statement"][0]
    assert trust["Condition"] == {"StringEquals": {"sts:ExternalId": {"Ref": "ExternalId"}}}
    assert template["Parameters"]["ExternalId"]["Default"] == first["externalId"]
    assert template["Parameters"]["TrustedAccountId"]["Default"] == SERVICE_ACCOUNT
    assert role["Policies"][0]["PolicyDocument"] == first["policy"]
    url = urlparse(first["quickCreateUrl"])
    assert url.netloc == "console.aws.amazon.com" and "quickcreate" in url.fragment
    params = parse_qs(url.fragment.split("?", 1)[1])
    assert params["param_ExternalId"] == [first["externalId"]]
    assert "templateURL" not in params and first["templateHosted"] is False
    assert first["templateBody"] == first["template"] and "Upload a template file" in first["instructions"]
    assert first["roleNameSuggestion"] == "OutlayCostExplorerReadOnly"


def test_concurrent_first_calls_agree_on_one_external_id(moto_aws: Moto) -> None:
    repo = CredentialsRepository(CREDENTIALS, dynamodb_client=moto_aws.ddb)
    a = repo.ensure_external_id("user-z", "candidate-from-request-1-xxxxxxxxxxxxxxxx", "2026-11-21T00:00:00Z")
    b = repo.ensure_external_id("user-z", "candidate-from-request-2-yyyyyyyyyyyyyyyy", "2026-11-21T00:00:01Z")
    assert a == b == "candidate-from-request-1-xxxxxxxxxxxxxxxx"


def test_role_template_passes_cfn_lint(service: CostsService) -> None:
    cfnlint_api = pytest.importorskip("cfnlint.api")
    template = call("GET", "/aws-credentials/role-setup")[1]["template"]
    matches = cfnlint_api.lint(template, config=cfnlint_api.ManualArgs(regions=["us-east-1"]))
    assert [str(m) for m in matches] == []


ROLE = "arn:aws:iam::111122223333:role/OutlayCostExplorerReadOnly"


def test_save_role_assumes_with_external_id_and_stores_no_secret(
    service: CostsService, moto_aws: Moto
) -> None:
    external_id = call("GET", "/aws-credentials/role-setup")[1]["externalId"]
    status, body = call("POST", "/aws-credentials", body={"type": "role", "roleArn": ROLE, "enabled": False})
    assert status == 200 and body["enabled"] is False
    item = moto_aws.credentials_item("user-a")
    assert item is not None
    assert item["roleArn"]["S"] == ROLE and item["accountId"]["S"] == "111122223333"
    assert item["externalId"]["S"] == external_id and "secret" not in item
    got = call("GET", "/aws-credentials")[1]
    assert got["type"] == "role" and got["enabled"] is False and got["roleArn"] == ROLE


def test_switching_from_keys_to_role_drops_the_key_envelope(service: CostsService, moto_aws: Moto) -> None:
    call("POST", "/aws-credentials", body=KEYS)
    call("POST", "/aws-credentials", body={"type": "role", "roleArn": ROLE})
    item = moto_aws.credentials_item("user-a")
    assert item is not None and "secret" not in item and "keyHint" not in item


def test_toggle_and_delete(service: CostsService, moto_aws: Moto) -> None:
    assert call("PUT", "/aws-credentials/toggle", body={"enabled": False})[0] == 404
    call("POST", "/aws-credentials", body=KEYS)
    status, body = call("PUT", "/aws-credentials/toggle", body={"enabled": False})
    assert status == 200 and body["enabled"] is False and "disabled" in body["message"]
    assert call("GET", "/aws-credentials")[1]["enabled"] is False
    assert call("PUT", "/aws-credentials/toggle", body={"enabled": "yes"})[0] == 400  # strict bool

    external_id = call("GET", "/aws-credentials/role-setup")[1]["externalId"]
    status, body = call("DELETE", "/aws-credentials")
    assert status == 200 and body == {"message": "Credentials deleted successfully"}
    status, body = call("GET", "/aws-credentials")
    assert body["configured"] is False and body["type"] is None and body["accessKeyId"] is None
    item = moto_aws.credentials_item("user-a")
    assert item is not None and "secret" not in item and "type" not in item
    # the ExternalId survives so an already-deployed role keeps working on reconnect
    assert call("GET", "/aws-credentials/role-setup")[1]["externalId"] == external_id
    assert call("DELETE", "/aws-credentials")[0] == 404
    assert call("PUT", "/aws-credentials/toggle", body={"enabled": True})[0] == 404


def test_users_are_isolated(service: CostsService) -> None:
    call("POST", "/aws-credentials", body=KEYS, sub="user-a")
    assert call("GET", "/aws-credentials", sub="user-b")[1]["configured"] is False
    assert call("DELETE", "/aws-credentials", sub="user-b")[0] == 404
    assert call("GET", "/aws-credentials", sub="user-a")[1]["configured"] is True
