"""One feature failing in any way leaves the others answering (the service over in-memory ports)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from outlay.logic.errors import UpstreamUnavailableError
from outlay.logic.insights.service import ConnectionRef, InsightsService

NOW = datetime(2026, 11, 21, 12, tzinfo=UTC)
VOLUME = {"VolumeId": "vol-1", "State": "available", "Size": 10, "VolumeType": "gp3"}


class Reader:
    def spend_regions(self, start: date, end: date) -> list[str]:
        return ["us-east-1"]

    def volumes(self, region: str) -> list[dict[str, Any]]:
        return [VOLUME]

    def addresses(self, region: str) -> list[dict[str, Any]]:
        raise UpstreamUnavailableError("AWS is throttling requests right now; please try again in a minute")

    def snapshots(self, region: str) -> list[dict[str, Any]]:
        raise KeyError("SnapshotId")  # an answer of a shape we did not expect

    def instances(self, region: str) -> list[dict[str, Any]]:
        return []

    def anomalies(self, start: date, end: date) -> dict[str, Any]:
        return {"Anomalies": []}

    def monthly_by_service(self, start: date, end: date) -> dict[str, list[Any]]:
        return {}

    def daily_by_service(self, start: date, end: date) -> dict[str, list[Any]]:
        return {}

    def commitment(self, action: str, start: date, end: date) -> dict[str, Any] | None:
        return None


class Connections:
    def list(self, sub: str) -> list[ConnectionRef]:
        return [ConnectionRef("default", "AWS account 1", "111122223333", "us-east-1")]

    def reader(self, sub: str, connection_id: str) -> Reader:
        return Reader()


class Store:
    def __init__(self) -> None:
        self.items: dict[tuple[str, str], dict[str, Any]] = {}

    def cached(self, sub: str, connection_id: str) -> dict[str, Any] | None:
        return self.items.get((sub, connection_id))

    def put(self, sub: str, connection_id: str, result: dict[str, Any]) -> None:
        self.items[(sub, connection_id)] = result

    def regions(self, sub: str) -> list[str] | None:
        return None

    def settings(self, sub: str) -> dict[str, Any]:
        return {"regions": [], "monthlySummary": False}

    def put_settings(self, sub: str, regions: list[str], monthly_summary: bool) -> None:
        raise AssertionError("not used")

    def notice(self, sub: str) -> dict[str, Any] | None:
        return None

    def put_notice(self, sub: str, notice: dict[str, Any] | None) -> None:
        raise AssertionError("not used")


def test_a_throttled_and_an_unreadable_feature_are_reported_and_the_rest_still_answers() -> None:
    service = InsightsService(Connections(), Store(), clock=lambda: NOW)
    [conn] = service.insights("user-a")["connections"]
    assert [f["resourceId"] for f in conn["waste"]["items"]] == ["vol-1"]
    assert conn["commitments"]["reservations"] == {"has": False}
    assert conn["problems"] == [
        {
            "feature": "Elastic IPs",
            "region": "us-east-1",
            "message": "Elastic IPs in us-east-1: AWS is throttling requests right now; "
            "please try again in a minute",
        },
        {
            "feature": "EBS snapshots",
            "region": "us-east-1",
            "message": "EBS snapshots in us-east-1: AWS answered in a way Outlay could not read; "
            "try again later",
        },
    ]


def test_a_cached_answer_older_than_twelve_hours_is_read_again() -> None:
    store = Store()
    clock = [NOW]
    service = InsightsService(Connections(), store, clock=lambda: clock[0])
    first = service.insights("user-a")["connections"][0]
    clock[0] = NOW.replace(hour=23, minute=59)
    assert service.insights("user-a")["connections"][0]["cached"] is True
    clock[0] = NOW.replace(day=22, hour=0, minute=1)
    again = service.insights("user-a")["connections"][0]
    assert again["cached"] is False and again["readAt"] > first["readAt"]
