"""The scheduled cost import over N simulated users (bench/cost_import_bench.py does the run)."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from bench.common import ROOT, Row, env


def measure(users: int = 1_000) -> list[Row]:
    # A fresh process: the run patches moto and the environment for itself.
    done = subprocess.run(
        [sys.executable, "-m", "bench.cost_import_bench", "--users", str(users)],
        cwd=ROOT,
        env=env(),
        check=True,
        capture_output=True,
        text=True,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    calls = result["ce_calls_per_user_month"]
    return [
        Row(
            what=f"Cost Explorer calls per user-month, scheduled run over {users:,} users",
            figure=f"{calls} (max {result['ce_calls_max_per_user_month']})",
            floor="1 (one GetCostAndUsage per user-month)",
            ratio=calls,
            target="1 + pages",
            met=calls <= 1.0,
            fix="Group by SERVICE and RECORD_TYPE in one request instead of one call per record type.",
        ),
        Row(
            what=f"Scheduled import wall time, {users:,} users (dispatcher → SQS → worker, moto)",
            figure=f"{result['wall_seconds']} s ({result['ms_per_user']} ms/user)",
            floor="—",
            ratio=None,
            target="reported",
            met=True,
        ),
        Row(
            what="Duplicate expenses after re-running the same month",
            figure=str(result["duplicates_after_rerun"]),
            floor=f"{result['expenses_after_first_run']:,} expenses after run 1, "
            f"{result['expenses_after_rerun']:,} after run 2",
            ratio=None,
            target="0",
            met=result["duplicates_after_rerun"] == 0
            and result["expenses_after_first_run"] == result["expenses_after_rerun"],
            fix="Deterministic expense ids per (user, account, month, line).",
        ),
    ]


def measure_connections(users: int = 1_000) -> list[Row]:
    """Issue 16: every user with 3 connections, one an organization with 5 member accounts."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.cost_import_bench", "--users", str(users), "--connections", "3"],
        cwd=ROOT,
        env=env(),
        check=True,
        capture_output=True,
        text=True,
    )
    return connection_rows(json.loads(done.stdout.strip().splitlines()[-1]), users)


def connection_rows(result: dict[str, Any], users: int) -> list[Row]:
    """The rows of one `cost_import_bench --connections 3` result."""
    single, org = result["ce_calls_per_single_account_month"], result["ce_calls_per_organization_month"]
    peak, peak_account = result["ce_peak_calls_per_second"], result["ce_peak_calls_per_second_per_account"]
    connections = users * 3
    return [
        Row(
            what=f"Cost Explorer calls per connection-month, {users:,} users x 3 connections",
            figure=f"single account {single}, organization (5 members) {org}",
            floor="1 per account; 2 per organization (GroupBy holds 2 dimensions: LINKED_ACCOUNT + one)",
            ratio=single,
            target="1 + pages (organization 2 + pages)",
            met=single <= 1.0 and (org or 0) <= 2.0,
            fix="One SERVICE x RECORD_TYPE query per account; an organization's usage and records queries.",
        ),
        Row(
            what=f"Peak Cost Explorer calls in any one second per calling account "
            f"({result['ce_calling_accounts']:,} accounts; scheduled run, in-process moto)",
            figure=f"{peak_account} per account ({peak} over all accounts)",
            floor="—",
            ratio=None,
            target="≤ 5 per account",
            met=peak_account <= 5,
            fix="Hold calls under 5/s per calling account with the shared rate limiter (issue 16.5).",
        ),
        Row(
            what="Duplicate expenses after re-running the same month (3 connections per user)",
            figure=str(result["duplicates_after_rerun"]),
            floor=f"{result['expenses_after_first_run']:,} expenses after run 1, "
            f"{result['expenses_after_rerun']:,} after run 2",
            ratio=None,
            target="0",
            met=result["duplicates_after_rerun"] == 0
            and result["expenses_after_first_run"] == result["expenses_after_rerun"],
            fix="Deterministic expense ids per (user, account, month, line).",
        ),
        Row(
            what=f"Scheduled import wall time, {users:,} users x 3 connections (dispatcher → SQS → worker, "
            "one process, in-process moto)",
            figure=f"{result['wall_seconds']} s run 1 ({1000 * result['wall_seconds'] / connections:.0f} ms/"
            f"connection), {result['rerun_wall_seconds']} s re-run",
            floor="—",
            ratio=None,
            target="reported",
            met=True,
        ),
    ]
