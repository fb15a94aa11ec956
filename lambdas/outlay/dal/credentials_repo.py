"""The credentials table: one item per user (`userId` = sub), holding envelopes, never plaintext.

The user's ExternalId lives at the top of the item and outlives every connection, so a role the user
already deployed keeps working if they reconnect (the ExternalId is not a secret; it only stops other
Outlay users from pointing us at somebody else's role). The connections themselves are a map in the
same item: `outlay.dal.connections_repo`.
"""

from __future__ import annotations

from outlay.dal.table_base import TableAdapter

# The fields of the one connection an item held before connections were a collection (top level).
CONNECTION_FIELDS = ("type", "region", "accountId", "enabled", "roleArn", "keyHint", "secret")


class CredentialsRepository(TableAdapter):
    def ensure_external_id(self, sub: str, candidate: str, now_iso: str) -> str:
        """The user's ExternalId, creating it from `candidate` if absent. One atomic `if_not_exists`
        update, so concurrent first calls agree on a single value."""
        response = self.client.update_item(
            TableName=self.table_name,
            Key={"userId": {"S": sub}},
            UpdateExpression="SET externalId = if_not_exists(externalId, :x), "
            "createdAt = if_not_exists(createdAt, :now)",
            ExpressionAttributeValues={":x": {"S": candidate}, ":now": {"S": now_iso}},
            ReturnValues="ALL_NEW",
        )
        return str(response["Attributes"]["externalId"]["S"])
