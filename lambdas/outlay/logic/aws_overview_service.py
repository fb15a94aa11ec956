"""The AWS costs page: live Cost Explorer figures per connection, cached, and added up (pure, ports).

Connections are read through a small port (`Connections`), implemented over the user's AWS
connections by `outlay.dal.aws_overview_store.ConnectionsDirectory`. Cached figures
(`OverviewCache`) are kept per connection in the user's partition.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from outlay.logic import aws_overview as rules
from outlay.logic import months
from outlay.logic.cost_import import MalformedCostDataError
from outlay.logic.errors import NotFoundError, OutlayError, UpstreamUnavailableError


@dataclass(frozen=True)
class ConnectionRef:
    id: str
    name: str
    account_id: str


class OverviewReader(Protocol):
    requests: int

    def pages(self, request: dict[str, Any]) -> list[dict[str, Any]]: ...
    def forecast(self, today_iso: str, month: str) -> Any: ...


class Connections(Protocol):
    def list(self, sub: str) -> list[ConnectionRef]: ...
    def explorer(self, sub: str, connection_id: str) -> OverviewReader: ...


class OverviewCache(Protocol):
    def get(self, sub: str, connection_id: str) -> dict[str, Any] | None: ...
    def put(self, sub: str, connection_id: str, figures: dict[str, Any]) -> None: ...
    def claim_forced_refresh(self, sub: str, now_iso: str, not_before_iso: str) -> bool: ...
    def last_forced_refresh(self, sub: str) -> str | None: ...


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass
class AwsOverviewService:
    connections: Connections
    cache: OverviewCache
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    def overview(self, sub: str, connection: str = rules.ALL, refresh: bool = False) -> dict[str, Any]:
        now = self.clock()
        known = self.connections.list(sub)
        if connection != rules.ALL and connection not in {c.id for c in known}:
            raise NotFoundError("No AWS connection with that id")
        chosen = known if connection == rules.ALL else [c for c in known if c.id == connection]
        base: dict[str, Any] = {
            "connection": connection,
            "configured": bool(known),
            "costPerRequestUsd": str(rules.COST_PER_REQUEST_USD),
            "cacheHours": int(rules.CACHE_TTL.total_seconds() // 3600),
        }
        if not chosen:
            return {**base, "connections": [], "figures": None, "refresh": {"status": "none"}}

        forced = False
        refresh_state: dict[str, Any] = {"status": "cached"}
        if refresh:
            not_before = _iso(now - rules.FORCED_REFRESH_COOLDOWN)
            if self.cache.claim_forced_refresh(sub, _iso(now), not_before):
                forced = True
            else:
                last = self.cache.last_forced_refresh(sub) or _iso(now)
                again = datetime.fromisoformat(last.replace("Z", "+00:00")) + rules.FORCED_REFRESH_COOLDOWN
                refresh_state = {
                    "status": "too_soon",
                    "retryAfter": _iso(again),
                    "message": "The figures were refreshed a few minutes ago; each refresh costs money "
                    f"on your AWS bill, so the next one is possible at {_iso(again)}",
                }

        rows: list[dict[str, Any]] = []
        snapshots: list[dict[str, Any]] = []
        requests = 0
        for ref in chosen:
            cached = self.cache.get(sub, ref.id)
            if cached is not None and cached.get("accountId") != ref.account_id:
                cached = None  # the connection now points at another account: its figures are not these
            row: dict[str, Any] = {"id": ref.id, "name": ref.name, "accountId": ref.account_id}
            if forced or not rules.is_fresh(cached, now, now.date()):
                try:
                    cached = self._fetch(sub, ref, now)
                    requests += int(cached["requests"])
                except OutlayError as exc:
                    if connection != rules.ALL and cached is None:
                        raise
                    row["error"] = exc.message
            if cached is not None:
                row |= {
                    "fetchedAt": cached["fetchedAt"],
                    "requests": cached["requests"],
                    "currency": cached["currency"],
                }
                snapshots.append(cached)
            rows.append(row)

        if refresh_state["status"] == "cached" and (requests or forced):
            refresh_state = {"status": "refreshed" if requests else "failed"}
        refresh_state |= {"requests": requests, "costUsd": rules.refresh_cost(requests)}
        currency = snapshots[0]["currency"] if snapshots else "USD"
        same = [s for s in snapshots if s["currency"] == currency]
        for row in rows:
            if row.get("currency") and row["currency"] != currency:
                row["error"] = f"Reported in {row['currency']}: not added to the {currency} totals"
        fetched = sorted(s["fetchedAt"] for s in same)
        return {
            **base,
            "connections": rows,
            "fetchedAt": fetched[0] if fetched else None,  # the oldest figures shown
            "requestsPerRefresh": sum(int(s["requests"]) for s in same),
            "refresh": refresh_state,
            "figures": rules.overview(same, currency) if same else None,
        }

    def _fetch(self, sub: str, ref: ConnectionRef, now: datetime) -> dict[str, Any]:
        today = now.date()
        month = months.month_of(today)
        reader = self.connections.explorer(sub, ref.id)
        daily = reader.pages(rules.daily_request(today))
        history = reader.pages(rules.monthly_request(today))
        try:
            result = reader.forecast(today.isoformat(), month)
            forecast: dict[str, Any] = {
                "available": True,
                "amount": str(result.amount),
                "currency": result.currency,
            }
        except OutlayError as exc:  # no forecast (denied, too little history, AWS busy): figures still shown
            forecast = {"available": False, "message": exc.message}
        try:
            figures = rules.snapshot(today, daily, history, forecast, _iso(now), reader.requests)
        except MalformedCostDataError:
            raise UpstreamUnavailableError(
                "AWS Cost Explorer answered with figures Outlay cannot read; please try again later"
            ) from None
        figures["accountId"] = ref.account_id
        self.cache.put(sub, ref.id, figures)
        return figures
