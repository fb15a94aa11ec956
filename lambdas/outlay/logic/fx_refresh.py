"""The daily ECB rates refresh (pure: the download and the table are injected).

- First run (empty table) or a gap of more than `CATCH_UP_AFTER_DAYS` since the newest stored day
  (failed runs, a paused schedule): ECB's 90-day file, so missed days are filled in.
- Otherwise the daily file (one day).
- Only days newer than the newest stored one are written, all in one transaction: a failed download or
  a malformed file writes nothing and the next day's run tries again (and catches up).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal, Protocol

from outlay.logic.fx import RatesFormatError, parse_ecb_xml

DAILY_URL = "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml"
HISTORY_URL = "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist-90d.xml"
# Longer than ECB's longest pause (Easter: Friday to Monday), so the daily file never leaves a hole.
CATCH_UP_AFTER_DAYS = 4


class FetchError(Exception):
    """The rates file could not be downloaded (network, HTTP status); the message says which."""


class RateStore(Protocol):
    def latest_day(self) -> date | None: ...
    def put_days(self, days: Mapping[date, Mapping[str, Decimal]], fetched_from: str) -> int: ...


@dataclass(frozen=True)
class RefreshResult:
    status: Literal["stored", "up-to-date", "unreachable", "bad-file"]
    url: str
    stored: int = 0
    latest: date | None = None
    error: str = ""


def source_for(latest: date | None, today: date) -> str:
    if latest is None or (today - latest).days > CATCH_UP_AFTER_DAYS:
        return HISTORY_URL
    return DAILY_URL


def refresh(store: RateStore, fetch: Callable[[str], bytes], today: date) -> RefreshResult:
    latest = store.latest_day()
    url = source_for(latest, today)
    try:
        document = fetch(url)
    except FetchError as exc:
        return RefreshResult("unreachable", url, latest=latest, error=str(exc))
    try:
        days = parse_ecb_xml(document)
    except RatesFormatError as exc:
        return RefreshResult("bad-file", url, latest=latest, error=str(exc))
    new = {day: rates for day, rates in days.items() if latest is None or day > latest}
    if not new:
        return RefreshResult("up-to-date", url, latest=latest)
    stored = store.put_days(new, url)
    return RefreshResult("stored", url, stored=stored, latest=max(new))
