"""Lambda cold start: each handler's INIT (importing its module) and its first request, in fresh interpreters.

Each function runs from its Lambda asset as Lambda loads it: the real bundler's output (built for this
machine's Python and platform, so it can run here), nothing written at import (PYTHONDONTWRITEBYTECODE,
as /var/task is read-only), boto3 from outside the asset (the runtime's). The import row also shows
the same asset without bytecode, which is what Lambda compiled on every cold start before the assets
carried it.

Two figures per function, each next to a floor from the same run:
- import of the handler module vs `import boto3` (what any Python Lambda that talks to AWS pays);
- import + first invocation (a real event against moto's server: the route's models, the adapters,
  boto3 and its client) vs `import boto3` + one DynamoDB GetItem against the same server, so INIT
  work moved to the first request still shows.
Figures are CPU seconds of the child (see bench.common.cpu_python). Find what an import costs with
`python -X importtime -c "import outlay.handlers.<name>"`.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from outlay import tables
from outlay.dal.expense_items import expense_to_item, serialize
from outlay.routes import EVENT_FUNCTIONS, HTTP_FUNCTIONS

from bench.common import Row, cpu_once, cpu_paired, median_of
from bench.world import SUB, World, api_event, demo_expenses, moto_world, seed
from local.provision import table_definition
from stacks.constructs.local_bundling import CORE_ASSET, ENVELOPE_ASSET, for_this_machine
from stacks.constructs.python_function import NO_PYDANTIC_PLUGINS

TARGET = 1.5
CREDENTIALS_TABLE = "bench-credentials"
RATES_TABLE = "bench-rates"
LAKE_BUCKET = "bench-lake"
KMS_ALIAS = "alias/bench"
UNREADABLE = "The stored AWS credentials could not be decrypted; please save them again"

FLOOR_CALL = """
import sys, boto3
done = boto3.client("dynamodb").get_item(TableName=sys.argv[1], Key={"pk": {"S": "x"}, "sk": {"S": "y"}})
assert done["ResponseMetadata"]["HTTPStatusCode"] == 200
print("ok")
"""

# Enough of Lambda's context object for Powertools' logger and metrics.
INVOKE = """
import json, sys, types
event = json.loads(sys.argv[1])
context = types.SimpleNamespace(
    function_name="bench", memory_limit_in_mb=512, function_version="$LATEST", aws_request_id="bench",
    invoked_function_arn="arn:aws:lambda:us-east-1:123456789012:function:bench",
    log_group_name="/aws/lambda/bench", log_stream_name="bench", get_remaining_time_in_millis=lambda: 29000)
