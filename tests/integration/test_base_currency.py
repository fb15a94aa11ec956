"""A base currency over real HTTP on the local runtime: its rates come from the shipped ECB table
(local/data/ecb-rates.csv), loaded at start exactly as the daily function stores them in the cloud."""

from __future__ import annotations

import csv
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

from local.pytest_plugin import new_user
from local.runtime import LocalRuntime
from tests.integration.test_expense_journey import Api

SHIPPED = Path(__file__).parents[2] / "local" / "data" / "ecb-rates.csv"


def _usd_per_eur(day: str) -> Decimal:
    with SHIPPED.open(encoding="utf-8") as handle:
        row = next(r for r in csv.DictReader(handle) if r["Date"] == day)
    return Decimal(row["USD"])


def test_turning_on_a_base_currency_shows_converted_totals_and_the_rates_used(
    local_runtime: LocalRuntime,
) -> None:
    api = Api(local_runtime, new_user(local_runtime, "basecurrency"))
    for amount, currency, day in (
        ("100.00", "USD", "2026-03-06"),  # Friday
        ("50.00", "USD", "2026-03-07"),  # Saturday: Friday's rate
        ("20.00", "EUR", "2026-03-09"),
        ("2.500", "KWD", "2026-03-09"),  # no ECB rate
    ):
        body = {"amount": amount, "currency": currency, "date": day, "category": "Travel", "vendor": "Hotel"}
        assert api.call("POST", "/expenses", json=body).status_code == 201

    before = api.call("GET", "/summary", params={"from": "2026-03", "to": "2026-03"}).json()
    assert "converted" not in before

    turned_on = api.call("PUT", "/profile", json={"baseCurrency": "EUR"})
    assert turned_on.status_code == 200, turned_on.text
    assert turned_on.json()["baseCurrency"] == "EUR"

    summary = api.call("GET", "/summary", params={"from": "2026-03", "to": "2026-03"}).json()
    assert summary["totals"] == before["totals"]  # the per-currency totals never change
    converted = summary["converted"]
    friday = _usd_per_eur("2026-03-06")
    cent = Decimal("0.01")
    expected = (
        (Decimal("100.00") / friday).quantize(cent, ROUND_HALF_EVEN)
        + (Decimal("50.00") / friday).quantize(cent, ROUND_HALF_EVEN)
        + Decimal("20.00")
    )
    assert (converted["base"], converted["total"], converted["count"]) == ("EUR", f"{expected}", 3)
    assert converted["rates"] == [
        {
            "currency": "USD",
            "rateDate": "2026-03-06",
            "rate": f"{(1 / friday).quantize(Decimal('0.000001'))}",
            "provisional": False,
            "forDates": ["2026-03-06", "2026-03-07"],
        }
    ]
    assert converted["unconverted"] == [
        {"currency": "KWD", "total": "2.500", "count": 1, "reason": "ECB publishes no reference rate for KWD"}
    ]

    refused = api.call("PUT", "/profile", json={"baseCurrency": "KWD"})
    assert refused.status_code == 400 and "baseCurrency" in refused.text
