"""CSV export of 100,000 expenses: peak memory and wall time of the export request, next to the floor
of merely reading the same items page by page. Each runs in a fresh process; peak memory is that
process's max RSS (what a Lambda's memory setting must cover), interpreter and boto3 included."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys

from bench.common import ROOT, Row
from bench.world import SUB, moto_world, seed

TARGET_MB = 200
TARGET_RATIO = 2.0

EXPORT = r"""
import json, resource, time, urllib.request
from bench.world import api_event
from outlay.handlers.expenses_api import handler
class Ctx:
    function_name = "bench"; memory_limit_in_mb = 512; aws_request_id = "bench"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench"
start = time.perf_counter()
response = handler(api_event("GET", "/expenses/export"), Ctx())
seconds = time.perf_counter() - start
assert response["statusCode"] == 200, response
rows = json.loads(response["body"])["rows"]
print(json.dumps({"seconds": seconds, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "rows": rows}))
"""

FLOOR = r"""
import json, os, resource, time
from outlay.dal.expenses_repo import ExpensesRepository
from outlay.models.expenses import ExpenseFilters
repo = ExpensesRepository(os.environ["EXPENSES_TABLE"])
start = time.perf_counter()
rows = sum(1 for _ in repo.iter_expenses(os.environ["BENCH_SUB"], ExpenseFilters()))
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "rows": rows}))
"""


def _run(code: str, world_env: dict[str, str]) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=world_env, check=True, capture_output=True, text=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(count: int = 100_000, runs: int = 3) -> list[Row]:
    with moto_world() as world:
        seed(world, count)
        exports = [_run(EXPORT, world.env()) for _ in range(runs)]
        floors = [_run(FLOOR, world.env() | {"BENCH_SUB": SUB}) for _ in range(runs)]
    if any(e["rows"] != count for e in exports) or any(f["rows"] != count for f in floors):
        raise RuntimeError(f"row counts differ from {count}: {exports} {floors}")
    export_s = statistics.median(e["seconds"] for e in exports)
    floor_s = statistics.median(f["seconds"] for f in floors)
    export_mb = max(e["rss_mb"] for e in exports)
    floor_mb = max(f["rss_mb"] for f in floors)
    return [
        Row(
            what=f"Export peak memory, {count:,} expenses (process max RSS)",
            figure=f"{export_mb:.0f} MB",
            floor=f"{floor_mb:.0f} MB (read pages only)",
            ratio=export_mb / floor_mb,
            target=f"≤ {TARGET_MB} MB",
            met=export_mb <= TARGET_MB,
            fix="Smaller multipart parts and query pages; stream rows instead of building lists.",
        ),
        Row(
            what=f"Export wall time, {count:,} expenses (moto)",
            figure=f"{export_s:.1f} s",
            floor=f"{floor_s:.1f} s (read pages only)",
            ratio=export_s / floor_s,
            target=f"≤ {TARGET_RATIO}x floor",
            met=export_s / floor_s <= TARGET_RATIO,
            fix="Overlap the S3 part uploads with the next DynamoDB page (one upload thread).",
        ),
    ]
