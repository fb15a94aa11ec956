"""DynamoDB items read by one list page and one summary request, as the user's history grows.

Counts ScannedCount of every Query/Scan the expenses handler makes (a botocore hook), so what is
measured is what DynamoDB bills, not what the handler returns.
"""

from __future__ import annotations

import json
import subprocess
import sys

from bench.common import ROOT, Row
from bench.world import moto_world, seed

PROBE = r"""
import json, boto3
from bench.world import api_event
reads = {"n": 0}
def count(parsed, **_):
    reads["n"] += parsed.get("ScannedCount", 0) + len(parsed.get("Responses", {}).get("Items", []))
boto3.DEFAULT_SESSION or boto3.setup_default_session()
boto3.DEFAULT_SESSION.events.register("after-call.dynamodb", count)
from outlay.handlers.expenses_api import handler
class Ctx:
    function_name = "bench"; memory_limit_in_mb = 512; aws_request_id = "bench"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench"
out = {}
for name, event in {
    "list": api_event("GET", "/expenses", {"limit": "50"}),
    "summary": api_event("GET", "/summary"),
}.items():
    reads["n"] = 0
    response = handler(event, Ctx())
    assert response["statusCode"] == 200, response
    out[name] = reads["n"]
print(json.dumps(out))
"""


LABELS = {"list": "list page (limit 50)", "summary": "summary (12 months)"}


def _reads_at(count: int) -> dict[str, int]:
    with moto_world() as world:
        seed(world, count)
        done = subprocess.run(
            [sys.executable, "-c", PROBE],
            cwd=ROOT,
            env=world.env(),
            check=True,
            capture_output=True,
            text=True,
        )
        return json.loads(done.stdout.strip().splitlines()[-1])


def measure(sizes: tuple[int, ...] = (100, 10_000, 100_000)) -> list[Row]:
    results = {n: _reads_at(n) for n in sizes}
    smallest = sizes[0]
    rows = []
    for request in ("list", "summary"):
        base = results[smallest][request]
        for n in sizes:
            value = results[n][request]
            ratio = value / base if base else None
            rows.append(
                Row(
                    what=f"Items read by one {LABELS[request]}, {n:,} expenses",
                    figure=str(value),
                    floor=f"{base} at {smallest:,}",
                    ratio=ratio,
                    target="flat (1.00x)",
                    met=ratio is not None and ratio <= 1.0,
                    fix="Read only the key range of the page/summary, never a filtered partition scan.",
                )
            )
    return rows
