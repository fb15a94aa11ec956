"""Fixtures for the recurring rules tests: the real expenses handler over moto, with a clock the test
moves (`today.set(...)`), and the daily runner's handler wired to the same clock."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import pytest
from outlay.dal.wiring import build_recurring_service
from outlay.handlers import recurring_routes, recurring_runner
from outlay.handlers.wiring import reset_all

from tests.unit.costs.conftest import FakeContext
from tests.unit.expenses.expense_events import Call, invoke


@dataclass
class Today:
    value: date = field(default_factory=lambda: date(2026, 3, 15))

    def set(self, value: date) -> None:
        self.value = value

    def now(self) -> datetime:
        return datetime(self.value.year, self.value.month, self.value.day, 8, 0, tzinfo=UTC)


@pytest.fixture
def today() -> Today:
    return Today()


@pytest.fixture
def call(expenses_table: str, receipts_bucket: str, dynamodb_client: Any, today: Today) -> Iterator[Call]:
    reset_all()
    service = build_recurring_service(
        expenses_table=expenses_table, dynamodb_client=dynamodb_client, clock=today.now
    )
    recurring_routes.service.use(service)
    recurring_runner.service.use(service)
    yield invoke
    reset_all()


def run_schedule() -> dict[str, Any]:
    """What EventBridge's daily rule does: invoke the runner's handler."""
    result: dict[str, Any] = recurring_runner.handler({"source": "aws.events"}, FakeContext())
    return result
