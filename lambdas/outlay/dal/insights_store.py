"""Cached insights (with their time of reading) and the regions to scan, in the user's partition."""

from __future__ import annotations

import json
from typing import Any

from outlay import tables
from outlay.dal.expense_items import UserItems, serialize


class InsightsStore(UserItems):
    def cached(self, sub: str, connection_id: str) -> dict[str, Any] | None:
        item = self._get_item(sub, tables.insights_sk(connection_id))
        return json.loads(str(item["result"])) if item and item.get("result") else None

    def put(self, sub: str, connection_id: str, result: dict[str, Any]) -> None:
        item = {
            "pk": tables.user_pk(sub),
            "sk": tables.insights_sk(connection_id),
            "type": "INSIGHTS",
            "readAt": result.get("readAt"),
            "result": json.dumps(result, separators=(",", ":")),
        }
        self.client.put_item(TableName=self.table_name, Item=serialize(item))

    def settings(self, sub: str) -> dict[str, Any]:
        item = self._get_item(sub, tables.INSIGHTS_SETTINGS_SK) or {}
        return {
            "regions": [str(r) for r in item.get("regions", [])],
            "monthlySummary": bool(item.get("monthlySummary", False)),
        }

    def regions(self, sub: str) -> list[str] | None:
        return self.settings(sub)["regions"] or None

    def put_settings(self, sub: str, regions: list[str], monthly_summary: bool) -> None:
        item = {
            "pk": tables.user_pk(sub),
            "sk": tables.INSIGHTS_SETTINGS_SK,
            "type": "INSIGHTS_SETTINGS",
            "regions": regions,
            "monthlySummary": monthly_summary,
        }
        self.client.put_item(TableName=self.table_name, Item=serialize(item))

    def notice(self, sub: str) -> dict[str, Any] | None:
        item = self._get_item(sub, tables.INSIGHTS_NOTICE_SK)
        return {k: str(item[k]) for k in ("month", "text", "createdAt")} if item else None

    def put_notice(self, sub: str, notice: dict[str, Any] | None) -> None:
        key = {"pk": tables.user_pk(sub), "sk": tables.INSIGHTS_NOTICE_SK}
        if notice is None:
            self.client.delete_item(TableName=self.table_name, Key=serialize(key))
        else:
            item = {**key, "type": "INSIGHTS_NOTICE", **notice}
            self.client.put_item(TableName=self.table_name, Item=serialize(item))
