"""Read-only AWS calls behind insights (EC2 Describe*, Cost Explorer), and the connection port.

Every call goes through `_read`: an AWS "access denied" becomes NotPermittedError naming the
optional statement that would allow it; every other failure is `translated` like the import's.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from outlay.dal.aws_sessions import CE_REGION, AwsSessions, TemporaryCredentials, translated
from outlay.dal.connections import AccountConnector
from outlay.logic import aws_errors
from outlay.logic.insights.permissions import NotPermittedError
from outlay.logic.insights.service import ConnectionRef

if TYPE_CHECKING:
    from outlay.logic.connections import ConnectionsService

MAX_PAGES = 20
NO_COMMITMENT = frozenset({"DataUnavailableException"})


@contextmanager
def _read(action: str, region: str | None = None) -> Iterator[None]:
    with translated(action.split(":", 1)[1]):
        try:
            yield
        except ClientError as exc:
            if str(exc.response.get("Error", {}).get("Code")) in aws_errors.DENIED:
                raise NotPermittedError(action, region) from None
            raise


class AwsAccountReader:
    """One connected account's read-only views; clients per region are made on first use."""

    def __init__(self, sessions: AwsSessions, creds: TemporaryCredentials) -> None:
        self._sessions = sessions
        self._creds = creds
        self._clients: dict[tuple[str, str], Any] = {}

    def _client(self, service: str, region: str) -> Any:
        key = (service, region)
        if key not in self._clients:
            self._clients[key] = self._sessions.client(
                service, region_name=region, **self._creds.as_client_kwargs()
            )
        return self._clients[key]

    def _pages(
        self, service: str, region: str, operation: str, key: str, **kwargs: Any
    ) -> list[dict[str, Any]]:
        paginator = self._client(service, region).get_paginator(operation)
        items: list[dict[str, Any]] = []
        action = f"{service}:{''.join(p.capitalize() for p in operation.split('_'))}"
        with _read(action, region):
            for number, page in enumerate(paginator.paginate(**kwargs)):
                items += page.get(key, [])
                if number + 1 >= MAX_PAGES:
                    break
        return items

    # --- EC2 (per region) -------------------------------------------------------------------
    def volumes(self, region: str) -> list[dict[str, Any]]:
        return self._pages("ec2", region, "describe_volumes", "Volumes")

    def addresses(self, region: str) -> list[dict[str, Any]]:
        with _read("ec2:DescribeAddresses", region):
            return list(self._client("ec2", region).describe_addresses().get("Addresses", []))

    def snapshots(self, region: str) -> list[dict[str, Any]]:
        return self._pages("ec2", region, "describe_snapshots", "Snapshots", OwnerIds=["self"])

    def instances(self, region: str) -> list[dict[str, Any]]:
        reservations = self._pages(
            "ec2",
            region,
            "describe_instances",
            "Reservations",
            Filters=[{"Name": "instance-state-name", "Values": ["stopped"]}],
        )
        return [i for r in reservations for i in r.get("Instances", [])]

    # --- Cost Explorer ------------------------------------------------------------------------
    @property
    def _ce(self) -> Any:
        return self._client("ce", CE_REGION)

    def _grouped(self, start: date, end: date, granularity: str, dimension: str) -> list[dict[str, Any]]:
        request: dict[str, Any] = {
            "TimePeriod": {"Start": start.isoformat(), "End": end.isoformat()},
            "Granularity": granularity,
            "Metrics": ["UnblendedCost"],
            "GroupBy": [{"Type": "DIMENSION", "Key": dimension}],
            "Filter": {"Dimensions": {"Key": "RECORD_TYPE", "Values": ["Usage"]}},
        }
        results: list[dict[str, Any]] = []
        for _ in range(MAX_PAGES):
            with _read("ce:GetCostAndUsage"):
                page = self._ce.get_cost_and_usage(**request)
            results += page.get("ResultsByTime", [])
            token = page.get("NextPageToken")
            if not token:
                break
            request["NextPageToken"] = token
        return results

    def spend_regions(self, start: date, end: date) -> list[str]:
        regions = set()
        for period in self._grouped(start, end, "MONTHLY", "REGION"):
            for group in period.get("Groups", []):
                if Decimal(str(group["Metrics"]["UnblendedCost"]["Amount"])) > 0:
                    regions.add(str(group["Keys"][0]))
        return sorted(regions)

    def _by_service(self, start: date, end: date, granularity: str) -> dict[str, list[tuple[date, Decimal]]]:
        found: dict[str, list[tuple[date, Decimal]]] = {}
        for period in self._grouped(start, end, granularity, "SERVICE"):
            day = date.fromisoformat(period["TimePeriod"]["Start"])
            for group in period.get("Groups", []):
                amount = Decimal(str(group["Metrics"]["UnblendedCost"]["Amount"]))
                found.setdefault(str(group["Keys"][0]), []).append((day, amount))
        return found

    def monthly_by_service(self, start: date, end: date) -> dict[str, list[Decimal]]:
        return {s: [a for _, a in v] for s, v in self._by_service(start, end, "MONTHLY").items()}

    def daily_by_service(self, start: date, end: date) -> dict[str, list[tuple[date, Decimal]]]:
        return self._by_service(start, end, "DAILY")

    def anomalies(self, start: date, end: date) -> dict[str, Any]:
        with _read("ce:GetAnomalies"):
            return dict(
                self._ce.get_anomalies(
                    DateInterval={"StartDate": start.isoformat(), "EndDate": end.isoformat()}, MaxResults=50
                )
            )

    def commitment(self, action: str, start: date, end: date) -> dict[str, Any] | None:
        """One of the four utilization/coverage reads for [start, end); None = no commitments."""
        operation = {
            "ce:GetReservationUtilization": "get_reservation_utilization",
            "ce:GetReservationCoverage": "get_reservation_coverage",
            "ce:GetSavingsPlansUtilization": "get_savings_plans_utilization",
            "ce:GetSavingsPlansCoverage": "get_savings_plans_coverage",
        }[action]
        period = {"TimePeriod": {"Start": start.isoformat(), "End": end.isoformat()}}
        with _read(action):
            try:
                return dict(getattr(self._ce, operation)(**period))
            except ClientError as exc:
                if str(exc.response.get("Error", {}).get("Code")) in NO_COMMITMENT:
                    return None
                raise


class ConnectionReaders:
    """The `Connections` port over the user's AWS connections (the `/aws-connections` collection)."""

    def __init__(
        self, connections: ConnectionsService, connector: AccountConnector, sessions: AwsSessions
    ) -> None:
        self._connections = connections
        self._connector = connector
        self._sessions = sessions

    def list(self, sub: str) -> list[ConnectionRef]:
        return [
            ConnectionRef(c.connection_id, c.name, c.account_id or "unknown", c.region or CE_REGION)
            for c in self._connections.of_user(sub)
        ]

    def reader(self, sub: str, connection_id: str) -> AwsAccountReader:
        stored = self._connections.get(sub, connection_id)  # NotFoundError when it is not theirs
        return AwsAccountReader(self._sessions, self._connector.credentials_for(sub, stored))
