"""Recurring rules in the expenses table (sk RECURRING#<id> in the user's partition) and the sparse
`byDue` index the daily run reads (see `outlay.tables`).

Every save is guarded by the rule's `version` (optimistic lock), so a run advancing `nextDue` and a
user pausing or editing the rule at the same moment cannot overwrite each other: the loser re-reads.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from botocore.exceptions import ClientError

from outlay import tables
from outlay.dal.cursors import bad_cursor, decode_cursor, encode_cursor
from outlay.dal.expense_items import UserItems, deserialize, serialize
from outlay.logic.errors import ConflictError, NotFoundError
from outlay.models.fields import is_valid_id
from outlay.models.recurring import RecurringRule

_NOT_RULE_FIELDS = {"pk", "sk", "type", "version", "dueShard", "dueKey"}


def rule_to_item(sub: str, rule: RecurringRule, version: int) -> dict[str, Any]:
    item: dict[str, Any] = {
        **rule.model_dump(mode="json", by_alias=True, exclude_none=True),
        "pk": tables.user_pk(sub),
        "sk": tables.recurring_sk(rule.id),
        "type": "RECURRING",
        "version": version,
    }
    if rule.status == "active" and rule.next_due is not None:
        item["dueShard"] = tables.DUE_SHARD
        item["dueKey"] = tables.due_key(rule.next_due.isoformat(), sub, rule.id)
    return item


def item_to_rule(item: dict[str, Any]) -> RecurringRule:
    return RecurringRule.model_validate({k: v for k, v in item.items() if k not in _NOT_RULE_FIELDS})


class RecurringRules(UserItems):
    def find(self, sub: str, rule_id: str) -> tuple[RecurringRule, int] | None:
        if not is_valid_id(rule_id):
            return None
        item = self._get_item(sub, tables.recurring_sk(rule_id))
        return (item_to_rule(item), int(item.get("version", 0))) if item else None

    def get(self, sub: str, rule_id: str) -> tuple[RecurringRule, int]:
        found = self.find(sub, rule_id)
        if found is None:
            raise NotFoundError("Recurring rule not found")
        return found

    def save(self, sub: str, rule: RecurringRule, version: int | None) -> None:
        """Create (`version` None: the id must be new) or replace the version that was read;
        ConflictError when somebody else changed it meanwhile."""
        args: dict[str, Any] = {
            "TableName": self.table_name,
            "Item": serialize(rule_to_item(sub, rule, (version or 0) + 1)),
        }
        if version is None:
            args["ConditionExpression"] = "attribute_not_exists(pk)"
        else:
            args["ConditionExpression"] = "#version = :expected"
            args["ExpressionAttributeNames"] = {"#version": "version"}
            args["ExpressionAttributeValues"] = serialize({":expected": version})
        try:
            self.client.put_item(**args)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                raise ConflictError("The rule was changed meanwhile; reload it and try again") from exc
            raise

    def remove(self, sub: str, rule_id: str) -> None:
        try:
            self.client.delete_item(
                TableName=self.table_name,
                Key=serialize({"pk": tables.user_pk(sub), "sk": tables.recurring_sk(rule_id)}),
                ConditionExpression="attribute_exists(pk)",
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                raise NotFoundError("Recurring rule not found") from exc
            raise

    def page(
        self, sub: str, limit: int = 50, next_token: str | None = None
    ) -> tuple[list[RecurringRule], str | None]:
        """One Query page of the user's rules (ordered by id)."""
        pk = tables.user_pk(sub)
        args: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": serialize({":pk": pk, ":prefix": tables.RECURRING_PREFIX}),
            "Limit": limit,
        }
        if next_token:
            sk = decode_cursor(sub, next_token)
            if not sk.startswith(tables.RECURRING_PREFIX):
                raise bad_cursor("malformed")
            args["ExclusiveStartKey"] = serialize({"pk": pk, "sk": sk})
        response = self.client.query(**args)
        rules = [item_to_rule(deserialize(raw)) for raw in response.get("Items", [])]
        last = response.get("LastEvaluatedKey")
        return rules, (encode_cursor(sub, last["sk"]["S"]) if last else None)

    def due_for_user(self, sub: str, today: date) -> Iterator[str]:
        """Ids of the user's active rules due by `today` (one Query of the user's rules)."""
        args = {
            "TableName": self.table_name,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": serialize(
                {":pk": tables.user_pk(sub), ":prefix": tables.RECURRING_PREFIX}
            ),
        }
        for item in self._query_all(args):
            if "dueKey" in item and str(item["dueKey"]) <= f"{today.isoformat()}#~":
                yield str(item["id"])

    def due(self, today: date) -> Iterator[tuple[str, str]]:
        """(sub, rule id) of every active rule due by `today`, from the sparse `byDue` index: a run
        reads what is due, nothing else."""
        args = {
            "TableName": self.table_name,
            "IndexName": tables.BY_DUE_INDEX,
            "KeyConditionExpression": "dueShard = :shard AND dueKey <= :through",
            "ExpressionAttributeValues": serialize(
                {":shard": tables.DUE_SHARD, ":through": f"{today.isoformat()}#~"}
            ),
            "ProjectionExpression": "dueKey",
        }
        for item in self._query_all(args):
            _due, sub, rule_id = str(item["dueKey"]).split("#", 2)
            yield sub, rule_id
