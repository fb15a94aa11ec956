"""Import history: one item per run in the user's own partition of the expenses table.

Key: pk USER#<sub>, sk IMPORTRUN#<startedAt>#<runId>, so a descending query lists newest first; a
small RUNID#<runId> item points to it, so one run is found by its id (progress of a queued run).
A queued run (backfill) keeps each month's result in its `monthResults` map: every worker writes its
own month (SET monthResults.<month>, idempotent when SQS redelivers) and readers sum them
(`queued_run_view`). Runs expire after two years (`expiresAt`, the table's TTL attribute).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from outlay import tables
from outlay.dal.cursors import bad_cursor, decode_cursor, encode_cursor
from outlay.dal.table_base import TableAdapter
from outlay.logic.import_runner import queued_run_view
from outlay.models.cost_import import ImportRun

RETENTION_SECONDS = 2 * 366 * 24 * 3600
_ser = TypeSerializer()
_de = TypeDeserializer()
_KEY_FIELDS = ("pk", "sk", "expiresAt", "kind", "monthResults")
_PENDING = {"status": "pending"}


def _expires(run: ImportRun) -> int:
    started = datetime.fromisoformat(run.started_at.replace("Z", "+00:00"))
    return int(started.timestamp()) + RETENTION_SECONDS


def _run(item: dict[str, Any]) -> ImportRun:
    data = {k: _de.deserialize(v) for k, v in item.items()}
    run = ImportRun.model_validate({k: v for k, v in data.items() if k not in _KEY_FIELDS})
    if "monthResults" not in data:
        return run
    results = {
        month: ImportRun.model_validate(result)
        for month, result in data["monthResults"].items()
        if result.get("status") != "pending"
    }
    return queued_run_view(run, results)


class ImportRunsRepository(TableAdapter):
    def put(self, sub: str, run: ImportRun, **extra: Any) -> None:
        data = run.model_dump(mode="json", by_alias=True, exclude_none=True)
        sk = tables.import_run_sk(run.started_at, run.run_id)
        data.update(pk=tables.user_pk(sub), sk=sk, kind="importRun", expiresAt=_expires(run), **extra)
        self.client.put_item(TableName=self.table_name, Item={k: _ser.serialize(v) for k, v in data.items()})
        pointer: dict[str, Any] = {"pk": tables.user_pk(sub), "sk": tables.run_id_sk(run.run_id)}
        pointer.update(runSk=sk, expiresAt=_expires(run))
        self.client.put_item(
            TableName=self.table_name, Item={k: _ser.serialize(v) for k, v in pointer.items()}
        )
        if run.connection_id:
            pointer["sk"] = tables.connection_run_sk(run.connection_id, run.started_at, run.run_id)
            self.client.put_item(
                TableName=self.table_name, Item={k: _ser.serialize(v) for k, v in pointer.items()}
            )

    def start_queued(self, sub: str, run: ImportRun) -> None:
        """A queued run's item, every month pending."""
        self.put(sub, run, monthResults={month: dict(_PENDING) for month in run.months})

    def record_month(self, sub: str, started_at: str, run_id: str, month_run: ImportRun) -> None:
        """One month of a queued run, as the worker that imported it saw it (overwrites a retry's)."""
        [month] = month_run.months
        result = month_run.model_dump(mode="json", by_alias=True, exclude_none=True)
        self.client.update_item(
            TableName=self.table_name,
            Key={
                "pk": {"S": tables.user_pk(sub)},
                "sk": {"S": tables.import_run_sk(started_at, run_id)},
            },
            UpdateExpression="SET monthResults.#month = :result",
            ConditionExpression="attribute_exists(monthResults)",
            ExpressionAttributeNames={"#month": month},
            ExpressionAttributeValues={":result": _ser.serialize(result)},
        )

    def get(self, sub: str, run_id: str) -> ImportRun | None:
        key: dict[str, Any] = {"pk": {"S": tables.user_pk(sub)}, "sk": {"S": tables.run_id_sk(run_id)}}
        pointer = self.client.get_item(TableName=self.table_name, Key=key, ConsistentRead=True).get("Item")
        if not pointer:
            return None
        key["sk"] = pointer["runSk"]
        item = self.client.get_item(TableName=self.table_name, Key=key, ConsistentRead=True).get("Item")
        return _run(item) if item else None

    def page(
        self, sub: str, limit: int = 20, next_token: str | None = None
    ) -> tuple[list[ImportRun], str | None]:
        pk = tables.user_pk(sub)
        kwargs: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": {":pk": {"S": pk}, ":prefix": {"S": tables.IMPORT_RUN_PREFIX}},
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if next_token:
            kwargs["ExclusiveStartKey"] = {"pk": {"S": pk}, "sk": {"S": _start_sk(sub, next_token)}}
        response = self.client.query(**kwargs)
        runs = [_run(item) for item in response.get("Items", [])]
        last = response.get("LastEvaluatedKey")
        return runs, (encode_cursor(sub, last["sk"]["S"]) if last else None)

    def page_for_connection(
        self, sub: str, connection_id: str, limit: int = 20, next_token: str | None = None
    ) -> tuple[list[ImportRun], str | None]:
        """One connection's runs, newest first: a query of its CONNRUN pointers, then one batch read."""
        pk = tables.user_pk(sub)
        prefix = tables.connection_runs_prefix(connection_id)
        kwargs: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": {":pk": {"S": pk}, ":prefix": {"S": prefix}},
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if next_token:
            sk = decode_cursor(sub, next_token)
            if not sk.startswith(prefix):
                raise bad_cursor("malformed")
            kwargs["ExclusiveStartKey"] = {"pk": {"S": pk}, "sk": {"S": sk}}
        response = self.client.query(**kwargs)
        pointers = response.get("Items", [])
        runs: dict[str, ImportRun] = {}
        keys: list[Any] = [{"pk": {"S": pk}, "sk": p["runSk"]} for p in pointers]
        while keys:
            got = self.client.batch_get_item(
                RequestItems={self.table_name: {"Keys": keys, "ConsistentRead": True}}
            )
            for item in got.get("Responses", {}).get(self.table_name, []):
                runs[item["sk"]["S"]] = _run(item)
            unprocessed: dict[str, Any] = dict(got.get("UnprocessedKeys") or {})
            keys = list(unprocessed.get(self.table_name, {}).get("Keys", []))
        ordered = [runs[p["runSk"]["S"]] for p in pointers if p["runSk"]["S"] in runs]
        last = response.get("LastEvaluatedKey")
        return ordered, (encode_cursor(sub, last["sk"]["S"]) if last else None)

    def latest_for_connection(self, sub: str, connection_id: str) -> ImportRun | None:
        runs, _ = self.page_for_connection(sub, connection_id, limit=1)
        return runs[0] if runs else None

    def latest(self, sub: str) -> ImportRun | None:
        runs, _ = self.page(sub, limit=1)
        return runs[0] if runs else None

    def month_store(self, started_at: str, run_id: str) -> QueuedMonth:
        return QueuedMonth(self, started_at, run_id)


class QueuedMonth:
    """The run store of one month of a queued run: `run_import` records into the parent run."""

    def __init__(self, runs: ImportRunsRepository, started_at: str, run_id: str) -> None:
        self.runs, self.started_at, self.run_id = runs, started_at, run_id

    def put(self, sub: str, run: ImportRun) -> None:
        self.runs.record_month(sub, self.started_at, self.run_id, run)


def _start_sk(sub: str, token: str) -> str:
    """The sort key a `next` token stands for; it must be one of the caller's own import runs."""
    sk = decode_cursor(sub, token)
    if not sk.startswith(tables.IMPORT_RUN_PREFIX):
        raise bad_cursor("malformed")
    return sk
