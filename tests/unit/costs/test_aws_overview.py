"""The AWS costs page: Cost Explorer requests, folding, adding connections up, the 6-hour cache, the
forced-refresh cooldown, and GET /aws-costs/overview over the costs function (moto tables, a fake
Cost Explorer client that answers by request shape)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from outlay.dal.aws_overview_store import OverviewCacheRepository
from outlay.dal.cost_explorer import Forecast
from outlay.dal.wiring import build_aws_overview_service
from outlay.handlers import costs_api
from outlay.logic import aws_overview as rules
from outlay.logic.aws_overview_service import AwsOverviewService, ConnectionRef
from outlay.logic.cost_import import MalformedCostDataError
from outlay.logic.errors import CredentialsRejectedError, NotFoundError, UpstreamUnavailableError

from local.envelope_lambda import LOCAL_ENVELOPE_FUNCTION, InProcessLambda
from tests.unit.costs.conftest import CREDENTIALS, EXPENSES, NOW, Moto, call, hybrid_sessions

TODAY = NOW.date()  # 2026-11-21


def service_page(periods: dict[str, dict[str, str]], token: str | None = None) -> dict[str, Any]:
    """A GetCostAndUsage page grouped by SERVICE: {period start: {service: amount}}."""
    page: dict[str, Any] = {
        "ResultsByTime": [
            {
                "TimePeriod": {"Start": start, "End": start},
                "Groups": [
                    {"Keys": [name], "Metrics": {"UnblendedCost": {"Amount": amount, "Unit": "USD"}}}
                    for name, amount in services.items()
                ],
                "Estimated": True,
            }
            for start, services in periods.items()
        ]
    }
    if token:
        page["NextPageToken"] = token
    return page


DAILY = {"2026-11-01": {"AWS Lambda": "1.004", "Amazon S3": "2.5"}, "2026-11-02": {"AWS Lambda": "0.5"}}
MONTHLY = {
    f"{m}-01": {"Amazon S3": "30", "AWS Lambda": "4.25"}
    for m in ["2025-11", "2025-12"] + [f"2026-{n:02d}" for n in range(1, 11)]
}


class FakeCe:
    """Answers by request shape, like Cost Explorer; records every request."""

    def __init__(self, forecast: str | Exception = "80.00") -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []
        self._forecast = forecast

    def get_cost_and_usage(self, **request: Any) -> dict[str, Any]:
        self.sent.append(("GetCostAndUsage", request))
        return service_page(DAILY if request["Granularity"] == "DAILY" else MONTHLY)

    def get_cost_forecast(self, **request: Any) -> dict[str, Any]:
        self.sent.append(("GetCostForecast", request))
        if isinstance(self._forecast, Exception):
            raise self._forecast
        return {"Total": {"Amount": self._forecast, "Unit": "USD"}}


# ------------------------------------------------------------------------------------ pure rules
def test_requests_ask_for_month_to_date_daily_and_twelve_full_months_by_service() -> None:
    daily = rules.daily_request(date(2026, 11, 1))
    assert daily["TimePeriod"] == {"Start": "2026-11-01", "End": "2026-11-02"}  # never empty on the 1st
    assert daily["Granularity"] == "DAILY" and daily["GroupBy"] == [{"Type": "DIMENSION", "Key": "SERVICE"}]
    monthly = rules.monthly_request(date(2026, 11, 21))
    assert monthly["TimePeriod"] == {"Start": "2025-11-01", "End": "2026-11-01"}  # End is exclusive
    assert monthly["Granularity"] == "MONTHLY"


def test_periods_split_across_pages_are_added_and_a_second_currency_is_refused() -> None:
    pages = [
        service_page({"2026-11-01": {"AWS Lambda": "1"}}),
        service_page({"2026-11-01": {"AWS Lambda": "2"}}),
    ]
    periods, currency = rules.fold_by_period(pages)
    assert periods == {"2026-11-01": {"AWS Lambda": Decimal(3)}} and currency == "USD"
    euro = service_page({"2026-11-02": {"AWS Lambda": "1"}})
    euro["ResultsByTime"][0]["Groups"][0]["Metrics"]["UnblendedCost"]["Unit"] = "EUR"
    with pytest.raises(MalformedCostDataError, match="more than one currency"):
        rules.fold_by_period([*pages, euro])


def _snap(fetched_at: str = "2026-11-21T21:00:00Z", forecast: str = "80.00") -> dict[str, Any]:
    return rules.snapshot(
        TODAY,
        [service_page(DAILY)],
        [service_page(MONTHLY)],
        {"available": True, "amount": forecast, "currency": "USD"},
        fetched_at,
        3,
    )


def test_a_snapshot_keeps_cents_and_twelve_months_even_when_some_are_missing() -> None:
    snap = rules.snapshot(
        TODAY, [service_page(DAILY)], [service_page({"2026-10-01": {"Amazon S3": "1"}})], {}, "t", 3
    )
    assert snap["days"][0] == {"date": "2026-11-01", "services": {"AWS Lambda": "1.00", "Amazon S3": "2.50"}}
    assert snap["months"][0]["month"] == "2025-11" and len(snap["months"]) == 12
    assert snap["months"][0]["services"] == {} and snap["months"][-1]["services"] == {"Amazon S3": "1.00"}


def test_two_connections_add_up_by_day_service_month_and_forecast() -> None:
    figures = rules.overview([_snap(), _snap(forecast="20.00")], "USD")
    assert figures["monthToDate"]["total"] == "8.00"  # (1.00 + 2.50 + 0.50) x 2
    assert figures["monthToDate"]["days"][0] == {
        "date": "2026-11-01",
        "total": "7.00",
        "services": {"AWS Lambda": "2.00", "Amazon S3": "5.00"},
    }
    assert figures["monthToDate"]["services"][0] == {"service": "Amazon S3", "amount": "5.00"}
    assert figures["forecast"] == {"available": True, "amount": "100.00", "currency": "USD"}
    assert figures["lastMonth"] == {
        "month": "2026-10",
        "total": "68.50",
        "services": {"AWS Lambda": "8.50", "Amazon S3": "60.00"},
    }
    assert figures["services"] == ["Amazon S3", "AWS Lambda"]  # biggest first, for the chart's stack


def test_cached_figures_are_fresh_for_six_hours_and_never_across_a_month() -> None:
    snap = _snap(fetched_at="2026-11-21T15:00:01Z")
    assert rules.is_fresh(snap, NOW, TODAY)
    assert not rules.is_fresh(snap, NOW + timedelta(seconds=1), TODAY)
    assert not rules.is_fresh({**snap, "month": "2026-10"}, NOW, TODAY)
    assert not rules.is_fresh(None, NOW, TODAY)


# ------------------------------------------------------------- the service over fake ports
class MemoryCache:
    def __init__(self) -> None:
        self.items: dict[tuple[str, str], dict[str, Any]] = {}
        self.forced: dict[str, str] = {}

    def get(self, sub: str, connection_id: str) -> dict[str, Any] | None:
        return self.items.get((sub, connection_id))

    def put(self, sub: str, connection_id: str, figures: dict[str, Any]) -> None:
        self.items[(sub, connection_id)] = figures

    def claim_forced_refresh(self, sub: str, now_iso: str, not_before_iso: str) -> bool:
        if sub in self.forced and self.forced[sub] > not_before_iso:
            return False
        self.forced[sub] = now_iso
        return True

    def last_forced_refresh(self, sub: str) -> str | None:
        return self.forced.get(sub)


class Reader:
    def __init__(self, fail: Exception | None = None) -> None:
        self.requests = 0
        self.fail = fail

    def pages(self, request: dict[str, Any]) -> list[dict[str, Any]]:
        self.requests += 1
        if self.fail:
            raise self.fail
        return [service_page(DAILY if request["Granularity"] == "DAILY" else MONTHLY)]

    def forecast(self, today_iso: str, month: str) -> Forecast:
        self.requests += 1
        return Forecast(amount=Decimal("80.00"), currency="USD")


class TwoConnections:
    def __init__(self, failing: str | None = None) -> None:
        self.opened: list[str] = []
        self.failing = failing

    def list(self, sub: str) -> list[ConnectionRef]:
        return [
            ConnectionRef("c1", "Production", "111122223333"),
            ConnectionRef("c2", "Sandbox", "444455556666"),
        ]

    def explorer(self, sub: str, connection_id: str) -> Reader:
        self.opened.append(connection_id)
        fail = (
            CredentialsRejectedError("Access denied: check the role")
            if connection_id == self.failing
            else None
        )
        return Reader(fail)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


def test_figures_are_fetched_once_then_served_from_the_cache_until_six_hours_pass() -> None:
    ports, clock = TwoConnections(), Clock()
    svc = AwsOverviewService(ports, MemoryCache(), clock)
    first = svc.overview("user-a")
    assert first["refresh"] == {"status": "refreshed", "requests": 6, "costUsd": "0.06"}
    assert first["fetchedAt"] == "2026-11-21T21:00:00Z" and ports.opened == ["c1", "c2"]
    clock.now = NOW + timedelta(hours=5, minutes=59)
    again = svc.overview("user-a")
    assert again["refresh"]["status"] == "cached" and ports.opened == ["c1", "c2"]  # no request
    assert again["requestsPerRefresh"] == 6 and again["figures"] == first["figures"]
    clock.now = NOW + timedelta(hours=6)
    assert svc.overview("user-a", "c2")["refresh"]["requests"] == 3 and ports.opened[-1] == "c2"


def test_a_forced_refresh_is_allowed_once_per_cooldown_per_user() -> None:
    ports, clock = TwoConnections(), Clock()
    svc = AwsOverviewService(ports, MemoryCache(), clock)
    svc.overview("user-a", "c1")
    assert svc.overview("user-a", "c1", refresh=True)["refresh"]["status"] == "refreshed"
    clock.now = NOW + timedelta(minutes=3)
    refused = svc.overview("user-a", "c1", refresh=True)
    assert refused["refresh"]["status"] == "too_soon" and refused["refresh"]["requests"] == 0
    assert refused["refresh"]["retryAfter"] == "2026-11-21T21:10:00Z"
    assert ports.opened == ["c1", "c1"]  # the refused refresh cost nothing
    clock.now = NOW + rules.FORCED_REFRESH_COOLDOWN
    assert svc.overview("user-a", "c1", refresh=True)["refresh"]["status"] == "refreshed"


def test_figures_of_another_account_behind_the_same_connection_id_are_not_served() -> None:
    ports, cache = TwoConnections(), MemoryCache()
    svc = AwsOverviewService(ports, cache, Clock())
    svc.overview("user-a", "c1")
    cache.items[("user-a", "c1")]["accountId"] = "999999999999"  # reconnected to another account
    assert svc.overview("user-a", "c1")["refresh"]["status"] == "refreshed"
    assert ports.opened == ["c1", "c1"]


def test_a_forced_refresh_that_fails_says_so_and_keeps_the_cached_figures() -> None:
    ports, clock = TwoConnections(), Clock()
    svc = AwsOverviewService(ports, MemoryCache(), clock)
    shown = svc.overview("user-a", "c2")["figures"]
    ports.failing = "c2"
    result = svc.overview("user-a", "c2", refresh=True)
    assert result["refresh"]["status"] == "failed" and result["figures"] == shown
    assert result["connections"][0]["error"] == "Access denied: check the role"


def test_cost_data_outlay_cannot_read_is_a_503_not_a_crash() -> None:
    class Garbled(Reader):
        def pages(self, request: dict[str, Any]) -> list[dict[str, Any]]:
            return [{"ResultsByTime": [{"TimePeriod": {"Start": "2026-11-01"}, "Groups": [{"Keys": ["S"]}]}]}]

    class GarbledPorts(TwoConnections):
        def explorer(self, sub: str, connection_id: str) -> Reader:
            return Garbled()

    with pytest.raises(UpstreamUnavailableError, match="cannot read"):
        AwsOverviewService(GarbledPorts(), MemoryCache(), Clock()).overview("user-a", "c1")


def test_one_failing_connection_is_named_and_the_others_still_add_up() -> None:
    svc = AwsOverviewService(TwoConnections(failing="c2"), MemoryCache(), Clock())
    result = svc.overview("user-a")
    assert [c.get("error") for c in result["connections"]] == [None, "Access denied: check the role"]
    assert result["figures"]["monthToDate"]["total"] == "4.00"  # c1 alone


def test_a_failing_single_connection_without_cached_figures_is_an_error_and_an_unknown_id_a_404() -> None:
    svc = AwsOverviewService(TwoConnections(failing="c2"), MemoryCache(), Clock())
    with pytest.raises(CredentialsRejectedError):
        svc.overview("user-a", "c2")
    with pytest.raises(NotFoundError):
        svc.overview("user-a", "nope")


# ------------------------------------------------------------ DAL on moto + the HTTP route
def test_the_cache_keeps_figures_per_user_and_claims_a_forced_refresh_once(moto_aws: Moto) -> None:
    cache = OverviewCacheRepository(EXPENSES, dynamodb_client=moto_aws.ddb)
    cache.put("user-a", "primary", {"fetchedAt": "2026-11-21T21:00:00Z", "days": []})
    assert cache.get("user-a", "primary") == {"fetchedAt": "2026-11-21T21:00:00Z", "days": []}
    assert cache.get("user-b", "primary") is None
    assert cache.claim_forced_refresh("user-a", "2026-11-21T21:00:00Z", "2026-11-21T20:50:00Z")
    assert not cache.claim_forced_refresh("user-a", "2026-11-21T21:05:00Z", "2026-11-21T20:55:00Z")
    assert cache.last_forced_refresh("user-a") == "2026-11-21T21:00:00Z"
    assert cache.claim_forced_refresh("user-b", "2026-11-21T21:05:00Z", "2026-11-21T20:55:00Z")


@pytest.fixture
def fake_ce(connected: Moto) -> FakeCe:
    ce = FakeCe()
    costs_api.overview.use(
        build_aws_overview_service(
            credentials_table=CREDENTIALS,
            expenses_table=EXPENSES,
            envelope_function=LOCAL_ENVELOPE_FUNCTION,
            dynamodb_client=connected.ddb,
            lambda_client=InProcessLambda.for_key(connected.key_id, connected.kms),
            sessions=hybrid_sessions(ce=ce),
            clock=lambda: NOW,
        )
    )
    return ce


def test_overview_route_reads_cost_explorer_once_and_then_answers_from_the_cache(fake_ce: FakeCe) -> None:
    status, body = call("GET", "/aws-costs/overview")
    assert status == 200, body
    (connection,) = body["connections"]
    assert connection["id"] and len(connection["id"]) == 16  # the collection's own id for it
    assert body["connections"] == [
        {
            "id": connection["id"],
            "name": "AWS account",
            "accountId": "123456789012",
            "fetchedAt": "2026-11-21T21:00:00Z",
            "requests": 3,
            "currency": "USD",
        }
    ]
    assert [op for op, _ in fake_ce.sent] == ["GetCostAndUsage", "GetCostAndUsage", "GetCostForecast"]
    assert body["figures"]["forecast"] == {"available": True, "amount": "80.00", "currency": "USD"}
    assert body["figures"]["lastMonth"]["total"] == "34.25"
    assert body["refresh"] == {"status": "refreshed", "requests": 3, "costUsd": "0.03"}

    status, again = call("GET", "/aws-costs/overview", query={"connection": connection["id"]})
    assert status == 200 and len(fake_ce.sent) == 3 and again["refresh"]["status"] == "cached"
    assert again["figures"] == body["figures"]


def test_overview_route_refuses_a_bad_query_naming_the_field(fake_ce: FakeCe) -> None:
    status, body = call("GET", "/aws-costs/overview", query={"refresh": "yes"})
    assert status == 400 and body["details"][0]["field"] == "refresh"
    assert call("GET", "/aws-costs/overview", query={"connection": "other"})[0] == 404
    assert fake_ce.sent == []


def test_overview_route_without_a_connection_says_so(service: Any, moto_aws: Moto) -> None:
    costs_api.overview.use(
        build_aws_overview_service(
            credentials_table=CREDENTIALS,
            expenses_table=EXPENSES,
            dynamodb_client=moto_aws.ddb,
            clock=lambda: NOW,
        )
    )
    status, body = call("GET", "/aws-costs/overview")
    assert status == 200 and body["configured"] is False and body["figures"] is None


def test_a_forecast_cost_explorer_refuses_still_shows_the_other_figures(connected: Moto) -> None:
    from botocore.exceptions import ClientError

    ce = FakeCe(forecast=ClientError({"Error": {"Code": "DataUnavailableException"}}, "GetCostForecast"))
    costs_api.overview.use(
        build_aws_overview_service(
            credentials_table=CREDENTIALS,
            expenses_table=EXPENSES,
            envelope_function=LOCAL_ENVELOPE_FUNCTION,
            dynamodb_client=connected.ddb,
            lambda_client=InProcessLambda.for_key(connected.key_id, connected.kms),
            sessions=hybrid_sessions(ce=ce),
            clock=lambda: datetime(2026, 11, 21, 21, 0, tzinfo=UTC),
        )
    )
    status, body = call("GET", "/aws-costs/overview")
    assert status == 200 and body["figures"]["forecast"]["available"] is False
    assert "no data" in body["figures"]["forecast"]["message"]
    assert body["figures"]["monthToDate"]["total"] == "4.00"
