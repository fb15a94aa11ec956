"""Fixtures for the expense service tests: `call` drives the real handler against moto."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from outlay.handlers.wiring import reset_all

from tests.unit.expenses.expense_events import Call, invoke


@pytest.fixture
def call(expenses_table: str, receipts_bucket: str) -> Iterator[Call]:
    """call(method, path, sub=..., body=..., query=..., headers=...) -> Reply, through the real handler."""
    reset_all()
    yield invoke
    reset_all()
