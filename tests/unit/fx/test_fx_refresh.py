"""The daily rates function: which ECB file it fetches, what it stores, and that a failure stores
nothing (the next day's run catches up)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from outlay.dal.fx_rates import FxRates
from outlay.handlers import fx_rates as fx_handler
from outlay.logic.fx_refresh import DAILY_URL, HISTORY_URL, FetchError, refresh

FIXTURE = Path(__file__).with_name("ecb-3-days.xml").read_bytes()


class Fetcher:
    def __init__(self, body: bytes | None) -> None:
        self.body = body
        self.urls: list[str] = []

    def __call__(self, url: str) -> bytes:
        self.urls.append(url)
        if self.body is None:
            raise FetchError(f"{url}: <urlopen error [Errno -3] Temporary failure in name resolution>")
        return self.body


def _stored(dynamodb_client: Any, table: str) -> list[str]:
    items = dynamodb_client.scan(TableName=table)["Items"]
    return sorted(item["date"]["S"] for item in items)


def test_an_empty_table_loads_ecbs_90_day_file_in_one_write(dynamodb_client: Any, rates_table: str) -> None:
    store, fetch = FxRates(rates_table, dynamodb_client=dynamodb_client), Fetcher(FIXTURE)
    result = refresh(store, fetch, date(2026, 10, 30))
    assert fetch.urls == [HISTORY_URL]
    assert (result.status, result.stored, result.latest) == ("stored", 3, date(2026, 10, 30))
    assert _stored(dynamodb_client, rates_table) == ["2026-10-28", "2026-10-29", "2026-10-30"]
    assert store.latest_day() == date(2026, 10, 30)


def test_a_fresh_table_fetches_the_daily_file_and_writes_only_new_days(
    dynamodb_client: Any, rates_table: str
) -> None:
    store = FxRates(rates_table, dynamodb_client=dynamodb_client)
    store.put_days({date(2026, 10, 29): {"USD": 1}}, "test")
    fetch = Fetcher(FIXTURE)
    result = refresh(store, fetch, date(2026, 10, 30))
    assert fetch.urls == [DAILY_URL]
    assert (result.status, result.stored) == ("stored", 1)  # 10-30 only; 10-28/29 were there
    assert _stored(dynamodb_client, rates_table) == ["2026-10-29", "2026-10-30"]
    again = refresh(store, Fetcher(FIXTURE), date(2026, 10, 31))
    assert (again.status, again.stored) == ("up-to-date", 0)


def test_after_missed_days_the_90_day_file_fills_the_gap(dynamodb_client: Any, rates_table: str) -> None:
    store = FxRates(rates_table, dynamodb_client=dynamodb_client)
    store.put_days({date(2026, 10, 20): {"USD": 1}}, "test")
    fetch = Fetcher(FIXTURE)
    refresh(store, fetch, date(2026, 10, 30))
    assert fetch.urls == [HISTORY_URL]


@pytest.mark.parametrize("body", [None, b"<html>502 Bad Gateway</html>"], ids=["network-down", "bad-file"])
def test_a_failed_download_writes_nothing_and_reports_why(
    dynamodb_client: Any, rates_table: str, body: bytes | None
) -> None:
    store = FxRates(rates_table, dynamodb_client=dynamodb_client)
    result = refresh(store, Fetcher(body), date(2026, 10, 30))
    assert result.status == ("unreachable" if body is None else "bad-file")
    assert result.stored == 0 and result.error
    assert _stored(dynamodb_client, rates_table) == []


def test_the_scheduled_handler_logs_a_clear_error_and_succeeds_when_ecb_is_unreachable(
    dynamodb_client: Any, rates_table: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import outlay.dal.ecb_feed as feed

    monkeypatch.setattr(feed, "fetch", Fetcher(None))
    fx_handler.store.use(FxRates(rates_table, dynamodb_client=dynamodb_client))
    try:
        result = fx_handler.handler({}, _Context())
    finally:
        fx_handler.store.use(None)
    assert result["status"] == "unreachable" and result["stored"] == 0
    assert _stored(dynamodb_client, rates_table) == []
    errors = [r for r in caplog.records if r.levelname == "ERROR"]
    assert [r.getMessage() for r in errors] == ["ECB rates not stored; the next daily run retries"]
    cause = str(errors[0].__dict__.get("error"))
    assert "Temporary failure in name resolution" in cause and HISTORY_URL in cause


def test_the_scheduled_handler_stores_ecbs_file(
    dynamodb_client: Any, rates_table: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import outlay.dal.ecb_feed as feed

    monkeypatch.setattr(feed, "fetch", Fetcher(FIXTURE))
    fx_handler.store.use(FxRates(rates_table, dynamodb_client=dynamodb_client))
    try:
        result = fx_handler.handler({}, _Context())
    finally:
        fx_handler.store.use(None)
    assert result == {"status": "stored", "url": HISTORY_URL, "stored": 3, "latest": "2026-10-30"}


class _Context:
    function_name = "fx_rates"
    memory_limit_in_mb = 256
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:fx_rates"
    aws_request_id = "req-1"
