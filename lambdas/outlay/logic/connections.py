"""AWS connections as a collection: list, add (validated with STS first), rename, pause, delete.

Pure (ports injected). `CostsService` uses this for imports and for the seed's `/aws-credentials`
contract, which acts on the user's first (oldest) connection. Other features use the small service
API at the end: `summaries(sub)` and `cost_explorer(sub, connection_id)`.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from outlay.logic.errors import NotFoundError
from outlay.models.connections import (
    RESTORE_MINUTES,
    ConnectionSummary,
    ConnectionView,
    CreateConnectionRequest,
    StoredConnection,
    UpdateConnectionRequest,
)
from outlay.models.cost_import import ImportRun
from outlay.models.credentials import KeysCredentialsRequest, RoleCredentialsRequest, StoredCredentials

DEFAULT_NAME = "AWS account"


def _minutes_after(iso: str, minutes: int) -> str:
    """`iso` + `minutes`, written the way `now_iso` writes times (so they compare as strings)."""
    moved = datetime.fromisoformat(iso) + timedelta(minutes=minutes)
    return moved.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def new_connection_id() -> str:
    """16 hex characters: microseconds since the epoch, then 16 random bits, so ids sort in the
    order connections were added even when two are added within one clock tick of `createdAt`."""
    return f"{time.time_ns() // 1000:013x}{secrets.token_hex(2)}"[-16:]


class ConnectionStore(Protocol):
    def list(self, sub: str) -> list[StoredConnection]: ...
    def get(self, sub: str, connection_id: str) -> StoredConnection: ...
    def add(
        self,
        sub: str,
        connection_id: str,
        entry: dict[str, Any],
        now_iso: str,
        external_id: str | None = None,
    ) -> None: ...
    def replace_method(
        self,
        sub: str,
        connection_id: str,
        entry: dict[str, Any],
        now_iso: str,
        old_account: str | None,
        external_id: str | None = None,
    ) -> None: ...
    def update(self, sub: str, connection_id: str, changes: dict[str, Any], now_iso: str) -> None: ...
    def remove(self, sub: str, connection_id: str, restore_until: str | None = None) -> StoredConnection: ...
    def restore(self, sub: str, connection_id: str, now_iso: str) -> None: ...
    def drop_expired_removals(self, sub: str, now_iso: str) -> int: ...
    def enabled_connections(self) -> Iterator[tuple[str, str]]: ...


class ConnectionRuns(Protocol):
    def latest_for_connection(self, sub: str, connection_id: str) -> ImportRun | None: ...
    def page_for_connection(
        self, sub: str, connection_id: str, limit: int = 20, next_token: str | None = None
    ) -> tuple[list[ImportRun], str | None]: ...


class Validator(Protocol):
    def validate_keys(self, request: KeysCredentialsRequest) -> str: ...
    def validate_role(self, sub: str, role_arn: str, external_id: str) -> str: ...
    def seal_keys(self, sub: str, request: KeysCredentialsRequest) -> dict[str, Any]: ...
    def is_management_account(self, sub: str, stored: StoredCredentials) -> bool: ...
    def connect(self, sub: str, stored: StoredCredentials) -> Any: ...


@dataclass
class ConnectionsService:
    store: ConnectionStore
    connector: Validator
    runs: ConnectionRuns
    external_id: Callable[[str], str]
    now_iso: Callable[[], str]
    new_id: Callable[[], str] = field(default=lambda: new_connection_id())

    # ------------------------------------------------------------------------------ reads
    def of_user(self, sub: str) -> list[StoredConnection]:
        return [c for c in self.store.list(sub) if c.configured]

    def first(self, sub: str) -> StoredConnection | None:
        connections = self.of_user(sub)
        return connections[0] if connections else None

    def get(self, sub: str, connection_id: str) -> StoredConnection:
        found = self.store.get(sub, connection_id)
        if not found.configured:
            raise NotFoundError("AWS connection not found")
        return found

    def view(self, sub: str, connection: StoredConnection) -> ConnectionView:
        return ConnectionView.of(connection, self.runs.latest_for_connection(sub, connection.connection_id))

    def views(self, sub: str) -> dict[str, Any]:
        # Settings lists connections after every change: the place to forget expired removals.
        self.store.drop_expired_removals(sub, self.now_iso())
        return {"items": [self.view(sub, c) for c in self.of_user(sub)]}

    def history(self, sub: str, connection_id: str, limit: int, next_token: str | None) -> dict[str, Any]:
        self.get(sub, connection_id)
        items, token = self.runs.page_for_connection(sub, connection_id, limit, next_token)
        return {"items": [r.model_dump(mode="json", by_alias=True) for r in items], "next": token}

    def other_accounts(self, sub: str, connection_id: str) -> frozenset[str]:
        """Accounts the user's other connections reach directly (an organization leaves them)."""
        return frozenset(
            c.account_id for c in self.of_user(sub) if c.connection_id != connection_id and c.account_id
        )

    # ----------------------------------------------------------------------------- writes
    def _entry(
        self, sub: str, request: KeysCredentialsRequest | RoleCredentialsRequest
    ) -> tuple[dict[str, Any], str | None]:
        """Validate with STS (raises a clear 400/503), then the entry to store (+ the ExternalId a
        role was validated with, which the save requires to be unchanged)."""
        if isinstance(request, KeysCredentialsRequest):
            account_id = self.connector.validate_keys(request)
            entry: dict[str, Any] = {
                "type": "keys",
                "region": request.region,
                "accountId": account_id,
                "enabled": request.enabled,
                **self.connector.seal_keys(sub, request),
            }
            external_id = None
        else:
            external_id = self.external_id(sub)
            account_id = self.connector.validate_role(sub, request.role_arn, external_id)
            entry = {
                "type": "role",
                "region": request.region,
                "accountId": account_id,
                "enabled": request.enabled,
                "roleArn": request.role_arn,
            }
        probe = StoredCredentials.model_validate({"userId": sub, "externalId": external_id, **entry})
        entry["isOrganization"] = self.connector.is_management_account(sub, probe)
        return entry, external_id

    def create(self, sub: str, body: CreateConnectionRequest) -> ConnectionView:
        request = body.root
        entry, external_id = self._entry(sub, request)
        name = request.name or (f"AWS {entry['accountId']}" if self.of_user(sub) else DEFAULT_NAME)
        entry["name"] = name
        connection_id = self.new_id()
        self.store.add(sub, connection_id, entry, self.now_iso(), external_id=external_id)
        return self.view(sub, self.get(sub, connection_id))

    def save_first(self, sub: str, request: KeysCredentialsRequest | RoleCredentialsRequest) -> str:
        """The seed's POST /aws-credentials: the first connection is replaced (or created)."""
        first = self.first(sub)
        if first is None:
            entry, external_id = self._entry(sub, request)
            entry["name"] = DEFAULT_NAME
            self.store.add(sub, self.new_id(), entry, self.now_iso(), external_id=external_id)
            return str(entry["accountId"])
        entry, external_id = self._entry(sub, request)
        self.store.replace_method(
            sub, first.connection_id, entry, self.now_iso(), first.account_id, external_id=external_id
        )
        return str(entry["accountId"])

    def update(self, sub: str, connection_id: str, body: UpdateConnectionRequest) -> ConnectionView:
        changes = body.model_dump(exclude_none=True)
        self.get(sub, connection_id)
        self.store.update(sub, connection_id, changes, self.now_iso())
        return self.view(sub, self.get(sub, connection_id))

    def set_enabled(self, sub: str, connection_id: str, enabled: bool) -> None:
        self.store.update(sub, connection_id, {"enabled": enabled}, self.now_iso())

    def delete(self, sub: str, connection_id: str, undoable: bool = True) -> dict[str, Any]:
        """The connection stops importing; its imported lines stay (they are the user's expenses
        now) and so does its history. `undoable`: it can be restored for `RESTORE_MINUTES` (its
        sealed secret kept that long), else it and its secret are gone at once."""
        now = self.now_iso()
        self.store.drop_expired_removals(sub, now)
        until = _minutes_after(now, RESTORE_MINUTES) if undoable else None
        removed = self.store.remove(sub, connection_id, restore_until=until)
        return {"message": f"Connection '{removed.name}' deleted", "id": connection_id, "restoreUntil": until}

    def restore(self, sub: str, connection_id: str) -> ConnectionView:
        """Undo a delete: the same connection (id, name, account, method, history) comes back."""
        self.store.restore(sub, connection_id, self.now_iso())
        return self.view(sub, self.get(sub, connection_id))

    # ------------------------------------------------------------------ service API (other features)
    def summaries(self, sub: str) -> list[ConnectionSummary]:
        """The user's connections: id, name, accountId, enabled, isOrganization (oldest first)."""
        return [
            ConnectionSummary(
                id=c.connection_id,
                name=c.name,
                account_id=c.account_id,
                enabled=c.enabled,
                is_organization=c.is_organization,
            )
            for c in self.of_user(sub)
        ]

    def cost_explorer(self, sub: str, connection_id: str) -> Any:
        """A connected Cost Explorer adapter (`dal.cost_explorer.CostExplorer`) for one of the
        user's connections; 404 when it is not theirs."""
        return self.connector.connect(sub, self.get(sub, connection_id))
