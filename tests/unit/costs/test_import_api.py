"""POST /aws-cost-import, history, forecast and the admin fan-out, on moto with the real expense
repository (summaries maintained in the same transaction)."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from outlay.handlers import costs_api
from outlay.logic.costs_service import CostsService

from .conftest import (
    KEYS,
    MOTO_DEFAULT_ACCOUNT,
    OCTOBER_GROUPS,
    SECRET,
    Moto,
    call,
    ce_group,
    ce_result,
    clear_ce_cache,
    hybrid_sessions,
    repo,
)


def october(moto_aws: Moto, groups: list[dict[str, Any]] = OCTOBER_GROUPS) -> None:
    moto_aws.queue_ce([ce_result("2026-10-01", "2026-11-01", groups)], account_id=MOTO_DEFAULT_ACCOUNT)


def test_import_needs_credentials(service: CostsService) -> None:
    status, body = call("POST", "/aws-cost-import")
    assert status == 400 and "not configured" in body["message"]


def test_import_previous_month_creates_one_expense_per_line(connected: Moto) -> None:
    october(connected)
    status, run = call("POST", "/aws-cost-import", body={})
    assert status == 200
    assert run["status"] == "succeeded" and run["months"] == ["2026-10"] and run["trigger"] == "manual"
    assert (run["expensesCreated"], run["expensesUpdated"], run["expensesUnchanged"]) == (4, 0, 0)
    assert run["totals"] == [{"currency": "USD", "total": "44.97"}]  # 12.35 + 40.12 - 12.50 + 5.00
    assert run["accountId"] == MOTO_DEFAULT_ACCOUNT

    expenses = {e.vendor: e for e in repo(connected).month_expenses("user-a", "2026", "10")}
    s3 = expenses["AWS - Amazon Simple Storage Service"]
    assert s3.amount == Decimal("12.35") and s3.currency == "USD" and s3.source == "aws"
    assert s3.date.isoformat() == "2026-10-31" and s3.category == "Software" and s3.tags == ["aws"]
    assert s3.description == "AWS Amazon Simple Storage Service charges for October 2026"
    assert s3.aws is not None and s3.aws.month == "2026-10" and s3.aws.account_id == MOTO_DEFAULT_ACCOUNT
    assert expenses["AWS - Credits"].amount == Decimal("-12.50")
    assert expenses["AWS - Amazon Elastic Compute Cloud - Compute"].aws.amortized_amount == Decimal("35.10")  # type: ignore[union-attr]
    assert "AWS - AWS Lambda" not in expenses  # $0.004 is below half a cent


def test_three_runs_of_the_same_month_change_nothing_after_the_first(connected: Moto) -> None:
    october(connected)
    runs, counts, summaries = [], [], []
    for _ in range(3):
        status, run = call("POST", "/aws-cost-import", body={"month": "2026-10"})
        assert status == 200
        runs.append(run)
        counts.append(len(connected.expense_items("user-a")))
        summaries.append(repo(connected).summary("user-a", "2026-10", "2026-10").model_dump(mode="json"))
    assert counts == [4, 4, 4]
    assert summaries[0] == summaries[1] == summaries[2]
    assert summaries[0]["totals"] == [{"currency": "USD", "total": "44.97"}]
    assert [r["expensesCreated"] for r in runs] == [4, 0, 0]
    assert [r["expensesUnchanged"] for r in runs] == [0, 4, 4]


def test_a_changed_bill_updates_in_place_and_drops_vanished_lines(connected: Moto) -> None:
    october(connected)
    call("POST", "/aws-cost-import")
    clear_ce_cache()
    revised = [
        ce_group("Amazon Simple Storage Service", "Usage", "13.00"),
        ce_group("Amazon Elastic Compute Cloud - Compute", "Usage", "40.125", "35.10"),
        ce_group("Amazon Elastic Compute Cloud - Compute", "Credit", "-10.00"),
        ce_group("Amazon Simple Storage Service", "Credit", "-2.50"),
    ]  # tax line gone (e.g. refunded before finalization)
    october(connected, revised)
    status, run = call("POST", "/aws-cost-import")
    assert status == 200
    assert (
        run["expensesCreated"],
        run["expensesUpdated"],
        run["expensesUnchanged"],
        run["expensesRemoved"],
    ) == (0, 1, 2, 1)
    vendors = sorted(e.vendor for e in repo(connected).month_expenses("user-a", "2026", "10"))
    assert vendors == [
        "AWS - Amazon Elastic Compute Cloud - Compute",
        "AWS - Amazon Simple Storage Service",
        "AWS - Credits",
    ]
    summary = repo(connected).summary("user-a", "2026-10", "2026-10").model_dump(mode="json")
    assert summary["totals"] == [{"currency": "USD", "total": "40.62"}]


def test_manual_expenses_are_never_touched_by_an_import(connected: Moto) -> None:
    from outlay.models.expenses import Expense

    manual = Expense.model_validate(
        {
            "id": "m1",
            "date": "2026-10-31",
            "amount": "9.99",
            "currency": "USD",
            "category": "Software",
            "vendor": "AWS - Amazon Simple Storage Service",
            "createdAt": "2026-10-31T00:00:00Z",
            "updatedAt": "2026-10-31T00:00:00Z",
        }
    )
    repo(connected).upsert("user-a", manual)
    october(connected, [ce_group("AWS Lambda", "Usage", "1.00")])
    call("POST", "/aws-cost-import")
    ids = {e.id for e in repo(connected).month_expenses("user-a", "2026", "10")}
    assert "m1" in ids and len(ids) == 2


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"month": "2026-11"}, "Only finished months"),
        ({"month": "2027-03"}, "Only finished months"),
        ({"from": "2025-01", "to": "2026-10"}, "at most 12 months"),
        ({"from": "2026-01"}, "needs both from and to"),
        ({"month": "October"}, "month"),
        ({"month": "2026-10", "userId": "x"}, "userId"),
    ],
)
def test_bad_import_requests_are_400(connected: Moto, body: dict[str, Any], fragment: str) -> None:
    status, response = call("POST", "/aws-cost-import", body=body)
    assert status == 400 and fragment in json.dumps(response)


def _all_filters() -> Any:
    from outlay.models.queries import ExpenseFilters

    return ExpenseFilters()


def test_disabled_credentials_still_import_on_demand(connected: Moto) -> None:
    call("PUT", "/aws-credentials/toggle", body={"enabled": False})
    october(connected)
    assert call("POST", "/aws-cost-import")[1]["status"] == "succeeded"


def test_history_newest_first_with_cursor_and_last_import(connected: Moto) -> None:
    october(connected)
    clock = [0]

    def ticking() -> Any:
        from datetime import timedelta

        from .conftest import NOW

        clock[0] += 1
        return NOW + timedelta(seconds=clock[0])

    svc = costs_api.service()
    svc.clock = ticking
    first = call("POST", "/aws-cost-import")[1]
    second = call("POST", "/aws-cost-import")[1]
    status, page = call("GET", "/aws-cost-import/history", query={"limit": "1"})
    assert status == 200 and [i["runId"] for i in page["items"]] == [second["runId"]]
    assert page["next"]
    status, page2 = call("GET", "/aws-cost-import/history", query={"limit": "1", "next": page["next"]})
    assert [i["runId"] for i in page2["items"]] == [first["runId"]]
    item = page2["items"][0]
    assert (
        item["trigger"] == "manual"
        and item["status"] == "succeeded"
        and item["startedAt"]
        and item["finishedAt"]
    )
    assert item["totals"] == [{"currency": "USD", "total": "44.97"}]
    assert call("GET", "/aws-cost-import/history", query={"next": "garbage!"})[0] == 400
    assert call("GET", "/aws-cost-import/history", sub="user-b")[1]["items"] == []
    last = call("GET", "/aws-credentials")[1]["lastImport"]
    assert last["runId"] == second["runId"] and last["status"] == "succeeded"


def stubbed_ce() -> tuple[Any, Stubber]:
    client = boto3.client("ce", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
    stub = Stubber(client)
    stub.activate()
    return client, stub


def test_access_denied_import_is_a_400_and_recorded_as_failed(
    connected: Moto, make_service: Callable[..., CostsService]
) -> None:
    client, stub = stubbed_ce()
    stub.add_client_error(
        "get_cost_and_usage",
        service_error_code="AccessDeniedException",
        service_message="User: arn:aws:iam::123456789012:user/x AKIAIOSFODNN7EXAMPLE",
    )
    costs_api.service.use(make_service(sessions=hybrid_sessions(ce=client)))
    status, body = call("POST", "/aws-cost-import")
    assert status == 400 and body["error"] == "aws_credentials_rejected"
    assert "ce:GetCostAndUsage" in body["message"] and "AKIA" not in json.dumps(body)
    history = call("GET", "/aws-cost-import/history")[1]["items"]
    assert len(history) == 1
    assert history[0]["status"] == "failed" and history[0]["failedMonths"] == ["2026-10"]
    assert (
        "ce:GetCostAndUsage" in history[0]["error"] and history[0]["errorCode"] == "aws_credentials_rejected"
    )
    assert {"field": "runId", "message": history[0]["runId"]} in body["details"]


def test_forecast(connected: Moto, make_service: Callable[..., CostsService]) -> None:
    client, stub = stubbed_ce()
    stub.add_response(
        "get_cost_forecast",
        {"Total": {"Amount": "87.654", "Unit": "USD"}, "ForecastResultsByTime": []},
        {
            "TimePeriod": {"Start": "2026-11-21", "End": "2026-12-01"},
            "Metric": "UNBLENDED_COST",
            "Granularity": "MONTHLY",
        },
    )
    stub.add_client_error("get_cost_forecast", service_error_code="AccessDeniedException")
    stub.add_client_error("get_cost_forecast", service_error_code="DataUnavailableException")
    stub.add_client_error("get_cost_forecast", service_error_code="LimitExceededException")
    costs_api.service.use(make_service(sessions=hybrid_sessions(ce=client)))
    assert call("GET", "/aws-costs/forecast")[1] == {
        "available": True,
        "month": "2026-11",
        "amount": "87.65",
        "currency": "USD",
        "start": "2026-11-21",
        "end": "2026-12-01",
    }
    status, denied = call("GET", "/aws-costs/forecast")
    assert status == 200 and denied["available"] is False and "ce:GetCostForecast" in denied["message"]
    status, no_data = call("GET", "/aws-costs/forecast")
    assert status == 200 and no_data["reason"] == "aws_cost_data_unavailable"
    assert call("GET", "/aws-costs/forecast")[0] == 503
    status, none = call("GET", "/aws-costs/forecast", sub="user-b")
    assert status == 200 and none["available"] is False and none["reason"] == "not_configured"
    assert SECRET not in json.dumps([denied, no_data, none])


def test_import_all_is_for_admins_only(connected: Moto) -> None:
    call("POST", "/aws-credentials", body=KEYS, sub="user-b")
    status, body = call("POST", "/aws-cost-import/all")
    assert status == 403 and body["error"] == "forbidden"
    status, body = call("POST", "/aws-cost-import/all", groups="[admins]")
    assert status == 202 and body["queued"] == 2
    messages = connected.sqs.receive_message(QueueUrl=connected.queue_url, MaxNumberOfMessages=10)["Messages"]
    bodies = sorted((json.loads(m["Body"]) for m in messages), key=lambda b: b["userId"])
    assert [b.pop("connectionId") for b in bodies] == [
        connected.connection_ids("user-a")[0],
        connected.connection_ids("user-b")[0],
    ]
    assert bodies == [
        {"userId": "user-a", "months": ["2026-10"], "trigger": "admin", "kind": "admin"},
        {"userId": "user-b", "months": ["2026-10"], "trigger": "admin", "kind": "admin"},
    ]


def test_role_connection_imports_from_the_roles_account(service: CostsService, moto_aws: Moto) -> None:
    role = "arn:aws:iam::444455556666:role/OutlayCostExplorerReadOnly"
    assert call("POST", "/aws-credentials", body={"type": "role", "roleArn": role})[0] == 200
    # moto's AssumeRole hands out credentials of the role's account; CE answers from that account
    moto_aws.queue_ce([ce_result("2026-10-01", "2026-11-01", OCTOBER_GROUPS)], account_id="444455556666")
    status, run = call("POST", "/aws-cost-import")
    assert status == 200 and run["status"] == "succeeded" and run["accountId"] == "444455556666"
    assert run["expensesCreated"] == 4
    metas = {e.aws.account_id for e in repo(moto_aws).month_expenses("user-a", "2026", "10") if e.aws}
    assert metas == {"444455556666"}


def test_an_envelope_copied_onto_another_users_row_does_not_decrypt(connected: Moto) -> None:
    alice = connected.credentials_item("user-a")
    assert alice is not None
    call("POST", "/aws-credentials", body={**KEYS, "accessKeyId": "AKIABOBSOWNKEY000001"}, sub="user-b")
    [bobs] = connected.connection_ids("user-b")
    connected.set_connection_field("user-b", bobs, "secret", alice["secret"])
    october(connected)
    status, body = call("POST", "/aws-cost-import", sub="user-b")
    assert status == 400 and body["error"] == "aws_credentials_unreadable"
    assert "save them again" in body["message"]
    assert connected.expense_items("user-b") == []
    assert call("POST", "/aws-cost-import", sub="user-a")[1]["status"] == "succeeded"  # alice unaffected
