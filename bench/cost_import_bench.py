"""A scheduled cost import over many simulated users, in-process on moto.

    .venv/bin/python -m bench.cost_import_bench [--users 1000]

prints one JSON object: {users, ce_calls_per_user_month, wall_seconds, duplicates_after_rerun, ...}.
`run(users)` returns the same dict for `make bench`.

Half the users connect an access key pair (moto's STS puts them all in its default account), half a
cross-account role, each in its own account with its own Cost Explorer answer (3-15 services plus
credits and tax). The measured path is the production one: dispatcher handler -> SQS -> worker
handler in batches of 10 (as the event source mapping delivers them, with partial batch responses),
then the same again to prove a re-run creates no duplicates. Cost Explorer calls are counted with a
botocore `before-call.ce` hook, per access key (= per user).

`--connections 3` (issue 16): each user also connects a second account (a role) and an AWS
Organizations management account with 5 member accounts (a role; moto Organizations, Cost Explorer
answers per LINKED_ACCOUNT). It reports Cost Explorer calls per connection-month (single account
and organization apart), the peak calls in any one second, and duplicates after a re-run.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import random
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from local.envelope_lambda import LOCAL_ENVELOPE_FUNCTION, InProcessLambda

# Runnable standalone (`python -m bench.cost_import_bench`): the Lambda package lives in lambdas/.
_LAMBDAS = str(Path(__file__).resolve().parent.parent / "lambdas")
if _LAMBDAS not in sys.path:
    sys.path.insert(0, _LAMBDAS)

REGION = "us-east-1"
NOW = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)  # the 1st-of-month schedule: imports 2026-10
MONTH = "2026-10"
SERVICES = (
    "Amazon Simple Storage Service",
    "AWS Lambda",
    "Amazon Elastic Compute Cloud - Compute",
    "Amazon DynamoDB",
    "Amazon CloudFront",
    "Amazon Relational Database Service",
    "Amazon Simple Queue Service",
    "AWS Key Management Service",
    "Amazon API Gateway",
    "Amazon CloudWatch",
    "AWS Glue",
    "Amazon Athena",
    "Amazon Route 53",
    "AWS Secrets Manager",
    "Amazon Cognito",
)


def _env() -> None:
    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "POWERTOOLS_TRACE_DISABLED": "true",
            "POWERTOOLS_LOG_LEVEL": "ERROR",
            "POWERTOOLS_METRICS_NAMESPACE": "Outlay",
        }
    )
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_SESSION_TOKEN"):
        os.environ.pop(name, None)


def _ce_answer(rng: random.Random) -> dict[str, Any]:
    groups = []
    for service in rng.sample(SERVICES, rng.randint(3, 15)):
        amount = f"{rng.uniform(0.001, 400):.6f}"
        groups.append(
            {
                "Keys": [service, "Usage"],
                "Metrics": {
                    "UnblendedCost": {"Amount": amount, "Unit": "USD"},
                    "AmortizedCost": {"Amount": amount, "Unit": "USD"},
                },
            }
        )
    for record, amount in (("Credit", f"-{rng.uniform(1, 20):.2f}"), ("Tax", f"{rng.uniform(1, 30):.2f}")):
        groups.append(
            {
                "Keys": ["Tax" if record == "Tax" else "AWS Lambda", record],
                "Metrics": {
                    "UnblendedCost": {"Amount": amount, "Unit": "USD"},
                    "AmortizedCost": {"Amount": amount, "Unit": "USD"},
                },
            }
        )
    return {
        "ResultsByTime": [
            {"TimePeriod": {"Start": "2026-10-01", "End": "2026-11-01"}, "Groups": groups, "Estimated": True}
        ],
        "DimensionValueAttributes": [],
    }


LINKED_PER_ORG = 5


def _org_answers(rng: random.Random, accounts: list[str]) -> list[dict[str, Any]]:
    """The two answers of an organization's month, in the order the import asks: usage by
    LINKED_ACCOUNT x SERVICE, then the other record types by LINKED_ACCOUNT x RECORD_TYPE."""

    def group(keys: list[str], amount: str) -> dict[str, Any]:
        metric = {"Amount": amount, "Unit": "USD"}
        return {"Keys": keys, "Metrics": {"UnblendedCost": metric, "AmortizedCost": metric}}

    usage = [
        group([account, service], f"{rng.uniform(0.01, 300):.6f}")
        for account in accounts
        for service in rng.sample(SERVICES, rng.randint(2, 6))
    ]
    records = [group([account, "Tax"], f"{rng.uniform(1, 30):.2f}") for account in accounts]
    records.append(group([accounts[1], "Credit"], f"-{rng.uniform(1, 20):.2f}"))
    period = {"Start": "2026-10-01", "End": "2026-11-01"}
    return [
        {"ResultsByTime": [{"TimePeriod": period, "Groups": groups, "Estimated": True}]}
        for groups in (usage, records)
    ]


def _client_in(sts: Any, account: str, service: str) -> Any:
    """A boto3 client acting in `account` (moto: through an assumed role of that account)."""
    import boto3

    creds = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/Bench", RoleSessionName="bench")[
        "Credentials"
    ]
    return boto3.client(
        service,
        region_name=REGION,
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )


def _organization(sts: Any, management: str, linked: list[str]) -> None:
    """An organization in moto managed by `management` (created with that account's credentials)."""
    org = _client_in(sts, management, "organizations")
    org.create_organization(FeatureSet="ALL")
    for index, _ in enumerate(linked):
        org.create_account(Email=f"m{index}@example.com", AccountName=f"Member {index}")


def _access_key_in(sts: Any, account: str) -> dict[str, str]:
    """A new IAM user's access key pair in `account` (moto: the key belongs to that account)."""
    iam = _client_in(sts, account, "iam")
    iam.create_user(UserName="outlay-bench")
    key = iam.create_access_key(UserName="outlay-bench")["AccessKey"]
    return {"accessKeyId": key["AccessKeyId"], "secretAccessKey": key["SecretAccessKey"]}


def _peak_per_second(stamps: list[float]) -> int:
    """The most calls that fell in any one-second window."""
    stamps = sorted(stamps)
    peak = start = 0
    for end, stamp in enumerate(stamps):
        while stamp - stamps[start] >= 1.0:
            start += 1
        peak = max(peak, end - start + 1)
    return peak


def _partition_snapshots_for_moto_transactions() -> None:
    """moto snapshots every table a TransactWriteItems touches with copy.deepcopy, once per item in
    the transaction: O(table size) per write, so at 1,000 users the bench would time moto's copying
    (minutes), not Outlay. This keeps moto's all-or-nothing rollback by snapshotting only the
    partitions the transaction touches (a user's ~20 items) and restoring them on failure."""
    import copy as std_copy

    from moto.dynamodb import models as ddb_models
    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.dynamodb.models.table import Table

    if getattr(ddb_models.DynamoDBBackend, "_outlay_bench_patched", False):
        return

    class _TablesAreNotCopied:
        @staticmethod
        def deepcopy(obj: Any, memo: Any = None) -> Any:
            return obj if isinstance(obj, Table) else std_copy.deepcopy(obj, memo)

    original = ddb_models.DynamoDBBackend.transact_write_items

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        snapshots = []
        for entry in transact_items:
            _, op = next(iter(entry.items()))
            table = self.tables.get(op.get("TableName"))
            key = op.get("Item") or op.get("Key") or {}
            if table is None or table.hash_key_attr not in key:
                continue
            hash_value = DynamoType(key[table.hash_key_attr])
            had = hash_value in table.items
            snapshots.append(
                (table, hash_value, had, std_copy.deepcopy(table.items[hash_value]) if had else None)
            )
        try:
            original(self, transact_items)
        except Exception:
            for table, hash_value, had, snapshot in reversed(snapshots):
                if had:
                    table.items[hash_value] = snapshot
                else:
                    table.items.pop(hash_value, None)
            raise

    ddb_models.copy = _TablesAreNotCopied  # type: ignore[attr-defined]
    ddb_models.DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
    ddb_models.DynamoDBBackend._outlay_bench_patched = True  # type: ignore[attr-defined]


def _moto_reads_one_partition() -> None:
    """Two moto costs that grow with the whole world, not with the request, so at 1,000 users they
    would be most of the bench (measured: cProfile of a 3-user run, 48 byDate queries = 15.7 s):

    - a Query on the table or a local secondary index walks and sorts every item of the table
      (`all_items()`); both are keyed by the table's partition key, so only that partition can
      match: it walks that one;
    - every request finds its caller's account by scanning the access keys of every account moto
      has seen (`get_account_id_from`); a key's account never changes, so it is remembered."""
    from moto.dynamodb.models.table import Table
    from moto.iam import models as iam_models

    if getattr(Table.query, "_outlay_bench_partition", False):
        return
    original_query = Table.query

    def query(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = args[6] if len(args) > 6 else kwargs.get("index_name")
        conditions = kwargs.get("hash_key_conditions") or []
        local = not index_name or any(i.name == index_name for i in self.indexes or [])
        if local and self.range_key_attr:
            value = hash_key
            if len(conditions) == 1 and conditions[0][0] == self.hash_key_attr:
                value = conditions[0][1]
            if value is not None:
                partition = list(self.items.get(value, {}).values())
                self.all_items = lambda: partition  # this call only; the instance attribute goes below
                try:
                    return original_query(self, hash_key, *args, **kwargs)
                finally:
                    del self.all_items
        return original_query(self, hash_key, *args, **kwargs)

    query._outlay_bench_partition = True  # type: ignore[attr-defined]
    Table.query = query  # type: ignore[method-assign]

    original_account = iam_models.get_account_id_from
    # moto finds a key's account by scanning every account's IAM backend, on every request: with
    # thousands of accounts that was 81% of the 1,000-user run, growing with each user. A key's
    # account never changes, so each is looked up once. The service's own key (the environment's)
    # and moto's stand-in for an unsigned request are no account's: they answer the default at once.
    known: dict[str, str] = dict.fromkeys(
        (os.environ["AWS_ACCESS_KEY_ID"], "AKIAEXAMPLE"), iam_models.DEFAULT_ACCOUNT_ID
    )

    def get_account_id_from(access_key: str) -> str:
        if access_key not in known:
            account = original_account(access_key)
            if account == iam_models.DEFAULT_ACCOUNT_ID:
                return account  # not (yet) a key of any account: ask again next time
            known[access_key] = account
        return known[access_key]

    iam_models.get_account_id_from = get_account_id_from


def _moto_items_sized_once() -> None:
    """moto builds each stored item attribute by attribute, re-summing the size of every attribute
    already set before each one (its 400 KB check): quadratic in the attributes, ~2 ms of every
    put of an expense item (~25 attributes with the AWS metadata). The same check on the finished
    item, once: attributes only add size, so it refuses exactly the items moto refuses."""
    from moto.dynamodb.exceptions import ItemSizeTooLarge
    from moto.dynamodb.models import dynamo_type
    from moto.dynamodb.models.utilities import bytesize

    if getattr(dynamo_type.Item.__init__, "_outlay_bench_sized", False):
        return

    def __init__(self: Any, hash_key: Any, range_key: Any, attrs: dict[str, Any]) -> None:
        self.hash_key = hash_key
        self.range_key = range_key
        converted = {key: dynamo_type.DynamoType(value) for key, value in attrs.items()}
        if sum(bytesize(key) + value.size() for key, value in converted.items()) > 405000:
            raise ItemSizeTooLarge
        self.attrs = dynamo_type.LimitedSizeDict(converted)  # its update() skips the per-key sum

    __init__._outlay_bench_sized = True  # type: ignore[attr-defined]
    dynamo_type.Item.__init__ = __init__  # type: ignore[method-assign]


# Item reads and writes: their moto results are already DynamoDB's wire JSON (attribute values).
_WIRE_JSON_OPERATIONS = frozenset(
    {
        "GetItem",
        "Query",
        "Scan",
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "TransactWriteItems",
        "BatchWriteItem",
    }
)


def _moto_dynamodb_answers_as_json() -> None:
    """moto walks every DynamoDB response through botocore's shape model, member by member (each
    attribute value tries all ten of S/N/M/L/...): measured 4-15 ms per expense item read, 42 s of a
    3-user run's 80 s import. For item operations its result is already the wire JSON, so it is
    written with json.dumps as moto did before its shape serializer (anything else, errors
    included, still goes through moto's serializer). Outlay's requests and their answers are the
    same; only moto's formatting time goes."""
    from moto.core.responses import ActionResult

    if getattr(ActionResult.execute_result, "_outlay_bench_json", False):
        return
    original = ActionResult.execute_result

    def execute_result(self: Any, context: Any) -> Any:
        if (
            context.service_model.service_name == "dynamodb"
            and context.operation_model.name in _WIRE_JSON_OPERATIONS
            and isinstance(self.result, dict)
        ):
            try:
                body = json.dumps(self.result)
            except TypeError:
                return original(self, context)
            return 200, {"Content-Type": "application/x-amz-json-1.0"}, body
        return original(self, context)

    execute_result._outlay_bench_json = True  # type: ignore[attr-defined]
    ActionResult.execute_result = execute_result  # type: ignore[method-assign]


def run(users: int = 1_000, seed: int = 7, connections: int = 1) -> dict[str, Any]:
    _env()
    if connections >= 3:
        # An organization's ~30 lines per user make per-partition snapshots O(partition) per write;
        # the local runtime's undo log (moto_extras) keeps moto's rollback at O(items written).
        from local import moto_extras

        moto_extras.install()
    else:
        _partition_snapshots_for_moto_transactions()
    _moto_reads_one_partition()
    _moto_dynamodb_answers_as_json()
    _moto_items_sized_once()
    import boto3
    from moto import mock_aws
    from moto.iam import models as iam_models
    from moto.moto_api._internal.models import moto_api_backend
    from outlay import tables
    from outlay.dal.aws_sessions import AwsSessions
    from outlay.dal.wiring import build_costs_service, build_insights_service
    from outlay.handlers import cost_import_dispatcher, cost_import_worker
    from outlay.models.connections import CreateConnectionRequest
    from outlay.models.credentials import SaveCredentialsRequest
    from outlay.models.settings import load

    from local.provision import table_definition

    rng = random.Random(seed)
    load.cache_clear()
    with mock_aws():
        ddb = boto3.client("dynamodb", region_name=REGION)
        ddb.create_table(**{**table_definition(tables.EXPENSES_TABLE), "TableName": "bench-expenses"})
        ddb.create_table(**{**table_definition(tables.CREDENTIALS_TABLE), "TableName": "bench-credentials"})
        kms = boto3.client("kms", region_name=REGION)
        key_id = kms.create_key()["KeyMetadata"]["KeyId"]
        sqs = boto3.client("sqs", region_name=REGION)
        queue_url = sqs.create_queue(QueueName="bench-imports", Attributes={"VisibilityTimeout": "0"})[
            "QueueUrl"
        ]

        sessions = AwsSessions()
        sts = boto3.client("sts", region_name=REGION)
        calls: Counter[str] = Counter()
        org_calls: list[int] = [0]
        stamps: list[float] = []
        stamps_by_account: dict[str, list[float]] = {}

        def count_ce(request_signer: Any = None, params: Any = None, **_: Any) -> None:
            creds = request_signer._credentials if request_signer is not None else None
            key = creds.access_key if creds else "?"
            calls[key] += 1
            now = time.perf_counter()
            stamps.append(now)
            # The account moto bills the call to: the caller's own (a role's account, a key's owner).
            stamps_by_account.setdefault(iam_models.get_account_id_from(key), []).append(now)
            if "LINKED_ACCOUNT" in json.dumps((params or {}).get("body", params) or {}, default=str):
                org_calls[0] += 1

        sessions.session.events.register("before-call.ce", count_ce)
        service = build_costs_service(
            credentials_table="bench-credentials",
            expenses_table="bench-expenses",
            receipts_bucket="bench-receipts",
            envelope_function=LOCAL_ENVELOPE_FUNCTION,
            queue_url=queue_url,
            service_account_id="999988887777",
            dynamodb_client=ddb,
            lambda_client=InProcessLambda.for_key(key_id, kms),
            sqs_client=sqs,
            sessions=sessions,
            clock=lambda: NOW,
        )

        # --- setup (not timed): connect every user, queue each account's bill
        default_answer = _ce_answer(rng)
        moto_api_backend.set_ce_cost_usage(result=default_answer, account_id="123456789012")
        for i in range(users):
            sub = f"bench-{i:05d}"
            if i % 2 == 0 and connections >= 3:
                # A key pair of an IAM user in the user's own account: its calls are that account's.
                account = f"{600000000000 + i}"
                key = _access_key_in(sts, account)
                moto_api_backend.set_ce_cost_usage(result=_ce_answer(rng), account_id=account)
                body = {"type": "keys", **key}
            elif i % 2 == 0:
                body = {
                    "type": "keys",
                    "accessKeyId": f"AKIABENCH{i:011d}",
                    "secretAccessKey": f"bench-secret-{i:027d}",
                }
            else:
                account = f"{200000000000 + i}"
                moto_api_backend.set_ce_cost_usage(result=_ce_answer(rng), account_id=account)
                body = {"type": "role", "roleArn": f"arn:aws:iam::{account}:role/OutlayCostExplorerReadOnly"}
            service.save(sub, SaveCredentialsRequest.model_validate(body))
            if connections >= 3:
                second = f"{300000000000 + i}"
                moto_api_backend.set_ce_cost_usage(result=_ce_answer(rng), account_id=second)
                arn = f"arn:aws:iam::{second}:role/OutlayCostExplorerReadOnly"
                service.connections.create(
                    sub, CreateConnectionRequest.model_validate({"type": "role", "roleArn": arn})
                )
                management = f"{400000000000 + i}"
                _organization(sts, management, [""] * LINKED_PER_ORG)
                org_accounts = [management, *(f"{5000000 + i:07d}{k:05d}" for k in range(LINKED_PER_ORG))]
                for answer in _org_answers(rng, org_accounts):
                    moto_api_backend.set_ce_cost_usage(result=answer, account_id=management)
                arn = f"arn:aws:iam::{management}:role/OutlayCostExplorerReadOnly"
                service.connections.create(
                    sub, CreateConnectionRequest.model_validate({"type": "role", "roleArn": arn})
                )
        calls.clear()
        stamps.clear()
        stamps_by_account.clear()

        cost_import_dispatcher.service.use(service)
        cost_import_worker.service.use(service)
        # The worker's opt-in insights summary after a monthly import (no bench user opted in).
        cost_import_worker.insights.use(
            build_insights_service(
                credentials_table="bench-credentials",
                expenses_table="bench-expenses",
                envelope_function=LOCAL_ENVELOPE_FUNCTION,
                dynamodb_client=ddb,
                lambda_client=InProcessLambda.for_key(key_id, kms),
                sessions=sessions,
                clock=lambda: NOW,
            )
        )

        def scheduled_run() -> dict[str, int]:
            dispatched = cost_import_dispatcher.handler({"kind": "monthly"}, _Context())
            processed = retried = 0
            while True:
                got = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
                if not got:
                    break
                event = {"Records": [_record(m) for m in got]}
                result = cost_import_worker.handler(event, _Context())
                failed = {f["itemIdentifier"] for f in result["batchItemFailures"]}
                retried += len(failed)
                for m in got:
                    if m["MessageId"] not in failed:
                        sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=m["ReceiptHandle"])
                        processed += 1
                if processed % 100 < len(got):
                    print(
                        f"[cost-import bench] {processed}/{users * connections} connections imported",
                        file=sys.stderr,
                        flush=True,
                    )
            return {"queued": dispatched["queued"], "processed": processed, "retried": retried}

        sink = io.StringIO()
        with contextlib.redirect_stdout(sink):  # EMF metrics lines
            started = time.perf_counter()
            first = scheduled_run()
            wall = time.perf_counter() - started
            first_calls = dict(calls)
            first_org_calls = org_calls[0]
            first_peak = _peak_per_second(stamps)
            first_peak_per_account = max((_peak_per_second(s) for s in stamps_by_account.values()), default=0)
            calling_accounts = len(stamps_by_account)
            items_after_first = _expense_items(ddb, users)
            calls.clear()
            stamps.clear()
            stamps_by_account.clear()
            started = time.perf_counter()
            second = scheduled_run()
            rerun_wall = time.perf_counter() - started
            items_after_second = _expense_items(ddb, users)

        per_user = list(first_calls.values())
        keys_seen = Counter((pk, vendor, date, account) for pk, vendor, date, account in items_after_second)
        duplicates = sum(n - 1 for n in keys_seen.values() if n > 1)
        organizations = users if connections >= 3 else 0
        single = users * min(connections, 2)
        return {
            "connections_per_user": connections,
            "ce_calls_per_single_account_month": round((sum(per_user) - first_org_calls) / max(single, 1), 3),
            "ce_calls_per_organization_month": round(first_org_calls / organizations, 3)
            if organizations
            else None,
            "ce_peak_calls_per_second": first_peak,
            "ce_peak_calls_per_second_per_account": first_peak_per_account,
            "ce_calling_accounts": calling_accounts,
            "users": users,
            "months_per_user": 1,
            "ce_calls_per_user_month": round(sum(per_user) / max(len(per_user), 1), 3),
            "ce_calls_max_per_user_month": max(per_user, default=0),
            "ce_calls_total": sum(per_user),
            "users_with_ce_calls": len(per_user),
            "wall_seconds": round(wall, 2),
            "ms_per_user": round(1000 * wall / max(users, 1), 1),
            "rerun_wall_seconds": round(rerun_wall, 2),
            "expenses_after_first_run": len(items_after_first),
            "expenses_after_rerun": len(items_after_second),
            "duplicates_after_rerun": duplicates,
            "first_run": first,
            "rerun": second,
        }


class _Context:
    function_name = "cost-import-worker"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench"
    aws_request_id = "bench"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 900_000


def _record(message: dict[str, Any]) -> dict[str, Any]:
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": {"ApproximateReceiveCount": "1"},
        "messageAttributes": {},
        "md5OfBody": message.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:bench-imports",
        "awsRegion": REGION,
    }


