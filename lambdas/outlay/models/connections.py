"""AWS connections as a collection (`/aws-connections`): request bodies, the stored entry, the view.

A user has up to `MAX_CONNECTIONS` connections, each to one AWS account (a role + the user's
ExternalId, or an access key pair sealed in an envelope). A connection to an AWS Organizations
management account imports every linked account (`isOrganization`).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, RootModel, StrictBool, model_validator

from outlay.models.cost_import import ImportRun
from outlay.models.credentials import (
    KeysCredentialsRequest,
    RoleCredentialsRequest,
    StoredCredentials,
)
from outlay.models.text import NOT_BLANK_PATTERN, check_text

MAX_CONNECTIONS = 20
RESTORE_MINUTES = 10  # how long a deleted connection can be put back (Undo)
CONNECTION_ID_PATTERN = r"^[a-z0-9-]{1,40}$"
ConnectionName = Annotated[
    str,
    AfterValidator(check_text),
    Field(
        min_length=1,
        max_length=80,
        pattern=NOT_BLANK_PATTERN,
        json_schema_extra={"pattern": NOT_BLANK_PATTERN},
    ),
]


class NewKeysConnection(KeysCredentialsRequest):
    name: ConnectionName | None = None


class NewRoleConnection(RoleCredentialsRequest):
    name: ConnectionName | None = None


NewConnection = Annotated[NewKeysConnection | NewRoleConnection, Field(discriminator="type")]


class CreateConnectionRequest(RootModel[NewConnection]):
    """`{"type": "role", "roleArn", "name"?}` or `{"type": "keys", "accessKeyId", "secretAccessKey",
    "name"?}` (no `type` but `accessKeyId` = keys); validated with STS before it is saved."""

    model_config = ConfigDict(defer_build=True)  # built by the route that adds one, not at INIT

    @model_validator(mode="before")
    @classmethod
    def _default_type(cls, data: Any) -> Any:
        if isinstance(data, dict) and "type" not in data and "accessKeyId" in data:
            return {**data, "type": "keys"}
        return data


class UpdateConnectionRequest(BaseModel):
    """Rename, pause or resume a connection (its method and account are changed by reconnecting).
    At least one field; neither may be null."""

    model_config = ConfigDict(extra="forbid", defer_build=True, json_schema_extra={"minProperties": 1})

    name: ConnectionName = Field(None)  # type: ignore[assignment]  # absent = unchanged, never null
    enabled: StrictBool = Field(None)  # type: ignore[assignment]

    @model_validator(mode="after")
    def _something(self) -> UpdateConnectionRequest:
        if self.name is None and self.enabled is None:
            raise ValueError("give name and/or enabled")
        return self


class StoredConnection(StoredCredentials):
    """One entry of the user's `connections` map (the user's ExternalId is copied in on read)."""

    connection_id: str = Field(alias="connectionId")
    name: str = ""
    is_organization: bool = Field(False, alias="isOrganization")


class ConnectionView(BaseModel):
    """What the API shows of a connection: never a secret (the key id is masked)."""

    model_config = ConfigDict(populate_by_name=True, defer_build=True)

    id: str
    name: str
    type: Literal["keys", "role"]
    account_id: str | None = Field(alias="accountId")
    is_organization: bool = Field(alias="isOrganization")
    enabled: bool
    region: str | None
    role_arn: str | None = Field(None, alias="roleArn")
    access_key_id: str | None = Field(None, alias="accessKeyId", description="masked, e.g. AKIA…WXYZ")
    created_at: str | None = Field(None, alias="createdAt")
    updated_at: str | None = Field(None, alias="updatedAt")
    last_import: ImportRun | None = Field(None, alias="lastImport")

    @classmethod
    def of(cls, stored: StoredConnection, last_import: ImportRun | None = None) -> ConnectionView:
        assert stored.type is not None
        return cls(
            id=stored.connection_id,
            name=stored.name,
            type=stored.type,
            account_id=stored.account_id,
            is_organization=stored.is_organization,
            enabled=stored.enabled,
            region=stored.region,
            role_arn=stored.role_arn,
            access_key_id=stored.key_hint,
            created_at=stored.created_at,
            updated_at=stored.updated_at,
            last_import=last_import,
        )


class ConnectionSummary(BaseModel):
    """The small view other features use (service API): id, name, account, enabled, organization."""

    model_config = ConfigDict(populate_by_name=True, frozen=True, defer_build=True)

    id: str
    name: str
    account_id: str | None = Field(alias="accountId")
    enabled: bool
    is_organization: bool = Field(alias="isOrganization")
