"""A user's own categories and profile (default currency), in their partition of the expenses table."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from outlay import tables
from outlay.dal.expense_items import UserItems, iso, serialize
from outlay.logic.errors import ConflictError
from outlay.logic.expenses import utc_now


class Preferences(UserItems):
    def user_categories(self, sub: str) -> list[str]:
        args: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": serialize(
                {":pk": tables.user_pk(sub), ":prefix": tables.CATEGORY_PREFIX}
            ),
        }
        return sorted((str(item["name"]) for item in self._query_all(args)), key=str.casefold)

    def find_category(self, sub: str, name: str) -> str | None:
        item = self._get_item(sub, tables.category_sk(name))
        return str(item["name"]) if item else None

    def add_category(self, sub: str, name: str) -> None:
        item = {
            "pk": tables.user_pk(sub),
            "sk": tables.category_sk(name),
            "type": "CATEGORY",
            "name": name,
            "createdAt": iso(utc_now()),
        }
        try:
            self.client.put_item(
                TableName=self.table_name,
                Item=serialize(item),
                ConditionExpression="attribute_not_exists(pk)",
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                raise ConflictError(
                    "You already have this category", [{"field": "name", "message": "duplicate"}]
                ) from exc
            raise

    def get_default_currency(self, sub: str) -> str | None:
        item = self._get_item(sub, tables.PROFILE_SK)
        return str(item["defaultCurrency"]) if item and item.get("defaultCurrency") else None

    def put_default_currency(self, sub: str, currency: str) -> None:
        item = {
            "pk": tables.user_pk(sub),
            "sk": tables.PROFILE_SK,
            "type": "PROFILE",
            "defaultCurrency": currency,
            "updatedAt": iso(utc_now()),
        }
        self.client.put_item(TableName=self.table_name, Item=serialize(item))