from {module} import handler
result = handler(event, context)
expected = json.loads(sys.argv[2])
assert all(result.get(k) == v for k, v in expected.items()), result
print("ok")
"""


# HTTPS through a proxy nobody listens on: the rates function's download fails at once ("unreachable")
# instead of timing ECB's servers from this machine; moto is plain HTTP, so nothing else goes through it.
FX_ENV = {"HTTPS_PROXY": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9"}


def _sqs_event(body: dict[str, Any]) -> dict[str, Any]:
    return {
        "Records": [
            {
                "messageId": "bench-1",
                "receiptHandle": "bench",
                "body": json.dumps(body),
                "attributes": {"ApproximateReceiveCount": "1"},
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:bench-imports",
                "awsRegion": "us-east-1",
            }
        ]
    }


def _stream_event() -> dict[str, Any]:
    image = serialize(expense_to_item(SUB, demo_expenses(1)[0], 1))
    return {"Records": [{"eventName": "INSERT", "dynamodb": {"SequenceNumber": "1", "NewImage": image}}]}


STATEMENT_CSV = "Date;Amount;Payee;Memo\n31.12.2026;-3,50;Bäckerei;Brot\n"


def _committed_statement(world: World) -> dict[str, Any]:
    """Upload and commit a one-row statement as the API would; its chunk message is the worker's
    first request (re-running it is harmless: the upsert under the row's id is idempotent)."""
    from outlay.dal.wiring import build_statements_service
    from outlay.models.statements import CommitRequest

    sqs, s3 = world.client("sqs"), world.client("s3")
    queue_url = sqs.create_queue(QueueName="bench-statements")["QueueUrl"]
    service = build_statements_service(
        expenses_table=world.table,
        receipts_bucket=world.bucket,
        queue_url=queue_url,
        dynamodb_client=world.client("dynamodb"),
        s3_client=s3,
        sqs_client=sqs,
    )
    upload_id = service.start_upload(SUB).upload_id
    s3.put_object(Bucket=world.bucket, Key=tables.statement_key(SUB, upload_id), Body=STATEMENT_CSV.encode())
    mapping = service.analyze(SUB, upload_id, None).mapping
    service.commit(SUB, upload_id, CommitRequest(mapping=mapping))
    message = sqs.receive_message(QueueUrl=queue_url)["Messages"][0]
    return _sqs_event(json.loads(message["Body"]))


# function -> (event of its first request, what its result must contain). Each is the function's
# cheapest real request: the HTTP ones read one resource, the event ones find nothing to do.
FIRST_REQUESTS: dict[str, Callable[[], tuple[dict[str, Any], dict[str, Any]]]] = {
    "expenses": lambda: (api_event("GET", f"/expenses/{demo_expenses(1)[0].id}"), {"statusCode": 200}),
    "costs": lambda: (api_event("GET", "/aws-credentials"), {"statusCode": 200}),
    "account": lambda: (api_event("GET", "/account"), {"statusCode": 200}),
    "statements": lambda: (api_event("GET", "/imports/statements/runs"), {"statusCode": 200}),
    "recurring_runner": lambda: ({}, {"failed": 0}),
    # Everything but ECB's download: the bench never reaches the internet (see FX_ENV).
    "fx_rates": lambda: ({}, {"status": "unreachable", "stored": 0}),
    "cost_import_dispatcher": lambda: ({"kind": "monthly"}, {"users": 0, "failed": 0}),
    "cost_import_worker": lambda: (
        _sqs_event({"userId": "nobody", "months": ["2026-10"]}),
        {"batchItemFailures": []},
    ),
    "lake_writer": lambda: (_stream_event(), {"batchItemFailures": []}),
    # Opening an envelope KMS refuses: the KMS client and one Decrypt, answered as the caller expects.
    "envelope": lambda: (
        {
            "op": "open",
            "sub": SUB,
            "envelope": {"ciphertext": "YQ==", "nonce": "YQ==", "encryptedDataKey": "YQ=="},
        },
        {"error": {"code": "StoredSecretUnreadable", "message": UNREADABLE}},
    ),
}


def _function_env(world: World) -> dict[str, str]:
    return world.env() | {
        "CREDENTIALS_TABLE": CREDENTIALS_TABLE,
        "KMS_KEY_ID": KMS_ALIAS,  # the envelope function's
        "ENVELOPE_FUNCTION": "bench-envelope",  # its callers' (no first request here invokes it)
        "IMPORT_QUEUE_URL": f"{world.endpoint}/123456789012/bench-imports",
        "LAKE_BUCKET": LAKE_BUCKET,
        "RATES_TABLE": RATES_TABLE,
        "USER_POOL_ID": "us-east-1_bench",
        "STATEMENT_QUEUE_URL": f"{world.endpoint}/123456789012/bench-statements",
        **FX_ENV,
        "POWERTOOLS_METRICS_NAMESPACE": "Outlay",
        **NO_PYDANTIC_PLUGINS,  # as OutlayFunction sets it on every function
    }


def _row(what: str, seconds: float, floor: float, floor_name: str, fix: str) -> Row:
    ratio = seconds / floor
    return Row(
        what=what,
        figure=f"{seconds * 1000:.0f} ms CPU",
        floor=f"{floor * 1000:.0f} ms ({floor_name})",
        ratio=ratio,
        target=f"≤ {TARGET}x",
        met=ratio <= TARGET,
        fix=fix,
    )


ENVELOPE_FUNCTION = "envelope"  # the one function on ENVELOPE_ASSET (OutlayFunction's `envelope`)


def build_assets(out: Path, *, bytecode: bool) -> dict[str, Path]:
    """Both Lambda assets, from the real bundler, for this machine's Python and platform."""
    assets = {}
    for key, spec in (("core", CORE_ASSET), ("envelope", ENVELOPE_ASSET)):
        target = out / f"{key}-{'bytecode' if bytecode else 'source'}"
        target.mkdir(parents=True)
        if not for_this_machine(spec, bytecode=bytecode).try_bundle(str(target)):
            raise RuntimeError(f"bundling the {key} asset failed")
        assets[key] = target
    return assets


def _from_asset(run_env: dict[str, str], asset: Path) -> dict[str, str]:
    # The asset first, as on Lambda; boto3 then comes from this venv (the runtime's stand-in).
    return run_env | {"PYTHONPATH": str(asset), "PYTHONDONTWRITEBYTECODE": "1"}


def measure(runs: int = 7) -> list[Row]:
    functions = {**HTTP_FUNCTIONS, **EVENT_FUNCTIONS}
    rows = []
    with tempfile.TemporaryDirectory() as tmp, moto_world() as world:
        with_bytecode = build_assets(Path(tmp), bytecode=True)
        source_only = build_assets(Path(tmp), bytecode=False)
        seed(world, 1)
        world.client("dynamodb").create_table(
            **(table_definition(tables.CREDENTIALS_TABLE) | {"TableName": CREDENTIALS_TABLE})
        )
        world.client("dynamodb").create_table(
            **(table_definition(tables.RATES_TABLE) | {"TableName": RATES_TABLE})
        )
        world.client("s3").create_bucket(Bucket=LAKE_BUCKET)
        kms = world.client("kms")
        kms.create_alias(AliasName=KMS_ALIAS, TargetKeyId=kms.create_key()["KeyMetadata"]["KeyId"])
        run_env = _function_env(world)
        chunk = _committed_statement(world)
        first_requests = FIRST_REQUESTS | {
            "statement_import_worker": lambda: (chunk, {"batchItemFailures": []}),
        }
        missing = set(functions) - set(first_requests)
        if missing:
            raise RuntimeError(f"no first request defined for {sorted(missing)}")

        def floor_import() -> float:
            return cpu_once("import boto3; print('ok')", run_env=run_env)

        def floor_call() -> float:
            return cpu_once(FLOOR_CALL, args=(world.table,), run_env=run_env)

        for name, entry in functions.items():
            module = entry.rsplit(".", 1)[0]
            asset = "envelope" if name == ENVELOPE_FUNCTION else "core"
            fn_env = _from_asset(run_env, with_bytecode[asset])
            before_env = _from_asset(run_env, source_only[asset])
            event, expected = first_requests[name]()
            invoke_args = (json.dumps(event), json.dumps(expected))
            imported, boto3_alone = cpu_paired(
                lambda m=module, e=fn_env: cpu_once(f"import {m}; print('ok')", run_env=e), floor_import, runs
            )
            uncompiled = median_of(
                lambda m=module, e=before_env: cpu_once(f"import {m}; print('ok')", run_env=e), runs
            )
            row = _row(
                f"Cold import of `{name}` handler vs `import boto3`",
                imported,
                boto3_alone,
                "import boto3",
                "Import only what every request needs at module level; route models and adapters "
                "on first use (python -X importtime shows the largest items).",
            )
            row.figure += f" ({uncompiled * 1000:.0f} ms from the asset without bytecode, as before)"
            rows.append(row)
            seconds, floor = cpu_paired(
                lambda m=module, a=invoke_args, e=fn_env: cpu_once(
                    INVOKE.replace("{module}", m), args=a, run_env=e
                ),
                floor_call,
                runs,
            )
            fix = ""
            if seconds / floor > TARGET:
                both = median_of(
                    lambda m=module, e=fn_env: cpu_once(f"import {m}, boto3; print('ok')", run_env=e), runs
                )
                fix = _first_request_split(seconds, imported, both, boto3_alone, floor)
            rows.append(
                _row(
                    f"Import + first request of `{name}` vs boto3 + one DynamoDB call (moto)",
                    seconds,
                    floor,
                    "import boto3 + GetItem",
                    fix,
                )
            )
    return rows


# What the split above is made of, from instruction counts (valgrind --tool=cachegrind: deterministic,
# where CPU time on a shared machine is not) of the expenses function's first request.
INSIDE = (
    "In instructions (expenses, measured before the assets carried bytecode: 2,226 M vs the floor's "
    "1,058 M = import boto3 703 + client and GetItem 355): Python start 40, Powertools Logger + Metrics "
    "194, Powertools event_handler 212 (its __init__ imports every resolver: AppSync, Bedrock, asyncio), "
    "pydantic 211, outlay's handler, models and services 647 (about 205 of it compiling their source, "
    "which the asset's bytecode now saves), boto3 on top 386, the invocation 536 (the floor's 355 + "
    "outlay's data-access modules). Next lever: Powertools' REST resolver without its package __init__."
)


def _first_request_split(first: float, imported: float, both: float, boto3_alone: float, floor: float) -> str:
    """The first request's CPU split into what the floor also pays and what it does not (ms)."""
    ms = 1000
    return (
        f"{first * ms:.0f} ms = the handler's import {imported * ms:.0f} + boto3 on top of it "
        f"{(both - imported) * ms:.0f} + the invocation {(first - both) * ms:.0f} (clients, calls, the "
        f"route's own modules and models); the floor = import boto3 {boto3_alone * ms:.0f} + client and "
        f"GetItem {(floor - boto3_alone) * ms:.0f}. {INSIDE}"
    )
