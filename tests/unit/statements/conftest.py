"""The statements service over moto, with its chunk queue kept in memory so tests run the chunks."""

from __future__ import annotations

from typing import Any

import pytest
from outlay.dal.wiring import build_statements_service
from outlay.logic.statements_service import StatementsService
from outlay.models.statements import ChunkMessage


class InlineQueue:
    """Collects chunk messages; the tests run them (some twice, to prove a redelivery is harmless)."""

    def __init__(self) -> None:
        self.sent: list[ChunkMessage] = []

    def send_all(self, messages: Any) -> Any:
        self.sent.extend(messages)
        return type("Sent", (), {"failed": 0})()


@pytest.fixture
def service(
    expenses_table: str, receipts_bucket: str, dynamodb_client: Any, s3_client: Any
) -> StatementsService:
    built = build_statements_service(
        expenses_table=expenses_table,
        receipts_bucket=receipts_bucket,
        dynamodb_client=dynamodb_client,
        s3_client=s3_client,
    )
    built.queue = InlineQueue()
    return built
