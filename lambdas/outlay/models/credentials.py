"""AWS connection: request bodies, the stored item, and the status response (never a secret)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    RootModel,
    SecretStr,
    StrictBool,
    field_validator,
    model_validator,
)

from outlay.logic.role_setup import ROLE_ARN_PATTERN

REGION_PATTERN = r"^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d{1,2}$"
ACCESS_KEY_ID_PATTERN = r"^(AKIA|ASIA)[A-Z0-9]{12,124}$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, defer_build=True)


class KeysCredentialsRequest(_Strict):
    """An IAM user's access key pair (the seed's contract). The secret is a SecretStr: never printed."""

    type: Literal["keys"] = "keys"
    access_key_id: str = Field(alias="accessKeyId", pattern=ACCESS_KEY_ID_PATTERN)
    secret_access_key: SecretStr = Field(alias="secretAccessKey", min_length=16, max_length=128)
    region: str = Field("us-east-1", pattern=REGION_PATTERN)
    enabled: StrictBool = True

    @field_validator("secret_access_key")
    @classmethod
    def _printable_ascii(cls, value: SecretStr) -> SecretStr:
        # AWS secret keys are base64-like ASCII; anything else cannot sign a request (and would
        # otherwise fail inside botocore's signer rather than here, by name).
        secret = value.get_secret_value()
        if not all("!" <= char <= "~" for char in secret):
            raise ValueError("must be printable ASCII without spaces, as AWS secret access keys are")
        return value


class RoleCredentialsRequest(_Strict):
    """A role in the user's account that trusts ours with the user's ExternalId (recommended)."""

    type: Literal["role"]
    role_arn: str = Field(alias="roleArn", pattern=ROLE_ARN_PATTERN, max_length=2048)
    region: str = Field("us-east-1", pattern=REGION_PATTERN)
    enabled: StrictBool = True


CredentialsRequest = Annotated[KeysCredentialsRequest | RoleCredentialsRequest, Field(discriminator="type")]


class SaveCredentialsRequest(RootModel[CredentialsRequest]):
    """Discriminated on `type`; a body without `type` but with `accessKeyId` is the seed's keys form."""

    model_config = ConfigDict(defer_build=True)  # built by the route that saves one, not at INIT

    @model_validator(mode="before")
    @classmethod
    def _default_type(cls, data: Any) -> Any:
        if isinstance(data, dict) and "type" not in data and "accessKeyId" in data:
            return {**data, "type": "keys"}
        return data


class ToggleRequest(_Strict):
    enabled: StrictBool


class StoredCredentials(BaseModel):
    """The credentials-table item. `secret` is the envelope (see logic/envelope.py), never plaintext."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True, defer_build=True)

    user_id: str = Field(alias="userId")
    external_id: str | None = Field(None, alias="externalId")
    type: Literal["keys", "role"] | None = None
    region: str | None = None
    account_id: str | None = Field(None, alias="accountId")
    enabled: bool = False
    role_arn: str | None = Field(None, alias="roleArn")
    key_hint: str | None = Field(None, alias="keyHint")
    secret: dict[str, Any] | None = None
    created_at: str | None = Field(None, alias="createdAt")
    updated_at: str | None = Field(None, alias="updatedAt")

    @property
    def configured(self) -> bool:
        return self.type is not None


class CredentialsStatus(BaseModel):
    model_config = ConfigDict(populate_by_name=True, defer_build=True)

    configured: bool
    enabled: bool
    type: Literal["keys", "role"] | None
    region: str | None
    account_id: str | None = Field(alias="accountId")
    role_arn: str | None = Field(None, alias="roleArn")
    access_key_id: str | None = Field(None, alias="accessKeyId", description="masked, e.g. AKIA…WXYZ")
    updated_at: str | None = Field(alias="updatedAt")
    last_import: dict[str, Any] | None = Field(alias="lastImport")


def mask_key_id(access_key_id: str) -> str:
    return f"{access_key_id[:4]}…{access_key_id[-4:]}"
