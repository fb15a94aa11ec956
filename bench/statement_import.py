"""Bank-statement import of 10,000 rows: wall time and peak memory of the whole pipeline (analyze, then
commit and every chunk through the worker's code), next to the floor of writing the same 10,000
expenses through the expense writer alone (ExpensesRepository.upsert: the transactions every row
needs anyway).

Both run the production code in a fresh process against stand-in clients (a dict for DynamoDB items,
transactions counted and accepted; S3 holds the one file). moto cannot be used here: its
TransactWriteItems deep-copies the table on every call, so 10,000 rows would measure moto's O(n^2),
not Outlay. The figure/floor ratio is the statement overhead (S3 reads, CSV parsing per chunk,
duplicate queries, run bookkeeping). Peak memory is the process's peak RSS (VmHWM), interpreter
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
import copy, json, os, sys, time
from datetime import UTC, date, datetime, timedelta
from outlay import tables

N = int(os.environ["BENCH_COUNT"])
SUB = "bench-user"

class Body:
    def __init__(self, data): self.data = data
    def read(self, n=-1): return self.data

class StandInS3:
    objects = {}
    def generate_presigned_post(self, **kw): return {"url": "https://s3.example/bench", "fields": {}}
    def put_object(self, Bucket, Key, Body, **_): StandInS3.objects[Key] = Body
    def get_object(self, Bucket, Key): return {"Body": Body(StandInS3.objects[Key])}

class StandInDynamo:
    items = {}
    transactions = 0
    def _key(self, key): return (key["pk"]["S"], key["sk"]["S"])
    def get_item(self, Key, **_):
        item = StandInDynamo.items.get(self._key(Key))
        return {"Item": item} if item else {}
    def put_item(self, Item, **_): StandInDynamo.items[self._key(Item)] = Item; return {}
    def update_item(self, Key, ExpressionAttributeNames, ExpressionAttributeValues, **_):
        item = StandInDynamo.items[self._key(Key)]
        item["chunkResults"]["M"][ExpressionAttributeNames["#chunk"]] = ExpressionAttributeValues[":result"]
        return {}
    def query(self, **_): return {"Items": []}
    def transact_write_items(self, TransactItems): StandInDynamo.transactions += 1; return {}
    def delete_item(self, **_): return {}

lines = ["Buchungstag;Betrag;Empfänger;Verwendungszweck"]
for i in range(N):
    day = date(2026, 1, 1) + timedelta(days=i % 365)
    lines.append(f"{day:%d.%m.%Y};-{1 + i % 900},{i % 100:02d};Händler {i % 400};Kartenzahlung {i}")
text = "\n".join(lines) + "\n"

from outlay.dal.wiring import build_statements_service
from outlay.logic.statements import Row, parse_rows, to_expense
from outlay.logic.statement_csv import file_hash
from outlay.models.statements import ColumnMapping, CommitRequest

class Inline:
    sent = []
    def send_all(self, messages):
        Inline.sent.extend(messages); return type("S", (), {"failed": 0})()

service = build_statements_service(
    expenses_table="bench", receipts_bucket="bench", dynamodb_client=StandInDynamo(), s3_client=StandInS3())
service.queue = Inline()
start = time.perf_counter()
if sys.argv[1] == "pipeline":
    upload = service.start_upload(SUB).upload_id
    StandInS3().put_object(Bucket="bench", Key=tables.statement_key(SUB, upload), Body=text.encode())
    analysis = service.analyze(SUB, upload, None)
    mapping = analysis.mapping.model_copy(update={"fixed_currency": "EUR"})
    run = service.commit(SUB, upload, CommitRequest(mapping=mapping))
    for message in Inline.sent:
        service.process_chunk(message)
    done = service.run(SUB, run.run_id)
    rows, created = done.done, done.created
else:
    now = datetime.now(UTC)
    mapping = ColumnMapping(delimiter=";", has_header=True, date=0, amount=1, vendor=2, description=3,
                            fixed_currency="EUR", date_format="DD.MM.YYYY", decimal=",")
    digest = file_hash(text.encode())
    expenses = [to_expense(r, digest, "Other", now) for r in parse_rows(text, mapping) if isinstance(r, Row)]
    start = time.perf_counter()
    created = sum(service.expenses.upsert(SUB, e) == "created" for e in expenses)
    rows = len(expenses)
assert StandInDynamo.transactions == created
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


def measure(count: int = 10_000, runs: int = 3) -> list[Row]:
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
            what=f"Statement import wall time, {count:,} rows (analyze + commit + every chunk)",
            figure=f"{seconds:.1f} s",
            floor=f"{floor_s:.1f} s (the same upserts alone)",
            ratio=seconds / floor_s,
            target=f"≤ {TARGET_RATIO}x floor",
            met=seconds / floor_s <= TARGET_RATIO,
            fix="Read only each chunk's window of the file (byte offsets in the message), not all of it.",
        ),
        Row(
            what=f"Statement import peak memory, {count:,} rows (one process)",
            figure=f"{rss:.0f} MB",
            floor=f"{floor_mb:.0f} MB (the same upserts alone)",
            ratio=rss / floor_mb,
            target=f"≤ {TARGET_MB} MB",
            met=rss <= TARGET_MB,
            fix="Stream rows per chunk instead of listing the file's rows.",
        ),
    ]
