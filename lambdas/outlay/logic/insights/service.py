"""GET /aws-insights: per connection, waste + anomalies + commitments, each feature on its own.

A feature AWS refuses (a missing optional statement), throttles or fails is reported as a problem
in the user's words and never fails the others. Results are cached per user and connection with
the time they were read; `refresh` reads AWS again.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any, Protocol

from outlay.logic import months as month_rules
from outlay.logic.errors import InvalidInputError, NotFoundError, OutlayError
from outlay.logic.insights import anomalies as anomaly_rules
from outlay.logic.insights import commitments as commitment_rules
from outlay.logic.insights import waste
from outlay.logic.insights.permissions import NotPermittedError
from outlay.models.insights import MAX_REGIONS, REGION_PATTERN

CACHE_MAX_AGE = timedelta(hours=12)
REGION_RE = re.compile(REGION_PATTERN)
ALL = "all"


@dataclass(frozen=True)
class ConnectionRef:
    id: str
    name: str
    account_id: str
    region: str  # the region the user gave when connecting (the scan's last-resort default)


class AccountReader(Protocol):
    """Read-only views of one connected account (dal.insights_reader)."""

    def spend_regions(self, start: date, end: date) -> list[str]: ...
    def volumes(self, region: str) -> list[dict[str, Any]]: ...
    def addresses(self, region: str) -> list[dict[str, Any]]: ...
    def snapshots(self, region: str) -> list[dict[str, Any]]: ...
    def instances(self, region: str) -> list[dict[str, Any]]: ...
    def anomalies(self, start: date, end: date) -> dict[str, Any]: ...
    def monthly_by_service(self, start: date, end: date) -> dict[str, list[Any]]: ...
    def daily_by_service(self, start: date, end: date) -> dict[str, list[Any]]: ...
    def commitment(self, action: str, start: date, end: date) -> dict[str, Any] | None: ...


class Connections(Protocol):
    """The port to the user's AWS connections (today: the one stored connection)."""

    def list(self, sub: str) -> list[ConnectionRef]: ...
    def reader(self, sub: str, connection_id: str) -> AccountReader: ...


class InsightsStore(Protocol):
    def cached(self, sub: str, connection_id: str) -> dict[str, Any] | None: ...
    def put(self, sub: str, connection_id: str, result: dict[str, Any]) -> None: ...
    def regions(self, sub: str) -> list[str] | None: ...
    def settings(self, sub: str) -> dict[str, Any]: ...
    def put_settings(self, sub: str, regions: list[str], monthly_summary: bool) -> None: ...
    def notice(self, sub: str) -> dict[str, Any] | None: ...
    def put_notice(self, sub: str, notice: dict[str, Any] | None) -> None: ...


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class _Report:
    problems: list[dict[str, Any]] = field(default_factory=list)

    def attempt(self, feature: str, region: str | None, read: Callable[[], Any]) -> Any:
        """The read's answer, or None with the reason recorded (never raised)."""
        try:
            return read()
        except NotPermittedError as exc:
            self.problems.append({"feature": feature, "region": exc.region or region, "message": exc.message})
        except OutlayError as exc:
            self.problems.append(
                {"feature": feature, "region": region, "message": f"{feature}{_in(region)}: {exc.message}"}
            )
        except Exception:  # an answer we cannot read must not fail the other features
            message = f"{feature}{_in(region)}: AWS answered in a way Outlay could not read; try again later"
            self.problems.append({"feature": feature, "region": region, "message": message})
        return None


def _in(region: str | None) -> str:
    return f" in {region}" if region else ""


