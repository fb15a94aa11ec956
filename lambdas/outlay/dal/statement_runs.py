"""Statement import runs: one item per run in the user's partition, sk STMTRUN#<run id>.

The item holds the run, what the chunk workers need (mapping, kept lines, category) and a
`chunkResults` map with one entry per chunk: each worker SETs its own entry (a redelivered chunk
overwrites its earlier attempt, never adds to it) and readers sum them (`run_view`). Runs expire
after two years (`expiresAt`, the table's TTL attribute).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from outlay import tables
from outlay.dal.cursors import bad_cursor, decode_cursor, encode_cursor
from outlay.dal.table_base import TableAdapter
from outlay.models.statements import MAX_REPORTED, ChunkResult, StatementRun, StatementRunPage

RETENTION_SECONDS = 2 * 366 * 24 * 3600
_ser = TypeSerializer()
_de = TypeDeserializer()
_COUNTERS = tuple(name for name in ChunkResult.model_fields if name != "bad_rows")


def run_view(run: StatementRun, results: list[ChunkResult]) -> StatementRun:
    """The run with its finished chunks summed: rows done / total, counts, bad rows by line."""
    totals = {name: sum(getattr(r, name) for r in results) for name in _COUNTERS}
    bad_rows = sorted((b for r in results for b in r.bad_rows), key=lambda b: b.line)[:MAX_REPORTED]
    done = len(results)
    status = run.status
    if run.chunks and done >= run.chunks:
        status = "succeeded"
    elif done:
        status = "running"
    return run.model_copy(
        update={**totals, "bad_rows": bad_rows, "done": totals["rows"], "chunks_done": done, "status": status}
    )


class StatementRuns(TableAdapter):
    def _key(self, sub: str, run_id: str) -> dict[str, Any]:
        return {"pk": {"S": tables.user_pk(sub)}, "sk": {"S": tables.statement_run_sk(run_id)}}

    def start(self, sub: str, run: StatementRun, meta: dict[str, Any]) -> None:
        started = datetime.fromisoformat(run.started_at)
        data: dict[str, Any] = {
            "pk": tables.user_pk(sub),
            "sk": tables.statement_run_sk(run.run_id),
            "type": "STMTRUN",
            "run": run.model_dump_json(by_alias=True),
            "meta": json.dumps(meta),
            "chunkResults": {},
            "expiresAt": int(started.timestamp()) + RETENTION_SECONDS,
        }
        self.client.put_item(TableName=self.table_name, Item={k: _ser.serialize(v) for k, v in data.items()})

    def _item(self, sub: str, run_id: str) -> dict[str, Any] | None:
        item = self.client.get_item(
            TableName=self.table_name, Key=self._key(sub, run_id), ConsistentRead=True
        ).get("Item")
        return {k: _de.deserialize(v) for k, v in item.items()} if item else None

    def meta(self, sub: str, run_id: str) -> dict[str, Any] | None:
        item = self._item(sub, run_id)
        if item is None:
            return None
        run = StatementRun.model_validate_json(item["run"])
        meta: dict[str, Any] = json.loads(item["meta"])
        return {**meta, "uploadId": run.upload_id, "fileHash": run.file_hash}

    def record_chunk(self, sub: str, run_id: str, chunk: int, result: ChunkResult) -> None:
        self.client.update_item(
            TableName=self.table_name,
            Key=self._key(sub, run_id),
            UpdateExpression="SET chunkResults.#chunk = :result",
            ConditionExpression="attribute_exists(chunkResults)",
            ExpressionAttributeNames={"#chunk": str(chunk)},
            ExpressionAttributeValues={":result": {"S": result.model_dump_json(by_alias=True)}},
        )

    def get(self, sub: str, run_id: str) -> StatementRun | None:
        item = self._item(sub, run_id)
        return _view(item) if item else None

    def page(self, sub: str, limit: int, next_token: str | None) -> StatementRunPage:
        pk = tables.user_pk(sub)
        kwargs: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": {":pk": {"S": pk}, ":prefix": {"S": tables.STATEMENT_RUN_PREFIX}},
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if next_token:
            sk = decode_cursor(sub, next_token)
            if not sk.startswith(tables.STATEMENT_RUN_PREFIX):
                raise bad_cursor("malformed")
            kwargs["ExclusiveStartKey"] = {"pk": {"S": pk}, "sk": {"S": sk}}
        response = self.client.query(**kwargs)
        items = [_view({k: _de.deserialize(v) for k, v in i.items()}) for i in response.get("Items", [])]
        last = response.get("LastEvaluatedKey")
        return StatementRunPage(items=items, next=encode_cursor(sub, last["sk"]["S"]) if last else None)


def _view(item: dict[str, Any]) -> StatementRun:
    run = StatementRun.model_validate_json(item["run"])
    results = [ChunkResult.model_validate_json(v) for v in (item.get("chunkResults") or {}).values()]
    return run_view(run, results)
