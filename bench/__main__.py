"""`make bench`: measure what users feel, each figure next to its floor from the same run.

Rewrites bench/RESULTS.md. Ratios are what count: the machine is shared and noisy.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from bench.common import ROOT, Row

RESULTS = Path(__file__).with_name("RESULTS.md")
RAW = Path(__file__).with_name("RESULTS.json")  # the same rows, so `--only` can re-measure one step
RUNS_KEY = "_runs"  # in RESULTS.json: step -> when and at which scale its rows were measured
UNRECORDED = "not recorded"
STEP_ORDER = (
    "synthesis",
    "cold start",
    "bundle",
    "reads per request",
    "filtered reads",
    "export",
    "cost import",
    "connections",
    "statement import",
    "dev memory",
    "make test",
)


def _fmt_ratio(ratio: float | None) -> str:
    return "—" if ratio is None else f"{ratio:.2f}x"


def render(rows: list[Row], seconds: float, steps: list[str], runs: dict[str, str]) -> str:
    missed = [r for r in rows if not r.met]
    lines = [
        "# Benchmark results",
        "",
        f"Written by `make bench` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
        f"{platform.machine()}, Python {platform.python_version()}; the last run measured "
        f"{', '.join(steps)} in {seconds:.0f} s, and the other steps' rows are kept from the runs "
        "listed under *Runs*. Each figure is a median of several runs next to its floor measured in "
        "the same run.",
        "",
        "## Missed targets",
        "",
    ]
    if missed:
        lines += [f"- **{r.what}**: {r.figure} vs target {r.target}. Fix: {r.fix}" for r in missed]
    else:
        lines.append("None: every figure meets its target.")
    lines += [
        "",
        "## Figures",
        "",
        "| measure | figure | floor | ratio | target | met |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        met = "yes" if r.met else "**no**"
        lines.append(f"| {r.what} | {r.figure} | {r.floor} | {_fmt_ratio(r.ratio)} | {r.target} | {met} |")
    lines += ["", "## Runs", "", "Which run measured each step's rows:", ""]
    lines += [f"- {step}: {when}" for step, when in runs.items()]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--quick", action="store_true", help="fewer runs and smaller sizes (smoke check)")
    parser.add_argument("--skip-make-test", action="store_true", help="do not time `make test`")
    parser.add_argument(
        "--only",
        help="comma-separated steps to re-measure (e.g. export); the other rows are kept from RESULTS.json",
    )
    args = parser.parse_args()

    from bench import (
        bundle,
        cold_start,
        cost_import,
        dev_memory,
        exports,
        make_test,
        reads,
        statement_import,
        synth,
    )

    q = args.quick
    steps: list[tuple[str, Callable[[], Row | list[Row]]]] = [
        ("synthesis", lambda: synth.measure(runs=1 if q else 3)),
        ("cold start", lambda: cold_start.measure(runs=3 if q else 7)),
        ("bundle", bundle.measure),
        ("reads per request", lambda: reads.measure(sizes=(100, 1_000) if q else (100, 10_000, 100_000))),
        ("filtered reads", lambda: reads.measure_filters(count=2_000 if q else 100_000)),
        ("export", lambda: exports.measure(count=5_000 if q else 100_000)),
        ("cost import", lambda: cost_import.measure(users=50 if q else 1_000)),
        ("connections", lambda: cost_import.measure_connections(users=5 if q else 1_000)),
        ("statement import", lambda: statement_import.measure(count=1_000 if q else 10_000)),
        ("dev memory", lambda: dev_memory.measure(counts=(200, 1_000) if q else (1_000, 10_000))),
    ]
    if not args.skip_make_test:
        steps.append(("make test", make_test.measure))
    kept: dict[str, list[Row]] = {}
    raw = json.loads(RAW.read_text()) if RAW.exists() else {}
    runs: dict[str, str] = raw.pop(RUNS_KEY, {})
    previous = {name: [Row(**r) for r in rows] for name, rows in raw.items()}
    if args.only:
        wanted = {name.strip() for name in args.only.split(",")}
        unknown = wanted - {name for name, _ in steps}
        if unknown:
            parser.error(f"unknown step(s) {sorted(unknown)}; steps: {[name for name, _ in steps]}")
        kept = {name: rows for name, rows in previous.items() if name not in wanted}
        steps = [(name, step) for name, step in steps if name in wanted]

    measured: dict[str, list[Row]] = {}
    started = time.perf_counter()
    for name, step in steps:
        print(f"[bench] {name} ...", flush=True)
        try:
            result = step()
        except Exception:  # a broken measure is reported as a missed row, never hidden
            traceback.print_exc()
            result = Row(name, "error (see bench output)", "—", None, "runs", False, "fix the measure")
        measured[name] = result if isinstance(result, list) else [result]
        runs[name] = f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {'--quick' if q else 'full size'}"
        for row in measured[name]:
            print(f"  {row.what}: {row.figure} (floor {row.floor}, {_fmt_ratio(row.ratio)})", flush=True)
    by_step = kept | measured
    order = [name for name in STEP_ORDER if name in by_step]
    runs = {name: runs.get(name, UNRECORDED) for name in order}
    raw_out = {RUNS_KEY: runs} | {name: [asdict(r) for r in by_step[name]] for name in order}
    RAW.write_text(json.dumps(raw_out, indent=1) + "\n")
    rows = [row for name in order for row in by_step[name]]
    RESULTS.write_text(render(rows, time.perf_counter() - started, list(measured), runs))
    print(f"[bench] wrote {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