@dataclass
class InsightsService:
    connections: Connections
    store: InsightsStore
    clock: Callable[[], datetime] = field(default=_utc_now)

    def now_iso(self) -> str:
        return self.clock().isoformat(timespec="seconds").replace("+00:00", "Z")

    # ----------------------------------------------------------------------------- settings
    def settings(self, sub: str) -> dict[str, Any]:
        return {**self.store.settings(sub), "maxRegions": MAX_REGIONS}

    def save_settings(
        self, sub: str, regions: Iterable[str] | None = None, monthly_summary: bool | None = None
    ) -> dict[str, Any]:
        """Changes what is given; what is absent (None) stays as it was."""
        current = self.store.settings(sub)
        chosen = sorted(set(regions if regions is not None else current["regions"]))
        bad = [r for r in chosen if not REGION_RE.match(r)]
        if bad:
            raise InvalidInputError(
                "Not an AWS region: " + ", ".join(bad), [{"field": "regions", "message": "unknown region"}]
            )
        if len(chosen) > MAX_REGIONS:
            raise InvalidInputError(
                f"Pick at most {MAX_REGIONS} regions", [{"field": "regions", "message": "too many"}]
            )
        summary = monthly_summary if monthly_summary is not None else current["monthlySummary"]
        self.store.put_settings(sub, chosen, summary)
        if not summary:
            self.store.put_notice(sub, None)
        return self.settings(sub)

    # ------------------------------------------------------------------------ monthly summary
    def after_import(self, sub: str, month: str) -> bool:
        """After the scheduled import of `month`: for a user who opted in, read the insights again and
        leave a summary notice in the app (until dismissed). True when a notice was left."""
        if not self.store.settings(sub)["monthlySummary"]:
            return False
        result = self.insights(sub, refresh=True)
        if not result["connections"]:
            return False
        self.store.put_notice(
            sub, {"month": month, "text": summary_text(result, month), "createdAt": self.now_iso()}
        )
        return True

    def dismiss_notice(self, sub: str) -> None:
        self.store.put_notice(sub, None)

    # ------------------------------------------------------------------------------ insights
    def insights(
        self, sub: str, connection: str = ALL, refresh: bool = False, cached_only: bool = False
    ) -> dict[str, Any]:
        """`cached_only` never calls AWS (the expense list's badges): connections never read are left out."""
        known = self.connections.list(sub)
        if connection != ALL:
            known = [c for c in known if c.id == connection]
            if not known:
                raise NotFoundError("No such AWS connection")
        results = []
        for ref in known:
            cached = None if refresh else self.store.cached(sub, ref.id)
            if cached is not None and not self._stale(cached):
                results.append({**cached, "cached": True})
                continue
            if cached_only:
                if cached is not None:
                    results.append({**cached, "cached": True})
                continue
            fresh = self.read(sub, ref)
            self.store.put(sub, ref.id, fresh)
            results.append({**fresh, "cached": False})
        findings = [f for r in results for f in r["waste"]["items"]]
        answer = {"connections": results, "badges": badges(findings), "configured": bool(known)}
        notice = self.store.notice(sub) if known else None
        return {**answer, "notice": notice} if notice else answer

    def _stale(self, cached: dict[str, Any]) -> bool:
        try:
            read_at = datetime.fromisoformat(str(cached["readAt"]).replace("Z", "+00:00"))
        except (KeyError, ValueError):
            return True
        return self.clock() - read_at > CACHE_MAX_AGE

    def read(self, sub: str, ref: ConnectionRef) -> dict[str, Any]:
        report = _Report()
        base = {"id": ref.id, "name": ref.name, "accountId": ref.account_id, "readAt": self.now_iso()}
        try:
            reader = self.connections.reader(sub, ref.id)
        except OutlayError as exc:
            report.problems.append({"feature": "connection", "region": None, "message": exc.message})
            return {**base, "regions": [], "regionsFrom": "none", **_empty(), "problems": report.problems}
        today = self.clock().date()
        this_month = today.replace(day=1)
        last_month = date(*month_rules.parse_month(month_rules.previous_month(today)), 1)
        regions, regions_from = self._regions(sub, ref, reader, report, last_month, this_month)
        return {
            **base,
            "regions": regions,
            "regionsFrom": regions_from,
            "waste": self._waste(reader, regions, report),
            "anomalies": self._anomalies(reader, ref, report, today),
            "commitments": self._commitments(reader, report, last_month, this_month),
            "problems": report.problems,
        }

    def _regions(
        self, sub: str, ref: ConnectionRef, reader: AccountReader, report: _Report, start: date, end: date
    ) -> tuple[list[str], str]:
        chosen = self.store.regions(sub)
        if chosen:
            return chosen, "preference"
        spent = report.attempt("Regions with spend", None, lambda: reader.spend_regions(start, end))
        regions = sorted(r for r in spent or [] if REGION_RE.match(r))
        if regions:
            return regions[:MAX_REGIONS], "spend"
        return [ref.region], "connection"

    def _waste(self, reader: AccountReader, regions: list[str], report: _Report) -> dict[str, Any]:
        now = self.clock()
        findings: list[waste.Finding] = []
        for region in regions:
            volumes = report.attempt("EC2 volumes", region, partial(reader.volumes, region))
            addresses = report.attempt("Elastic IPs", region, partial(reader.addresses, region))
            snapshots = report.attempt("EBS snapshots", region, partial(reader.snapshots, region))
            instances = report.attempt("EC2 instances", region, partial(reader.instances, region))
            if volumes is not None:
                findings += waste.unattached_volumes(region, volumes)
            if addresses is not None:
                findings += waste.idle_addresses(region, addresses)
            if snapshots is not None:
                findings += waste.old_snapshots(region, snapshots, now)
            if instances is not None and volumes is not None:
                findings += waste.stopped_instances(region, instances, volumes)
        findings.sort(key=lambda f: f.monthly_cost, reverse=True)
        return {
            "items": [f.to_json() for f in findings],
            "totalMonthly": str(waste.total(findings)),
            "currency": "USD",
        }

    def _anomalies(
        self, reader: AccountReader, ref: ConnectionRef, report: _Report, today: date
    ) -> dict[str, Any]:
        items: list[anomaly_rules.Anomaly] = []
        start = today.replace(day=1) - timedelta(days=31)
        found = report.attempt("Cost anomalies", None, lambda: reader.anomalies(start, today))
        if found is not None:
            items += anomaly_rules.from_cost_anomaly_detection(found, ref.account_id)
        note = None
        if anomaly_rules.complete_days(today) < anomaly_rules.MIN_DAYS:
            note = "Outlay's own run-rate check starts on the 4th of the month (too little of it so far)."
        else:
            first = today.replace(day=1)
            history_start = first
            for _ in range(anomaly_rules.HISTORY_MONTHS):
                history_start = (history_start - timedelta(days=1)).replace(day=1)
            history = report.attempt(
                "Monthly costs", None, lambda: reader.monthly_by_service(history_start, first)
            )
            daily = report.attempt("Month-to-date costs", None, lambda: reader.daily_by_service(first, today))
            if history is not None and daily is not None:
                items += anomaly_rules.run_rate_anomalies(today, ref.account_id, history, daily)
        return {"items": [a.to_json() for a in items], "note": note}

    def _commitments(self, reader: AccountReader, report: _Report, start: date, end: date) -> dict[str, Any]:
        def read(action: str) -> Any:
            return report.attempt("Commitments", None, lambda: reader.commitment(action, start, end))

        ri_use, ri_cover = read("ce:GetReservationUtilization"), read("ce:GetReservationCoverage")
        sp_use, sp_cover = read("ce:GetSavingsPlansUtilization"), read("ce:GetSavingsPlansCoverage")
        return {
            "month": start.isoformat()[:7],
            "reservations": commitment_rules.reservations(ri_use, ri_cover),
            "savingsPlans": commitment_rules.savings_plans(sp_use, sp_cover),
        }


