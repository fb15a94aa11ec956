"""Import history: one item per run in the user's own partition of the expenses table.

Key: pk USER#<sub>, sk IMPORTRUN#<startedAt>#<runId>, so a descending query lists newest first.
Runs expire after two years (`expiresAt`, the table's TTL attribute).
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from outlay import tables
from outlay.dal.table_base import TableAdapter
from outlay.logic.errors import InvalidInputError
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

    def list(
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
            kwargs["ExclusiveStartKey"] = {"pk": {"S": pk}, "sk": {"S": _decode_cursor(next_token)}}
        response = self.client.query(**kwargs)
        runs = [
            ImportRun.model_validate(
                {k: v for k, v in ((k, _de.deserialize(v)) for k, v in item.items()) if k not in _KEY_FIELDS}
            )
            for item in response.get("Items", [])
        ]
        last = response.get("LastEvaluatedKey")
        return runs, (_encode_cursor(last["sk"]["S"]) if last else None)

    def latest(self, sub: str) -> ImportRun | None:
        runs, _ = self.list(sub, limit=1)
        return runs[0] if runs else None


def _encode_cursor(sk: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"sk": sk}).encode()).decode().rstrip("=")


def _decode_cursor(token: str) -> str:
    """The cursor carries only the sort key; the partition is always the caller's own, so a forged
    cursor can at most skip within the caller's own history."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        sk = json.loads(raw)["sk"]
    except (binascii.Error, ValueError, KeyError, TypeError):
        raise InvalidInputError(
            "Invalid pagination token", [{"field": "next", "message": "malformed"}]
        ) from None
    if not isinstance(sk, str) or not sk.startswith(tables.IMPORT_RUN_PREFIX):
        raise InvalidInputError("Invalid pagination token", [{"field": "next", "message": "malformed"}])
    return sk
