"""CSV export of 100,000 expenses: peak memory and wall time of the export pipeline, next to the floor
of merely reading the same items page by page.

Both run the production code (repository paging -> CSV rows -> S3 multipart parts) in a fresh
process against stand-in clients: DynamoDB pages are generated on demand and uploaded parts are
counted then dropped. A mock that stores 100,000 items (moto) would dominate both time and memory
and measure itself; here the only difference between figure and floor is Outlay's export work.
Peak memory is the process's peak RSS (VmHWM) (what a Lambda's memory size must cover), interpreter included.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys

from bench.common import ROOT, Row, env

TARGET_MB = 200
TARGET_RATIO = 2.0

STAND_INS = r"""
import json, os, sys, time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from outlay.dal.expense_items import expense_to_item, serialize
from outlay.dal.expenses_repo import ExpensesRepository
from outlay.dal.export_store import ExportStore
from outlay.logic.csv_export import csv_chunks
from outlay.models.expenses import Expense
from outlay.models.queries import ExpenseFilters

N = int(os.environ["BENCH_COUNT"])
NOW = datetime(2026, 11, 1, tzinfo=UTC)

def item(i):
    expense = Expense(
        id=f"e{i:09d}", date=date(2026, 10, 31) - timedelta(days=i * 1096 // N),
        amount=Decimal(100 + i % 50_000) / 100, currency=("USD", "EUR")[i % 2], category="Food",
        vendor=f"Vendor {i % 50}", description="lunch with the team, and a longer note for realistic rows",
        tags=["team", "lunch"], source="manual", createdAt=NOW, updatedAt=NOW)
    return serialize(expense_to_item("bench-user", expense, 1))

class PagedDynamo:
    queries = 0
    def query(self, **args):
        PagedDynamo.queries += 1
        start = int(args.get("ExclusiveStartKey", {}).get("n", {"N": "-1"})["N"]) + 1
        end = min(N, start + args["Limit"])
        page = {"Items": [item(i) for i in range(start, end)], "ScannedCount": end - start}
        if end < N:
            page["LastEvaluatedKey"] = {"n": {"N": str(end - 1)}}
        return page

class CountingS3:
    parts = []
    def create_multipart_upload(self, **_): return {"UploadId": "bench"}
    def upload_part(self, Body, PartNumber, **_):
        CountingS3.parts.append(len(Body)); return {"ETag": str(PartNumber)}
    def complete_multipart_upload(self, **_): return {}
    def abort_multipart_upload(self, **_): return {}
    def put_object_tagging(self, **_): return {}

repo = ExpensesRepository("bench-expenses", PagedDynamo())
start = time.perf_counter()
if sys.argv[1] == "export":
    rows = [0]
    ExportStore("bench-receipts", CountingS3()).write(
        "bench-user/exports/bench.csv", csv_chunks(repo.iter_expenses("bench-user", ExpenseFilters()), rows),
        file_name="bench.csv")
    rows = rows[0]
else:
    rows = sum(1 for _ in repo.iter_expenses("bench-user", ExpenseFilters()))
# VmHWM is this address space's peak RSS; ru_maxrss would carry over the parent's peak across exec.
hwm_kb = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"seconds": time.perf_counter() - start, "rows": rows, "parts": CountingS3.parts,
                  "rss_mb": hwm_kb / 1024}))
"""


def _run(mode: str, count: int) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", STAND_INS, mode],
        cwd=ROOT,
        env=env() | {"BENCH_COUNT": str(count)},
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(count: int = 100_000, runs: int = 3) -> list[Row]:
    exports = [_run("export", count) for _ in range(runs)]
    floors = [_run("read", count) for _ in range(runs)]
    if any(r["rows"] != count for r in exports + floors):
        raise RuntimeError(f"row counts differ from {count}")
    export_s = statistics.median(e["seconds"] for e in exports)
    floor_s = statistics.median(f["seconds"] for f in floors)
    export_mb = max(e["rss_mb"] for e in exports)
    floor_mb = max(f["rss_mb"] for f in floors)
    parts = exports[0]["parts"]
    largest = max(parts) / 2**20
    return [
        Row(
            what=f"Export peak memory, {count:,} expenses ({len(parts)} parts ≤ {largest:.1f} MiB)",
            figure=f"{export_mb:.0f} MB",
            floor=f"{floor_mb:.0f} MB (read pages only)",
            ratio=export_mb / floor_mb,
            target=f"≤ {TARGET_MB} MB",
            met=export_mb <= TARGET_MB,
            fix="Smaller multipart parts and query pages; stream rows instead of building lists.",
        ),
        Row(
            what=f"Export wall time, {count:,} expenses",
            figure=f"{export_s:.1f} s",
            floor=f"{floor_s:.1f} s (read pages only)",
            ratio=export_s / floor_s,
            target=f"≤ {TARGET_RATIO}x floor",
            met=export_s / floor_s <= TARGET_RATIO,
            fix="Overlap the S3 part uploads with the next DynamoDB page (one upload thread).",
        ),
    ]
