"""Demo budgets for `make dev` (issue 18.1): three budgets through the real API, then one forecast
fetch so the AWS (Software) budget shows the Cost Explorer forecast warning on the demo account."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from local.lambdas import HandlerMissing

log = logging.getLogger("outlay.local.seed")

# The demo forecast (local.moto_extras.DEMO_FORECAST_USD, 81.45) exceeds the Software budget.
DEMO_BUDGETS: tuple[dict[str, Any], ...] = (
    {"currency": "USD", "amount": "1500", "rollover": False},
    {"category": "Food", "currency": "USD", "amount": "250", "rollover": True},
    {"category": "Software", "currency": "USD", "amount": "60", "rollover": False},
)

ApiCall = Callable[..., tuple[int, Any]]


def seed_demo_budgets(
    call_api: ApiCall,
    claims: dict[str, str],
    *,
    origin: str,
    passing: Callable[[], AbstractContextManager[Any]],
    cancel: threading.Event | None = None,
) -> int:
    """PUT the demo budgets, then GET /aws-costs/forecast (the costs function stores it); returns
    how many budgets were saved."""
    saved = 0
    if cancel is not None and cancel.is_set():
        return saved
    try:
        for body in DEMO_BUDGETS:
            with passing():
                status, payload = call_api("PUT", "/budgets", claims, body, origin=origin)
            if status == 200:
                saved += 1
            else:
                log.warning("demo budget refused (%s): %s", status, payload)
        with passing():
            status, payload = call_api("GET", "/aws-costs/forecast", claims, origin=origin)
        if status != 200 or not (payload or {}).get("available"):
            log.warning("no demo AWS forecast (%s): %s", status, payload)
    except HandlerMissing as exc:
        log.warning("no demo budgets: %s", exc)
    return saved
