"""A moto rates table (from `outlay.tables.RATES_TABLE`) and the expenses API wired to read it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from outlay import tables
from outlay.handlers.wiring import reset_all
from outlay.models.settings import load

from tests.unit.conftest import create_table
from tests.unit.expenses.expense_events import Call, invoke

RATES_TABLE_NAME = "outlay-test-fxrates"


@pytest.fixture
def rates_table(dynamodb_client: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    create_table(dynamodb_client, tables.RATES_TABLE, RATES_TABLE_NAME)
    monkeypatch.setenv("RATES_TABLE", RATES_TABLE_NAME)
    load.cache_clear()
    return RATES_TABLE_NAME


@pytest.fixture
def call(expenses_table: str, receipts_bucket: str, rates_table: str) -> Iterator[Call]:
    reset_all()
    yield invoke
    reset_all()
