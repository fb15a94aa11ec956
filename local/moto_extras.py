"""What moto does not emulate (or does slowly) but `make dev` needs, added to moto's in-process server.

- DynamoDB `TransactWriteItems`: moto backs up a table by deep-copying it once per transaction
  *item* (all copies are taken before any write, so they are identical). Every expense write is a
  2-3 item transaction, so a year of demo data paid for 2-3 full table copies per expense. The
  backup is now taken once per table per transaction; rollback semantics are unchanged.
- Cost Explorer `GetCostAndUsage`: moto keeps queued answers per account, and an assumed role's
  credentials belong to the role's account. Locally every connected account (role or keys) sees the
  demo bill queued for moto's default account, unless answers were queued for that account itself.
- Cost Explorer `GetCostForecast`: moto answers NotImplemented (HTTP 500, retried by botocore and
  shown as "AWS unavailable" in the dashboard). Locally it answers a demo forecast for the requested
  period, shaped like AWS's response: `Total {Amount, Unit}` + `ForecastResultsByTime`.
"""

from __future__ import annotations

import copy
import functools
import json
import threading
from decimal import Decimal
from typing import Any

# Roughly the demo account's monthly bill (local/seed.py DEMO_SERVICES + tax).
DEMO_FORECAST_USD = Decimal("81.45")


def _get_cost_forecast(self: Any) -> str:
    request = json.loads(self.body or "{}")
    period = request.get("TimePeriod") or {}
    amount = str(DEMO_FORECAST_USD)
    return json.dumps(
        {
            "Total": {"Amount": amount, "Unit": "USD"},
            "ForecastResultsByTime": [
                {
                    "TimePeriod": {"Start": period.get("Start", ""), "End": period.get("End", "")},
                    "MeanValue": amount,
                    "PredictionIntervalLowerBound": str(DEMO_FORECAST_USD * Decimal("0.9")),
                    "PredictionIntervalUpperBound": str(DEMO_FORECAST_USD * Decimal("1.1")),
                }
            ],
        }
    )


_transaction = threading.local()


class _CopyOncePerTable:
    """Stands in for the `copy` module inside moto.dynamodb.models."""

    def __init__(self, table_type: type) -> None:
        self._table_type = table_type

    def deepcopy(self, value: Any, memo: dict[int, Any] | None = None) -> Any:
        backups: dict[int, Any] | None = getattr(_transaction, "backups", None)
        if backups is None or not isinstance(value, self._table_type):
            return copy.deepcopy(value, memo)
        if id(value) not in backups:
            backups[id(value)] = copy.deepcopy(value, memo)
        return backups[id(value)]

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)


def _backup_once(transact_write_items: Any) -> Any:
    @functools.wraps(transact_write_items)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        _transaction.backups = {}
        try:
            return transact_write_items(self, *args, **kwargs)
        finally:
            _transaction.backups = None

    wrapper._outlay_backup_once = True  # type: ignore[attr-defined]
    return wrapper


DEFAULT_ACCOUNT = "123456789012"


def _shared_demo_bill(get_cost_and_usage: Any) -> Any:
    @functools.wraps(get_cost_and_usage)
    def wrapper(self: Any, body: str) -> Any:
        own = body in self.cost_usage_results or self.cost_usage_results_queue
        if self.account_id != DEFAULT_ACCOUNT and not own:
            from moto.ce.models import ce_backends

            return ce_backends[DEFAULT_ACCOUNT]["global"].get_cost_and_usage(body)
        return get_cost_and_usage(self, body)

    wrapper._outlay_shared = True  # type: ignore[attr-defined]
    return wrapper


def install() -> None:
    """Idempotent; adds what moto lacks or does slowly, as described above."""
    from moto.ce.responses import CostExplorerResponse
    from moto.dynamodb import models as dynamodb_models
    from moto.dynamodb.models.table import Table

    if not hasattr(CostExplorerResponse, "get_cost_forecast"):
        CostExplorerResponse.get_cost_forecast = _get_cost_forecast  # type: ignore[attr-defined]

    from moto.ce.models import CostExplorerBackend

    if not getattr(CostExplorerBackend.get_cost_and_usage, "_outlay_shared", False):
        CostExplorerBackend.get_cost_and_usage = _shared_demo_bill(  # type: ignore[method-assign]
            CostExplorerBackend.get_cost_and_usage
        )

    backend = dynamodb_models.DynamoDBBackend
    if not getattr(backend.transact_write_items, "_outlay_backup_once", False):
        dynamodb_models.copy = _CopyOncePerTable(Table)  # type: ignore[assignment]
        backend.transact_write_items = _backup_once(backend.transact_write_items)  # type: ignore[method-assign]
