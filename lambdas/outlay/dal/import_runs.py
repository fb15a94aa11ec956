"""Import history: one item per run in the user's own partition of the expenses table.

Key: pk USER#<sub>, sk IMPORTRUN#<startedAt>#<runId>, so a descending query lists newest first.
Runs expire after two years (`expiresAt`, the table's TTL attribute).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from outlay import tables
from outlay.dal.cursors import bad_cursor, decode_cursor, encode_cursor
from outlay.dal.table_base import TableAdapter
from outlay.models.cost_import import ImportRun

RETENTION_SECONDS = 2 * 366 * 24 * 3600
_ser = TypeSerializer()
_de = TypeDeserializer()
_KEY_FIELDS = ("pk", "sk", "expiresAt", "kind")


class ImportRunsRepository(TableAdapter):
    def put(self, sub: str, run: ImportRun) -> None:
        data = run.model_dump(mode="json", by_alias=True, exclude_none=True)
        started = datetime.fromisoformat(run.started_at.replace("Z", "+00:00"))
        data.update(
            pk=tables.user_pk(sub),
            sk=tables.import_run_sk(run.started_at, run.run_id),
            kind="importRun",
            expiresAt=int(started.timestamp()) + RETENTION_SECONDS,
        )
        self.client.put_item(TableName=self.table_name, Item={k: _ser.serialize(v) for k, v in data.items()})

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
        runs = [
            ImportRun.model_validate(
                {k: v for k, v in ((k, _de.deserialize(v)) for k, v in item.items()) if k not in _KEY_FIELDS}
            )
            for item in response.get("Items", [])
        ]
        last = response.get("LastEvaluatedKey")
        return runs, (encode_cursor(sub, last["sk"]["S"]) if last else None)

    def latest(self, sub: str) -> ImportRun | None:
        runs, _ = self.page(sub, limit=1)
        return runs[0] if runs else None


def _start_sk(sub: str, token: str) -> str:
    """The sort key a `next` token stands for; it must be one of the caller's own import runs."""
    sk = decode_cursor(sub, token)
    if not sk.startswith(tables.IMPORT_RUN_PREFIX):
        raise bad_cursor("malformed")
    return sk
