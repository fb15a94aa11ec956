"""A user's AWS connections, kept in the user's one credentials-table item (partition key `userId`).

Layout (no key-schema change, so CloudFormation never replaces the deployed table):

- `connections`: map connection id -> entry (type, name, region, accountId, enabled, roleArn, keyHint,
  secret envelope, isOrganization, createdAt, updatedAt). At most 20 entries of < 1 KB each: the
  item stays far below DynamoDB's 400 KB.
- `accounts`: map account id -> connection id. Adding a connection sets both in one conditional
  update, so the same account twice is refused atomically (no read-then-write race), and so is a 21st.
- `externalId` stays per user at the top level (every role of the user trusts it).
- `removedConnections`: map connection id -> entry + `restoreUntil`, for Undo after a delete (a few
  minutes, `RESTORE_MINUTES`). Nothing reads it but `restore`; expired entries (a key connection's
  sealed secret with them) are dropped the next time the user lists or deletes connections.

Lazy migration: an item written before connections were a collection holds one connection in
top-level fields (`type`, `accountId`...). Reads show it as the connection `LEGACY_ID` without
writing (the scheduled worker and the account function may only read this table); the first change
of the user's connections moves it into `connections` under that id with one conditional update
(`attribute_exists(type) AND attribute_not_exists(connections)`), so it happens once however many
writers race; the account id is unchanged, so the expense ids of the lines already imported (hash
of user, account, month, line) are unchanged and nothing duplicates.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from outlay.dal.credentials_repo import CONNECTION_FIELDS
from outlay.dal.table_base import TableAdapter
from outlay.logic.errors import ConflictError, NotFoundError
from outlay.models.connections import MAX_CONNECTIONS, RESTORE_MINUTES, StoredConnection

_ser = TypeSerializer()
_de = TypeDeserializer()
LEGACY_ID = "default"
LEGACY_NAME = "AWS account"


def _values(values: dict[str, Any]) -> dict[str, Any]:
    return {k: _ser.serialize(v) for k, v in values.items()}


def _failed_condition(exc: ClientError) -> bool:
    code = exc.response["Error"]["Code"]
    return code in ("ConditionalCheckFailedException", "TransactionCanceledException")


def _ordered(item: dict[str, Any]) -> list[StoredConnection]:
    """The item's connections, oldest first (the first is the one `/aws-credentials` acts on)."""
    external_id = item.get("externalId")
    entries = [
        StoredConnection.model_validate(
            {**entry, "connectionId": cid, "userId": item["userId"], "externalId": external_id}
        )
        for cid, entry in (item.get("connections") or {}).items()
    ]
    return sorted(entries, key=lambda c: (c.created_at or "", c.connection_id))


def _legacy_entry(item: dict[str, Any]) -> dict[str, Any]:
    entry = {k: item[k] for k in CONNECTION_FIELDS if k in item}
    entry.update(
        name=LEGACY_NAME,
        isOrganization=False,
        createdAt=item.get("createdAt") or item.get("updatedAt") or "",
        updatedAt=item.get("updatedAt") or "",
    )
    return entry


