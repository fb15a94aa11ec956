"""The credentials table: one item per user (`userId` = sub), holding the envelope, never plaintext.

The item outlives a DELETE: only the connection fields are removed, the ExternalId stays, so a role
the user already deployed keeps working if they reconnect (the ExternalId is not a secret; it only
stops other Outlay users from pointing us at somebody else's role).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from outlay.dal.table_base import TableAdapter
from outlay.logic.errors import NotFoundError
from outlay.models.credentials import StoredCredentials

_ser = TypeSerializer()
_de = TypeDeserializer()

CONNECTION_FIELDS = ("type", "region", "accountId", "enabled", "roleArn", "keyHint", "secret")


def _item(values: dict[str, Any]) -> dict[str, Any]:
    return {k: _ser.serialize(v) for k, v in values.items()}


def _plain(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _de.deserialize(v) for k, v in item.items()}


class CredentialsRepository(TableAdapter):
    def get(self, sub: str) -> StoredCredentials | None:
        response = self.client.get_item(
            TableName=self.table_name, Key={"userId": {"S": sub}}, ConsistentRead=True
        )
        if "Item" not in response:
            return None
        return StoredCredentials.model_validate(_plain(response["Item"]))

    def ensure_external_id(self, sub: str, candidate: str, now_iso: str) -> str:
        """The user's ExternalId, creating it from `candidate` if absent. One atomic `if_not_exists`
        update, so concurrent first calls agree on a single value."""
        response = self.client.update_item(
            TableName=self.table_name,
            Key={"userId": {"S": sub}},
            UpdateExpression="SET externalId = if_not_exists(externalId, :x), "
            "createdAt = if_not_exists(createdAt, :now)",
            ExpressionAttributeValues=_item({":x": candidate, ":now": now_iso}),
            ReturnValues="ALL_NEW",
        )
        return str(response["Attributes"]["externalId"]["S"])

    def save(self, sub: str, fields: dict[str, Any], now_iso: str, external_id: str | None = None) -> None:
        """Replace the connection fields (the other type's fields are removed). For a role, the save
        only succeeds if the ExternalId it was validated with is still the stored one."""
        values = {**fields, "updatedAt": now_iso}
        names = {f"#{k}": k for k in values}
        expr_values = {f":{k}": v for k, v in values.items()}
        sets = [f"#{k} = :{k}" for k in values]
        sets.append("createdAt = if_not_exists(createdAt, :now)")
        expr_values[":now"] = now_iso
        removed = [k for k in CONNECTION_FIELDS if k not in values]
        for k in removed:
            names[f"#{k}"] = k
        expression = "SET " + ", ".join(sets)
        if removed:
            expression += " REMOVE " + ", ".join(f"#{k}" for k in removed)
        kwargs: dict[str, Any] = {}
        if external_id is not None:
            kwargs["ConditionExpression"] = "externalId = :ext"
            expr_values[":ext"] = external_id
        self.client.update_item(
            TableName=self.table_name,
            Key={"userId": {"S": sub}},
            UpdateExpression=expression,
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=_item(expr_values),
            **kwargs,
        )

    def delete_connection(self, sub: str, now_iso: str) -> bool:
        """Remove the connection (secret included); keep userId, externalId, createdAt. False if none."""
        names = {f"#{k}": k for k in CONNECTION_FIELDS}
        try:
            self.client.update_item(
                TableName=self.table_name,
                Key={"userId": {"S": sub}},
                UpdateExpression="SET updatedAt = :now REMOVE " + ", ".join(names),
                ConditionExpression="attribute_exists(#type)",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=_item({":now": now_iso}),
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def forget(self, sub: str) -> bool:
        """Delete the user's whole item (envelope, ExternalId and all): account deletion only."""
        response = self.client.delete_item(
            TableName=self.table_name, Key={"userId": {"S": sub}}, ReturnValues="ALL_OLD"
        )
        return "Attributes" in response

    def set_enabled(self, sub: str, enabled: bool, now_iso: str) -> None:
        try:
            self.client.update_item(
                TableName=self.table_name,
                Key={"userId": {"S": sub}},
                UpdateExpression="SET enabled = :e, updatedAt = :now",
                ConditionExpression="attribute_exists(#type)",
                ExpressionAttributeNames={"#type": "type"},
                ExpressionAttributeValues=_item({":e": enabled, ":now": now_iso}),
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise NotFoundError("No AWS credentials are configured") from None
            raise

    def enabled_user_ids(self, page_size: int = 500) -> Iterator[str]:
        """Every user with a connection and scheduled imports enabled (paginated scan, ids only)."""
        kwargs: dict[str, Any] = {
            "TableName": self.table_name,
            "FilterExpression": "enabled = :t AND attribute_exists(#type)",
            "ProjectionExpression": "userId",
            "ExpressionAttributeNames": {"#type": "type"},
            "ExpressionAttributeValues": {":t": {"BOOL": True}},
            "Limit": page_size,
        }
        while True:
            response = self.client.scan(**kwargs)
            for item in response.get("Items", []):
                yield str(item["userId"]["S"])
            last = response.get("LastEvaluatedKey")
            if not last:
                return
            kwargs["ExclusiveStartKey"] = last
