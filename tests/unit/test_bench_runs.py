"""`make bench`'s scheduled-run measure still runs against the product's current wiring (it broke when
the worker's wiring changed), at a size a test affords: 2 users x 3 connections, one an organization.
A subprocess: the bench patches moto's internals for speed, which must not leak into other tests."""

from __future__ import annotations

import json
import subprocess
import sys

from bench.common import ROOT, env


def test_the_connections_bench_imports_each_connection_once_and_a_rerun_adds_nothing() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench.cost_import_bench", "--users", "2", "--connections", "3"],
        cwd=ROOT,
        env=env(),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["ce_calls_per_single_account_month"] == 1.0
    assert result["ce_calls_per_organization_month"] == 2.0
    assert result["duplicates_after_rerun"] == 0
    assert result["expenses_after_first_run"] == result["expenses_after_rerun"] > 0
    assert result["ce_peak_calls_per_second_per_account"] <= 5


def test_the_export_bench_writes_every_row_at_a_small_size() -> None:
    from bench import exports

    peak_memory, wall_time = exports.measure(count=500, runs=1)
    assert peak_memory.met and wall_time.met
    assert wall_time.what == "Export wall time, 500 expenses"


def test_the_cold_start_bench_has_a_first_request_for_every_function() -> None:
    from outlay.routes import EVENT_FUNCTIONS, HTTP_FUNCTIONS

    from bench.cold_start import FIRST_REQUESTS

    missing = {*HTTP_FUNCTIONS, *EVENT_FUNCTIONS} - set(FIRST_REQUESTS)
    # the statement worker's chunk is first committed in the bench's world: `measure` adds its request
    assert missing == {"statement_import_worker"}
