"""A connection to an AWS Organizations management account imports per linked account (moto's Cost
Explorer answers; Organizations stubbed with botocore's Stubber)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from outlay.handlers import costs_api
from outlay.logic.cost_import import LINKED_ACCOUNT, expense_id
from outlay.logic.costs_service import CostsService

from .conftest import Moto, call, ce_result, hybrid_sessions, repo

MANAGEMENT = "111122223333"
LINKED = "444455556666"
OTHER = "777788889999"
ROLE = f"arn:aws:iam::{MANAGEMENT}:role/OutlayCostExplorerReadOnly"
LINKED_ROLE = f"arn:aws:iam::{LINKED}:role/OutlayCostExplorerReadOnly"


def group(account: str, value: str, amount: str) -> dict[str, Any]:
    metric = {"Amount": amount, "Unit": "USD"}
    return {"Keys": [account, value], "Metrics": {"UnblendedCost": metric, "AmortizedCost": metric}}


USAGE = [
    group(MANAGEMENT, "AWS Lambda", "1.25"),
    group(LINKED, "Amazon Simple Storage Service", "3.10"),
    group(OTHER, "Amazon Simple Storage Service", "7.00"),
    group(OTHER, "AWS Lambda", "2.00"),
]
RECORDS = [
    group(MANAGEMENT, "Tax", "0.50"),
    group(OTHER, "Credit", "-4.00"),
    group(LINKED, "Credit", "-1.00"),
]


@pytest.fixture
def org_service(make_service: Callable[..., CostsService]) -> tuple[CostsService, Stubber]:
    organizations = boto3.client("organizations", region_name="us-east-1")
    stub = Stubber(organizations)
    stub.activate()
    svc = make_service(sessions=hybrid_sessions(organizations=organizations))
    costs_api.service.use(svc)
    return svc, stub


def describe(stub: Stubber, master: str) -> None:
    stub.add_response(
        "describe_organization", {"Organization": {"Id": "o-abcdefghij", "MasterAccountId": master}}
    )


def list_accounts(stub: Stubber) -> None:
    stub.add_response(
        "list_accounts",
        {"Accounts": [{"Id": MANAGEMENT, "Name": "Management"}, {"Id": OTHER, "Name": "Staging"}]},
    )


def october(moto_aws: Moto) -> None:
    moto_aws.queue_ce(
        [ce_result("2026-10-01", "2026-11-01", USAGE), ce_result("2026-10-01", "2026-11-01", RECORDS)],
        account_id=MANAGEMENT,
    )


def test_a_management_account_imports_every_linked_account_with_its_name(
    org_service: tuple[CostsService, Stubber], moto_aws: Moto
) -> None:
    _, stub = org_service
    describe(stub, MANAGEMENT)
    status, conn = call("POST", "/aws-connections", body={"type": "role", "roleArn": ROLE, "name": "Org"})
    assert status == 201 and conn["isOrganization"] is True
    october(moto_aws)
    list_accounts(stub)
    status, run = call("POST", "/aws-cost-import", body={"month": "2026-10", "connectionId": conn["id"]})
    assert status == 200 and run["status"] == "succeeded"
    assert run["accounts"] == [MANAGEMENT, LINKED, OTHER]
    lines = {
        (e.aws.account_id, e.aws.account_name, e.vendor, str(e.amount))
        for e in repo(moto_aws).month_expenses("user-a", "2026", "10")
        if e.aws
    }
    assert lines == {
        (MANAGEMENT, "Management", "AWS - AWS Lambda", "1.25"),
        (MANAGEMENT, "Management", "AWS - Tax", "0.50"),
        (LINKED, None, "AWS - Amazon Simple Storage Service", "3.10"),  # not in ListAccounts: id only
        (LINKED, None, "AWS - Credits", "-1.00"),
        (OTHER, "Staging", "AWS - Amazon Simple Storage Service", "7.00"),
        (OTHER, "Staging", "AWS - AWS Lambda", "2.00"),
        (OTHER, "Staging", "AWS - Credits", "-4.00"),  # credits stay their own line, per account
    }
    # the management account's own lines keep the id a direct connection gave them
    ids = {e.id for e in repo(moto_aws).month_expenses("user-a", "2026", "10")}
    assert expense_id("user-a", MANAGEMENT, "2026-10", "service:AWS Lambda") in ids
    list_accounts(stub)
    again = call("POST", "/aws-cost-import", body={"month": "2026-10", "connectionId": conn["id"]})[1]
    assert again["expensesCreated"] == 0 and again["expensesUnchanged"] == 7
    assert len(repo(moto_aws).month_expenses("user-a", "2026", "10")) == 7


def test_a_linked_account_also_connected_directly_is_imported_once_by_its_own_connection(
    org_service: tuple[CostsService, Stubber], moto_aws: Moto
) -> None:
    _, stub = org_service
    describe(stub, MANAGEMENT)
    _, org = call("POST", "/aws-connections", body={"type": "role", "roleArn": ROLE})
    describe(stub, MANAGEMENT)  # a member account: the organization is managed elsewhere
    status, direct = call("POST", "/aws-connections", body={"type": "role", "roleArn": LINKED_ROLE})
    assert status == 201 and direct["isOrganization"] is False
    october(moto_aws)
    list_accounts(stub)
    run = call("POST", "/aws-cost-import", body={"month": "2026-10", "connectionId": org["id"]})[1]
    assert run["accounts"] == [MANAGEMENT, OTHER]  # the direct connection wins for LINKED
    accounts = [e.aws.account_id for e in repo(moto_aws).month_expenses("user-a", "2026", "10") if e.aws]
    assert LINKED not in accounts and accounts.count(OTHER) == 3

    direct_month = [
        ce_result("2026-10-01", "2026-11-01", [group("Amazon Simple Storage Service", "Usage", "3.10")])
    ]
    moto_aws.queue_ce(direct_month, account_id=LINKED)
    run = call("POST", "/aws-cost-import", body={"month": "2026-10", "connectionId": direct["id"]})[1]
    assert run["accounts"] == [LINKED] and run["expensesCreated"] == 1
    linked = [
        e
        for e in repo(moto_aws).month_expenses("user-a", "2026", "10")
        if e.aws and e.aws.account_id == LINKED
    ]
    assert len(linked) == 1


def test_organization_queries_group_by_linked_account_and_keep_record_types_apart(
    org_service: tuple[CostsService, Stubber], moto_aws: Moto
) -> None:
    svc, stub = org_service
    describe(stub, MANAGEMENT)
    _, org = call("POST", "/aws-connections", body={"type": "role", "roleArn": ROLE})
    requests: list[dict[str, Any]] = []
    explorer = svc.connections.cost_explorer("user-a", org["id"])
    explorer._client.meta.events.register(
        "provide-client-params.ce.GetCostAndUsage", lambda params, **_: requests.append(params)
    )
    october(moto_aws)
    explorer.cost_and_usage_pages("2026-10")
    assert len(requests) == 2  # Cost Explorer calls per organization-month (one page each)
    assert [[g["Key"] for g in r["GroupBy"]] for r in requests] == [
        [LINKED_ACCOUNT, "SERVICE"],
        [LINKED_ACCOUNT, "RECORD_TYPE"],
    ]
    assert requests[0]["Filter"] == {"Dimensions": {"Key": "RECORD_TYPE", "Values": ["Usage"]}}
    assert requests[1]["Filter"] == {"Not": requests[0]["Filter"]}


def test_the_role_template_grants_organizations_only_as_an_option_and_explains_every_action(
    org_service: tuple[CostsService, Stubber],
) -> None:
    import json

    setup = call("GET", "/aws-credentials/role-setup")[1]
    template = json.loads(setup["template"])
    policies = template["Resources"]["OutlayRole"]["Properties"]["Policies"]
    condition, granted, absent = policies[1]["Fn::If"]
    assert condition == "ReadOrganization" and absent == {"Ref": "AWS::NoValue"}
    assert template["Conditions"]["ReadOrganization"] == {"Fn::Equals": [{"Ref": "ReadOrganization"}, "true"]}
    assert granted["PolicyDocument"] == setup["optionalPolicies"]["organizations"]
    actions = {
        action
        for document in (setup["policy"], setup["optionalPolicies"]["organizations"])
        for statement in document["Statement"]
        for action in statement["Action"]
    }
    assert actions == {
        "ce:GetCostAndUsage",
        "ce:GetCostForecast",
        "organizations:DescribeOrganization",
        "organizations:ListAccounts",
    }
    explained = {p["action"]: p for p in setup["permissions"]}
    assert set(explained) == actions and all(p["why"] for p in explained.values())
    assert {a for a, p in explained.items() if p["optional"]} == {
        "organizations:DescribeOrganization",
        "organizations:ListAccounts",
    }


def test_without_organizations_permission_a_connection_is_a_single_account(
    org_service: tuple[CostsService, Stubber],
) -> None:
    _, stub = org_service
    stub.add_client_error("describe_organization", "AccessDeniedException", http_status_code=400)
    status, conn = call("POST", "/aws-connections", body={"type": "role", "roleArn": ROLE})
    assert status == 201 and conn["isOrganization"] is False
