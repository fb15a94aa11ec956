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
        self._set_profile(sub, "defaultCurrency", currency)

    def get_base_currency(self, sub: str) -> str | None:
        item = self._get_item(sub, tables.PROFILE_SK)
        return str(item["baseCurrency"]) if item and item.get("baseCurrency") else None

    def put_base_currency(self, sub: str, currency: str | None) -> None:
        """Set (or with None, turn off) the currency summaries also show converted totals in."""
        self._set_profile(sub, "baseCurrency", currency)

    def _set_profile(self, sub: str, name: str, value: str | None) -> None:
        """One preference changes; the others on the PROFILE item stay as they are."""
        values: dict[str, Any] = {":type": "PROFILE", ":at": iso(utc_now())}
        expression = "SET #type = :type, #updatedAt = :at"
        if value is None:
            expression += " REMOVE #field"
        else:
            expression += ", #field = :value"
            values[":value"] = value
        self.client.update_item(
            TableName=self.table_name,
            Key=serialize({"pk": tables.user_pk(sub), "sk": tables.PROFILE_SK}),
            UpdateExpression=expression,
            ExpressionAttributeNames={"#type": "type", "#updatedAt": "updatedAt", "#field": name},
            ExpressionAttributeValues=serialize(values),
        )
