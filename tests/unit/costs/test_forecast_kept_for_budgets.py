"""GET /aws-costs/forecast keeps what it fetched in the user's partition (FORECAST#<month>), where the
budgets check reads it; a failed fetch keeps the last good one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import boto3
from botocore.stub import Stubber
from outlay.dal.budgets import BudgetsRepository
from outlay.handlers import costs_api
from outlay.logic.costs_service import CostsService

from .conftest import EXPENSES, NOW, Moto, call, hybrid_sessions


def test_a_fetched_forecast_is_stored_per_user_and_month(
    connected: Moto, make_service: Callable[..., CostsService]
) -> None:
    client = boto3.client("ce", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
    stub = Stubber(client)
    stub.add_response("get_cost_forecast", {"Total": {"Amount": "81.449", "Unit": "USD"}})
    stub.add_client_error("get_cost_forecast", service_error_code="DataUnavailableException")
    stub.activate()
    costs_api.service.use(make_service(sessions=hybrid_sessions(ce=client)))
    store = BudgetsRepository(EXPENSES, dynamodb_client=connected.ddb)
    assert store.get_forecast("user-a", "2026-11") is None

    assert call("GET", "/aws-costs/forecast")[1]["amount"] == "81.45"
    kept = store.get_forecast("user-a", "2026-11")
    assert kept is not None
    assert (kept.amount, kept.currency) == (Decimal("81.45"), "USD")
    assert (kept.start, kept.end, kept.fetched_at) == (date(2026, 11, 21), date(2026, 12, 1), NOW)

    assert call("GET", "/aws-costs/forecast")[1]["available"] is False
    assert store.get_forecast("user-a", "2026-11") == kept  # the last good forecast stays
    assert store.get_forecast("user-b", "2026-11") is None