def _expense_items(ddb: Any, users: int) -> list[tuple[str, str, str, str]]:
    """Every user's expense items, one Query per user (moto pages a Scan by walking the whole table
    again for each page: quadratic at 1,000 users)."""
    from outlay import tables

    out = []
    for i in range(users):
        kwargs: dict[str, Any] = {
            "TableName": "bench-expenses",
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :expense)",
            "ProjectionExpression": "pk, sk, vendor, #d, aws.accountId",
            "ExpressionAttributeNames": {"#d": "date"},
            "ExpressionAttributeValues": {
                ":pk": {"S": tables.user_pk(f"bench-{i:05d}")},
                ":expense": {"S": "EXPENSE#"},
            },
        }
        while True:
            page = ddb.query(**kwargs)
            for item in page["Items"]:
                account = item.get("aws", {}).get("M", {}).get("accountId", {}).get("S", "")
                out.append((item["pk"]["S"], item["vendor"]["S"], item["date"]["S"], account))
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    return out


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cost_import_bench")
    parser.add_argument("--users", type=int, default=1_000)
    parser.add_argument("--connections", type=int, choices=(1, 3), default=1)
    args = parser.parse_args()
    result = run(args.users, connections=args.connections)
    print(json.dumps(result))
    return 0 if result["duplicates_after_rerun"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
