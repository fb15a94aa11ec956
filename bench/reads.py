"""DynamoDB items read by one list page and one summary request, as the user's history grows.

Counts ScannedCount of every Query/Scan the expenses handler makes (a botocore hook), so what is
measured is what DynamoDB bills, not what the handler returns.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import boto3
from outlay import tables

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


PAGE = 50
# name -> (query string, what it selects); world.demo_expenses places the matches.
FILTERS: dict[str, tuple[dict[str, str], str]] = {
    "vendor3": ({"vendor": "Marriott"}, "vendor=Marriott (3 matches)"),
    "tag10": ({"tag": "trip"}, "tag=trip (10%)"),
    "q3": ({"q": "marr"}, "q=marr, word prefix (3 matches)"),
    "q10": ({"q": "lisb"}, "q=lisb, word prefix (10%)"),
    "combined10": ({"q": "lisb", "currency": "EUR"}, "q=lisb + currency=EUR (5%)"),
}


def _walks(count: int) -> dict[str, Any]:
    """Seed `count` expenses (+ index and aggregate items) into an in-process moto and walk each
    filter through the real handler, counting items read (ScannedCount) per request.

    In-process, and seeded straight into moto's table, because pushing 100,000 expenses and their
    ~1.2 million index items through moto's HTTP server takes hours on a shared machine; what is
    counted (DynamoDB items a request reads) does not depend on where moto runs."""
    from moto import mock_aws
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends
    from outlay.dal.expense_items import serialize
    from outlay.handlers.wiring import reset_all

    from bench.world import REGION, api_event, seed_items
    from local.provision import table_definition

    env = {"EXPENSES_TABLE": "bench-expenses", "RECEIPTS_BUCKET": "bench-receipts"}
    env |= {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": REGION}
    env |= {"POWERTOOLS_TRACE_DISABLED": "1", "POWERTOOLS_METRICS_NAMESPACE": "Outlay"}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    reads = {"n": 0}

    def counted(parsed: dict[str, Any], **_: Any) -> None:
        reads["n"] += parsed.get("ScannedCount", 0) + len(parsed.get("Responses", {}).get("Items", []))

    try:
        with mock_aws():
            definition = table_definition(tables.EXPENSES_TABLE) | {"TableName": env["EXPENSES_TABLE"]}
            definition.pop("StreamSpecification", None)
            boto3.client("dynamodb", region_name=REGION).create_table(**definition)
            boto3.client("s3", region_name=REGION).create_bucket(Bucket=env["RECEIPTS_BUCKET"])
            backend = dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION]
            for item in seed_items(count):
                backend.put_item(env["EXPENSES_TABLE"], serialize(item))
            reset_all()
            boto3.DEFAULT_SESSION or boto3.setup_default_session()
            assert boto3.DEFAULT_SESSION is not None
            boto3.DEFAULT_SESSION.events.register("after-call.dynamodb", counted)
            from outlay.handlers.expenses_api import handler

            class Ctx:
                function_name = "bench"
                memory_limit_in_mb = 512
                aws_request_id = "bench"
                invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench"

            out: dict[str, Any] = {}
            for name, (query, _) in FILTERS.items():
                reads["n"] = 0
                first: dict[str, int] | None = None
                returned = requests = 0
                cursor = None
                while True:
                    params = dict(query, limit=str(PAGE)) | ({"next": cursor} if cursor else {})
                    response = handler(api_event("GET", "/expenses", params), Ctx())
                    assert response["statusCode"] == 200, response
                    body = json.loads(response["body"])
                    returned += len(body["items"])
                    requests += 1
                    first = first or {"read": reads["n"], "returned": len(body["items"])}
                    cursor = body.get("next")
                    if not cursor:
                        break
                walk = {"read": reads["n"], "returned": returned, "requests": requests}
                out[name] = {"first": first, "walk": walk}
                print(f"  [filtered reads] {name}: {out[name]}", flush=True)
            return out
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def measure_filters(count: int = 100_000) -> list[Row]:
    """Items read for the first page and for a whole walk of a filtered list, next to the items
    returned. Target: a page reads what it returns plus one look-ahead item per request.

    Cost of measuring: moto's Query walks the whole table on every call (O(table), not O(page)),
    and 100,000 expenses are ~1.1 million items with their index items, so the full-size run takes
    hours on moto; `--quick` measures 2,000 expenses. The counts depend only on the queried bucket,
    which the first-page rows show (same figures at every size)."""
    results = _walks(count)
    rows = []
    for name, (_, label) in FILTERS.items():
        first, walk = results[name]["first"], results[name]["walk"]
        for what, got, allowance in (
            (f"first page (limit {PAGE})", first, 1),
            (f"whole walk, {walk['requests']} requests", walk, walk["requests"]),
        ):
            read, returned = got["read"], got["returned"]
            rows.append(
                Row(
                    what=f"Items read by {label}, {what}, {count:,} expenses",
                    figure=f"{read} read / {returned} returned",
                    floor=f"{returned} returned",
                    ratio=read / returned if returned else None,
                    target="read <= returned + 1 per request",
                    met=read <= returned + allowance,
                    fix=(
                        "Combined filters read the driving bucket: choose it by measured bucket size "
                        "or index the pair."
                        if name.startswith("combined")
                        else "Drive the filter from its index bucket; never filter a date-ordered scan."
                    ),
                )
            )
    return rows