class ConnectionsRepository(TableAdapter):
    def _item(self, sub: str) -> dict[str, Any] | None:
        response = self.client.get_item(
            TableName=self.table_name, Key={"userId": {"S": sub}}, ConsistentRead=True
        )
        item = response.get("Item")
        return {k: _de.deserialize(v) for k, v in item.items()} if item else None

    def list(self, sub: str, migrate: bool = False) -> list[StoredConnection]:
        """Oldest first. A legacy item reads as it will be migrated; `migrate=True` (writers, before
        they change a connection) migrates it first."""
        item = self._item(sub)
        if item is None:
            return []
        if item.get("type") and "connections" not in item:
            if not migrate:
                return _ordered({**item, "connections": {LEGACY_ID: _legacy_entry(item)}})
            self._migrate(sub, item)
            item = self._item(sub) or {}
        return _ordered(item)

    def forget(self, sub: str) -> bool:
        """Delete the user's whole item (every connection, the ExternalId): account deletion only."""
        response = self.client.delete_item(
            TableName=self.table_name, Key={"userId": {"S": sub}}, ReturnValues="ALL_OLD"
        )
        return "Attributes" in response

    def get(self, sub: str, connection_id: str) -> StoredConnection:
        for connection in self.list(sub):
            if connection.connection_id == connection_id:
                return connection
        raise NotFoundError("AWS connection not found")

    def _migrate(self, sub: str, item: dict[str, Any]) -> None:
        entry = _legacy_entry(item)
        account = str(item.get("accountId") or "")
        names = {f"#{k}": k for k in CONNECTION_FIELDS}
        try:
            self.client.update_item(
                TableName=self.table_name,
                Key={"userId": {"S": sub}},
                UpdateExpression="SET connections = :c, accounts = :a REMOVE " + ", ".join(names),
                ConditionExpression="attribute_exists(#type) AND attribute_not_exists(connections)",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=_values(
                    {":c": {LEGACY_ID: entry}, ":a": {account: LEGACY_ID} if account else {}}
                ),
            )
        except ClientError as exc:
            if not _failed_condition(exc):
                raise
            # Another reader migrated it first: the same result.

    def _ensure_maps(self, sub: str, now_iso: str) -> None:
        self.list(sub, migrate=True)  # migrates a legacy item first, so its connection is not lost
        self.client.update_item(
            TableName=self.table_name,
            Key={"userId": {"S": sub}},
            UpdateExpression="SET connections = if_not_exists(connections, :e), "
            "accounts = if_not_exists(accounts, :e), createdAt = if_not_exists(createdAt, :now)",
            ExpressionAttributeValues=_values({":e": {}, ":now": now_iso}),
        )

    def add(
        self,
        sub: str,
        connection_id: str,
        entry: dict[str, Any],
        now_iso: str,
        external_id: str | None = None,
    ) -> None:
        """One conditional update: refused (409) when the account is connected already or the user
        has `MAX_CONNECTIONS`; a role's save also needs the ExternalId it was validated with."""
        self._ensure_maps(sub, now_iso)
        account = str(entry["accountId"])
        values: dict[str, Any] = {
            ":entry": {**entry, "createdAt": now_iso, "updatedAt": now_iso},
            ":id": connection_id,
            ":max": MAX_CONNECTIONS,
        }
        condition = "attribute_not_exists(accounts.#acct) AND size(connections) < :max"
        if external_id is not None:
            condition += " AND externalId = :ext"
            values[":ext"] = external_id
        try:
            self.client.update_item(
                TableName=self.table_name,
                Key={"userId": {"S": sub}},
                UpdateExpression="SET connections.#id = :entry, accounts.#acct = :id",
                ConditionExpression=condition,
                ExpressionAttributeNames={"#id": connection_id, "#acct": account},
                ExpressionAttributeValues=_values(values),
            )
        except ClientError as exc:
            if not _failed_condition(exc):
                raise
            self._explain_refusal(sub, account)
            raise

    def _explain_refusal(self, sub: str, account: str, except_id: str | None = None) -> None:
        connections = self.list(sub)
        for connection in connections:
            if connection.account_id == account and connection.connection_id != except_id:
                raise ConflictError(
                    f"AWS account {account} is already connected as '{connection.name}'",
                    [{"field": "accountId", "message": f"{account} is connected already"}],
                ) from None
        if except_id is None and len(connections) >= MAX_CONNECTIONS:
            raise ConflictError(
                f"You already have {MAX_CONNECTIONS} AWS connections, the most there can be; "
                "delete one before adding another"
            ) from None

    def replace_method(
        self,
        sub: str,
        connection_id: str,
        entry: dict[str, Any],
        now_iso: str,
        old_account: str | None,
        external_id: str | None = None,
    ) -> None:
        """Reconnect an existing connection (new keys or role, maybe another account), keeping its
        id, name and creation time. Refused if the new account belongs to another connection."""
        account = str(entry["accountId"])
        names = {"#id": connection_id, "#acct": account}
        values: dict[str, Any] = {":id": connection_id}
        sets = []
        self.list(sub, migrate=True)
        current = self.get(sub, connection_id)
        keep = {"name": current.name, "createdAt": current.created_at or now_iso}
        values[":entry"] = {**entry, **keep, "updatedAt": now_iso}
        sets.append("connections.#id = :entry")
        sets.append("accounts.#acct = :id")
        remove = ""
        if old_account and old_account != account:
            names["#old"] = old_account
            remove = " REMOVE accounts.#old"
        condition = (
            "attribute_exists(connections.#id)"
            " AND (attribute_not_exists(accounts.#acct) OR accounts.#acct = :id)"
        )
        if external_id is not None:
            condition += " AND externalId = :ext"
            values[":ext"] = external_id
        try:
            self.client.update_item(
                TableName=self.table_name,
                Key={"userId": {"S": sub}},
                UpdateExpression="SET " + ", ".join(sets) + remove,
                ConditionExpression=condition,
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=_values(values),
            )
        except ClientError as exc:
            if not _failed_condition(exc):
                raise
            self._explain_refusal(sub, account, except_id=connection_id)
            raise

    def update(self, sub: str, connection_id: str, changes: dict[str, Any], now_iso: str) -> None:
        """Set some fields of one connection (name, enabled, isOrganization); 404 if it is gone."""
        self.list(sub, migrate=True)  # a legacy item is migrated before its connection is changed
        fields = {**changes, "updatedAt": now_iso}
        names = {"#id": connection_id, **{f"#{k}": k for k in fields}}
        sets = [f"connections.#id.#{k} = :{k}" for k in fields]
        try:
            self.client.update_item(
                TableName=self.table_name,
                Key={"userId": {"S": sub}},
                UpdateExpression="SET " + ", ".join(sets),
                ConditionExpression="attribute_exists(connections.#id)",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=_values({f":{k}": v for k, v in fields.items()}),
            )
        except ClientError as exc:
            if _failed_condition(exc):
                raise NotFoundError("AWS connection not found") from None
            raise

    def remove(self, sub: str, connection_id: str, restore_until: str | None = None) -> StoredConnection:
        """Delete one connection; the ExternalId stays. 404 if gone. With `restore_until` its entry
        (sealed secret included) is kept in `removedConnections` until then, for `restore`; without,
        it is gone at once."""
        self.list(sub, migrate=True)
        current = self.get(sub, connection_id)
        names = {"#id": connection_id}
        sets = ""
        values: dict[str, Any] = {}
        if restore_until is not None:
            item = self._item(sub) or {}
            if "removedConnections" not in item:
                self.client.update_item(
                    TableName=self.table_name,
                    Key={"userId": {"S": sub}},
                    UpdateExpression="SET removedConnections = if_not_exists(removedConnections, :e)",
                    ExpressionAttributeValues=_values({":e": {}}),
                )
            entry = item.get("connections", {}).get(connection_id, {})
            values[":kept"] = {**entry, "restoreUntil": restore_until}
            sets = "SET removedConnections.#id = :kept "
        expression = sets + "REMOVE connections.#id"
        if current.account_id:
            names["#acct"] = current.account_id
            expression += ", accounts.#acct"
        request: dict[str, Any] = {
            "TableName": self.table_name,
            "Key": {"userId": {"S": sub}},
            "UpdateExpression": expression,
            "ConditionExpression": "attribute_exists(connections.#id)",
            "ExpressionAttributeNames": names,
        }
        if values:
            request["ExpressionAttributeValues"] = _values(values)
        try:
            self.client.update_item(**request)
        except ClientError as exc:
            if _failed_condition(exc):
                raise NotFoundError("AWS connection not found") from None
            raise
        return current

    def restore(self, sub: str, connection_id: str, now_iso: str) -> None:
        """Put a removed connection back (same id, name, account, method) while its `restoreUntil`
        is ahead: 404 when there is nothing to restore or the time has passed, 409 when its account
        was connected again meanwhile or the user has `MAX_CONNECTIONS` again."""
        kept = ((self._item(sub) or {}).get("removedConnections") or {}).get(connection_id)
        if kept is None or str(kept.get("restoreUntil", "")) <= now_iso:
            raise NotFoundError(
                "This AWS connection cannot be restored: it was not deleted, or was deleted more than "
                f"{RESTORE_MINUTES} minutes ago; add it again instead"
            )
        entry = {k: v for k, v in kept.items() if k != "restoreUntil"}
        account = str(entry.get("accountId") or "")
        try:
            self.client.update_item(
                TableName=self.table_name,
                Key={"userId": {"S": sub}},
                UpdateExpression="SET connections.#id = :entry, accounts.#acct = :id "
                "REMOVE removedConnections.#id",
                ConditionExpression="attribute_exists(removedConnections.#id) AND attribute_not_exists("
                "connections.#id) AND attribute_not_exists(accounts.#acct) AND size(connections) < :max",
                ExpressionAttributeNames={"#id": connection_id, "#acct": account},
                ExpressionAttributeValues=_values(
                    {":entry": entry, ":id": connection_id, ":max": MAX_CONNECTIONS}
                ),
            )
        except ClientError as exc:
            if not _failed_condition(exc):
                raise
            self._explain_refusal(sub, account)
            raise NotFoundError("This AWS connection was restored or removed meanwhile") from None

    def drop_expired_removals(self, sub: str, now_iso: str) -> int:
        """Forget removed connections whose Undo time has passed (one read; one write when any has)."""
        removed = (self._item(sub) or {}).get("removedConnections") or {}
        expired = sorted(cid for cid, kept in removed.items() if str(kept.get("restoreUntil", "")) <= now_iso)
        if not expired:
            return 0
        names = {f"#r{i}": cid for i, cid in enumerate(expired)}
        self.client.update_item(
            TableName=self.table_name,
            Key={"userId": {"S": sub}},
            UpdateExpression="REMOVE " + ", ".join(f"removedConnections.{n}" for n in names),
            ExpressionAttributeNames=names,
        )
        return len(expired)

    def enabled_connections(self, page_size: int = 200) -> Iterator[tuple[str, str]]:
        """(user id, connection id) of every enabled connection (paginated scan). A legacy item not
        yet migrated yields `LEGACY_ID`: the worker's read migrates it under that id."""
        kwargs: dict[str, Any] = {
            "TableName": self.table_name,
            "ProjectionExpression": "userId, connections, #type, enabled",
            "ExpressionAttributeNames": {"#type": "type"},
            "Limit": page_size,
        }
        while True:
            response = self.client.scan(**kwargs)
            for raw in response.get("Items", []):
                item = {k: _de.deserialize(v) for k, v in raw.items()}
                sub = str(item["userId"])
                if "connections" in item:
                    for connection in _ordered(item):
                        if connection.enabled and connection.configured:
                            yield sub, connection.connection_id
                elif item.get("type") and item.get("enabled"):
                    yield sub, LEGACY_ID
            last = response.get("LastEvaluatedKey")
            if not last:
                return
            kwargs["ExclusiveStartKey"] = last