def _empty() -> dict[str, Any]:
    return {
        "waste": {"items": [], "totalMonthly": "0", "currency": "USD"},
        "anomalies": {"items": [], "note": None},
        "commitments": {"month": None, "reservations": {"has": False}, "savingsPlans": {"has": False}},
    }


def summary_text(result: dict[str, Any], month: str) -> str:
    """The notice: "AWS in November 2026: 3 idle resources ~$16.25/month, no cost anomalies, ..."."""
    findings = [f for c in result["connections"] for f in c["waste"]["items"]]
    anomalies = sum(len(c["anomalies"]["items"]) for c in result["connections"])
    year, number = month_rules.parse_month(month)
    parts = [
        f"{len(findings)} idle resource{'s' if len(findings) != 1 else ''} "
        f"~${sum((Decimal(f['monthlyCost']) for f in findings), Decimal(0))}/month"
        if findings
        else "nothing idle found",
        f"{anomalies} cost anomal{'ies' if anomalies != 1 else 'y'}" if anomalies else "no cost anomalies",
    ]
    committed = [
        c["commitments"]
        for c in result["connections"]
        if c["commitments"]["reservations"]["has"] or c["commitments"]["savingsPlans"]["has"]
    ]
    parts.append("commitments in use" if committed else "no commitments")
    problems = sum(len(c["problems"]) for c in result["connections"])
    tail = f" ({problems} thing{'s' if problems != 1 else ''} Outlay could not read)" if problems else ""
    return f"AWS in {calendar.month_name[number]} {year}: {', '.join(parts)}{tail}."


def badges(findings: list[dict[str, Any]]) -> dict[str, str]:
    """Imported line's Cost Explorer service -> its waste badge ("3 unattached volumes ~$24.00/month")."""
    parsed = [
        waste.Finding(
            f["kind"],
            f["region"],
            f["resourceId"],
            f["description"],
            Decimal(f["monthlyCost"]),
            bool(f["approximate"]),
            f["consoleUrl"],
        )
        for f in findings
    ]
    text = waste.badge_text(parsed)
    return dict.fromkeys(waste.BADGE_SERVICES, text) if text else {}
