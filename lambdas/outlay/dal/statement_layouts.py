"""Remembered column mappings: one item per file layout (header signature) in the user's partition."""

from __future__ import annotations

import json
from typing import Any

from outlay import tables
from outlay.dal.table_base import TableAdapter


class StatementLayouts(TableAdapter):
    def _key(self, sub: str, signature: str) -> dict[str, Any]:
        return {"pk": {"S": tables.user_pk(sub)}, "sk": {"S": tables.statement_layout_sk(signature)}}

    def get(self, sub: str, signature: str) -> dict[str, Any] | None:
        item = self.client.get_item(TableName=self.table_name, Key=self._key(sub, signature)).get("Item")
        if not item or "mapping" not in item:
            return None
        stored: dict[str, Any] = json.loads(item["mapping"]["S"])
        return stored

    def put(self, sub: str, signature: str, mapping: dict[str, Any]) -> None:
        item = {
            **self._key(sub, signature),
            "type": {"S": "STMTLAYOUT"},
            "mapping": {"S": json.dumps(mapping)},
        }
        self.client.put_item(TableName=self.table_name, Item=item)
