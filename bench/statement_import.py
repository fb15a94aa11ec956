"""Bank-statement import of 10,000 rows: wall time and peak memory of the whole pipeline (analyze, then
commit and every chunk through the worker's code), next to the floor of writing the same 10,000
expenses through the expense writer alone (ExpensesRepository.upsert: the transactions every row
needs anyway).

Both run in a fresh process against moto in-process (DynamoDB + S3), so the figure/floor ratio is
Outlay's statement overhead (S3 reads, CSV parsing per chunk, duplicate queries, run bookkeeping);
moto's own cost sits in both. Peak memory is the process's peak RSS (VmHWM), interpreter and moto
included: a chunk worker in Lambda holds one file and one chunk, less than this.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys

from bench.common import ROOT, Row, env

TARGET_RATIO = 2.0
TARGET_MB = 512  # the worker's Lambda memory size

PIPELINE = r"""
import json, os, sys, time
from datetime import UTC, date, datetime, timedelta
import boto3
from moto import mock_aws
from outlay import tables
from local.provision import table_definition

N = int(os.environ["BENCH_COUNT"])
SUB = "bench-user"
mock_aws().start()
ddb = boto3.client("dynamodb", region_name="us-east-1")
s3 = boto3.client("s3", region_name="us-east-1")
ddb.create_table(**(table_definition(tables.EXPENSES_TABLE) | {"TableName": "bench"}))
s3.create_bucket(Bucket="bench")
lines = ["Buchungstag;Betrag;Empfänger;Verwendungszweck"]
for i in range(N):
    day = date(2026, 1, 1) + timedelta(days=i % 365)
    lines.append(f"{day:%d.%m.%Y};-{1 + i % 900},{i % 100:02d};Händler {i % 400};Kartenzahlung {i}")
text = "\n".join(lines) + "\n"

from outlay.dal.wiring import build_statements_service
from outlay.logic.statements import Row, parse_rows, to_expense
from outlay.logic.statement_csv import file_hash
from outlay.models.statements import CommitRequest

class Inline:
    sent = []
    def send_all(self, messages):
        Inline.sent.extend(messages); return type("S", (), {"failed": 0})()

service = build_statements_service(
    expenses_table="bench", receipts_bucket="bench", dynamodb_client=ddb, s3_client=s3)
service.queue = Inline()
start = time.perf_counter()
if sys.argv[1] == "pipeline":
    upload = service.start_upload(SUB).upload_id
    s3.put_object(Bucket="bench", Key=tables.statement_key(SUB, upload), Body=text.encode())
    analysis = service.analyze(SUB, upload, None)
    mapping = analysis.mapping.model_copy(update={"fixed_currency": "EUR"})
    run = service.commit(SUB, upload, CommitRequest(mapping=mapping))
    for message in Inline.sent:
        service.process_chunk(message)
    done = service.run(SUB, run.run_id)
    rows, created = done.done, done.created
else:
    now = datetime.now(UTC)
    from outlay.models.statements import ColumnMapping
    mapping = ColumnMapping(delimiter=";", has_header=True, date=0, amount=1, vendor=2, description=3,
                            fixed_currency="EUR", date_format="DD.MM.YYYY", decimal=",")
    digest = file_hash(text.encode())
    expenses = [to_expense(r, digest, "Other", now) for r in parse_rows(text, mapping) if isinstance(r, Row)]
    start = time.perf_counter()
    created = sum(service.expenses.upsert(SUB, e) == "created" for e in expenses)
    rows = len(expenses)
hwm_kb = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"seconds": time.perf_counter() - start, "rows": rows, "created": created,
                  "rss_mb": hwm_kb / 1024}))
"""


def _run(mode: str, count: int) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", PIPELINE, mode],
        cwd=ROOT,
        env=env()
        | {"BENCH_COUNT": str(count), "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench"},
        check=True,
        capture_output=True,
        text=True,
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def measure(count: int = 10_000, runs: int = 1) -> list[Row]:
    pipeline = [_run("pipeline", count) for _ in range(runs)]
    floors = [_run("writes", count) for _ in range(runs)]
    if any(r["rows"] != count or r["created"] != count for r in pipeline + floors):
        raise RuntimeError(f"not every one of {count} rows was imported: {pipeline + floors}")
    seconds = statistics.median(r["seconds"] for r in pipeline)
    floor_s = statistics.median(r["seconds"] for r in floors)
    rss = max(r["rss_mb"] for r in pipeline)
    floor_mb = max(r["rss_mb"] for r in floors)
    return [
        Row(
            what=f"Statement import wall time, {count:,} rows (analyze + commit + every chunk; moto)",
            figure=f"{seconds:.1f} s",
            floor=f"{floor_s:.1f} s (the same upserts alone)",
            ratio=seconds / floor_s,
            target=f"≤ {TARGET_RATIO}x floor",
            met=seconds / floor_s <= TARGET_RATIO,
            fix="Batch the duplicate queries per chunk (one range per currency) and parse once per chunk.",
        ),
        Row(
            what=f"Statement import peak memory, {count:,} rows (one process, moto included)",
            figure=f"{rss:.0f} MB",
            floor=f"{floor_mb:.0f} MB (the same upserts alone)",
            ratio=rss / floor_mb,
            target=f"≤ {TARGET_MB} MB",
            met=rss <= TARGET_MB,
            fix="Stream rows per chunk instead of listing the file's rows.",
        ),
    ]
