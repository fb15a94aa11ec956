"""The AWS costs page's figures, as rules: which Cost Explorer requests, how their answers fold into
the page's numbers, how connections add up, and when cached figures are refreshed. Pure: no boto3,
no clock, no I/O.

One refresh of one connection costs `REQUESTS_PER_REFRESH` Cost Explorer requests (plus one per
extra result page): month to date by day and service (DAILY), the last 12 full months by service
(MONTHLY), and this month's forecast. Cost Explorer bills $0.01 per request, so figures are cached
per connection: refreshed at most once per `CACHE_TTL` on their own, and a user's forced refresh at
most once per `FORCED_REFRESH_COOLDOWN` (a loop of clicks cannot run up the bill).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from outlay.logic import months
from outlay.logic.cost_import import MalformedCostDataError
from outlay.logic.money import money_text, round_to_currency

CACHE_TTL = timedelta(hours=6)
FORCED_REFRESH_COOLDOWN = timedelta(minutes=10)
REQUESTS_PER_REFRESH = 3  # daily + monthly + forecast, before extra pages
COST_PER_REQUEST_USD = Decimal("0.01")
HISTORY_MONTHS = 12
METRIC = "UnblendedCost"
ALL = "all"


def daily_request(today: date) -> dict[str, Any]:
    """Month to date by day and service; End (exclusive) is tomorrow, so today's partial day counts
    and the 1st of a month is never an empty period."""
    return {
        "TimePeriod": {
            "Start": today.replace(day=1).isoformat(),
            "End": (today + timedelta(days=1)).isoformat(),
        },
        "Granularity": "DAILY",
        "Metrics": [METRIC],
        "GroupBy": [{"Type": "DIMENSION", "Key": "SERVICE"}],
    }


def monthly_request(today: date) -> dict[str, Any]:
    """The last `HISTORY_MONTHS` full months by service (this month is the daily request's)."""
    this_month = months.month_of(today)
    return {
        "TimePeriod": {
            "Start": months.first_day(months.add_months(this_month, -HISTORY_MONTHS)).isoformat(),
            "End": months.first_day(this_month).isoformat(),
        },
        "Granularity": "MONTHLY",
        "Metrics": [METRIC],
        "GroupBy": [{"Type": "DIMENSION", "Key": "SERVICE"}],
    }


def _amount(group: Mapping[str, Any]) -> tuple[Decimal, str]:
    metric = (group.get("Metrics") or {}).get(METRIC) or {}
    try:
        amount = Decimal(str(metric["Amount"]))
        currency = str(metric["Unit"])
    except (KeyError, ArithmeticError) as exc:
        raise MalformedCostDataError("a cost group has no readable UnblendedCost") from exc
    if not amount.is_finite() or len(currency) != 3:
        raise MalformedCostDataError("a cost group has an unreadable UnblendedCost")
    return amount, currency


def fold_by_period(pages: Iterable[Mapping[str, Any]]) -> tuple[dict[str, dict[str, Decimal]], str | None]:
    """{period start: {service: amount}} over every page (a period may span pages), and the currency."""
    periods: dict[str, dict[str, Decimal]] = {}
    currency: str | None = None
    for page in pages:
        for result in page.get("ResultsByTime") or []:
            start = str((result.get("TimePeriod") or {}).get("Start", ""))
            services = periods.setdefault(start, {})
            for group in result.get("Groups") or []:
                keys = list(group.get("Keys") or [])
                if len(keys) != 1:
                    raise MalformedCostDataError("expected groups keyed by SERVICE")
                amount, unit = _amount(group)
                if currency is not None and unit != currency:
                    raise MalformedCostDataError("Cost Explorer answered in more than one currency")
                currency = unit
                services[str(keys[0])] = services.get(str(keys[0]), Decimal(0)) + amount
    return periods, currency


def _money(services: Mapping[str, Decimal], currency: str) -> dict[str, str]:
    return {
        name: money_text(round_to_currency(amount, currency), currency)
        for name, amount in sorted(services.items())
        if round_to_currency(amount, currency) != 0
    }


def snapshot(
    today: date,
    daily_pages: list[dict[str, Any]],
    monthly_pages: list[dict[str, Any]],
    forecast: Mapping[str, Any],
    fetched_at: str,
    requests: int,
) -> dict[str, Any]:
    """What is cached for one connection: days of this month and 12 months, each {service: amount}
    as text in the currency's exponent, plus the forecast and what fetching it cost."""
    days, day_currency = fold_by_period(daily_pages)
    history, month_currency = fold_by_period(monthly_pages)
    currency = day_currency or month_currency or str(forecast.get("currency") or "USD")
    if month_currency and month_currency != currency:
        raise MalformedCostDataError("Cost Explorer answered in more than one currency")
    this_month = months.month_of(today)
    wanted_months = [months.add_months(this_month, -back) for back in range(HISTORY_MONTHS, 0, -1)]
    by_month = {start[:7]: services for start, services in history.items()}
    return {
        "fetchedAt": fetched_at,
        "requests": requests,
        "currency": currency,
        "month": this_month,
        "days": [
            {"date": start, "services": _money(services, currency)}
            for start, services in sorted(days.items())
            if start.startswith(this_month)
        ],
        "months": [{"month": m, "services": _money(by_month.get(m, {}), currency)} for m in wanted_months],
        "forecast": dict(forecast),
    }


def is_fresh(cached: Mapping[str, Any] | None, now: datetime, today: date) -> bool:
    """Cached figures are used for `CACHE_TTL`, and never across a month boundary."""
    if not cached:
        return False
    try:
        fetched = datetime.fromisoformat(str(cached["fetchedAt"]).replace("Z", "+00:00"))
    except (KeyError, ValueError):
        return False
    return now - fetched < CACHE_TTL and cached.get("month") == months.month_of(today)


def _sum(maps: Iterable[Mapping[str, str]]) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for services in maps:
        for name, amount in services.items():
            out[name] = out.get(name, Decimal(0)) + Decimal(amount)
    return out


def _total(services: Mapping[str, Decimal]) -> Decimal:
    return sum(services.values(), Decimal(0))


def overview(snapshots: Sequence[Mapping[str, Any]], currency: str) -> dict[str, Any]:
    """The page's figures for one or several connections' snapshots (same currency), added up."""
    if not snapshots:
        return {}
    month = str(snapshots[0]["month"])
    day_keys = sorted({d["date"] for s in snapshots for d in s["days"]})
    days = []
    for day in day_keys:
        services = _sum(d["services"] for s in snapshots for d in s["days"] if d["date"] == day)
        days.append(
            {
                "date": day,
                "total": money_text(_total(services), currency),
                "services": _money(services, currency),
            }
        )
    mtd = _sum(d["services"] for s in snapshots for d in s["days"])
    month_keys = [m["month"] for m in snapshots[0]["months"]]
    history = []
    for m in month_keys:
        services = _sum(x["services"] for s in snapshots for x in s["months"] if x["month"] == m)
        history.append(
            {
                "month": m,
                "total": money_text(_total(services), currency),
                "services": _money(services, currency),
            }
        )
    forecasts = [s["forecast"] for s in snapshots]
    if all(f.get("available") for f in forecasts):
        forecast: dict[str, Any] = {
            "available": True,
            "amount": money_text(sum((Decimal(f["amount"]) for f in forecasts), Decimal(0)), currency),
            "currency": currency,
        }
    else:
        missing = next(f for f in forecasts if not f.get("available"))
        forecast = {"available": False, "message": missing.get("message", "No forecast yet")}
    everything = _sum(x["services"] for x in history)
    for name, amount in mtd.items():
        everything[name] = everything.get(name, Decimal(0)) + amount
    services_order = [name for name, _ in sorted(everything.items(), key=lambda kv: (-kv[1], kv[0]))]
    return {
        "currency": currency,
        "monthToDate": {
            "month": month,
            "total": money_text(_total(mtd), currency),
            "days": days,
            "services": [
                {"service": name, "amount": money_text(amount, currency)}
                for name, amount in sorted(mtd.items(), key=lambda kv: (-kv[1], kv[0]))
                if round_to_currency(amount, currency) != 0
            ],
        },
        "forecast": forecast,
        "lastMonth": history[-1] if history else None,
        "months": history,
        "services": services_order,
    }


def refresh_cost(requests: int) -> str:
    """What `requests` Cost Explorer requests cost the user, in USD."""
    return money_text(COST_PER_REQUEST_USD * requests, "USD")
