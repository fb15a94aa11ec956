"""The user pool: deleting a user's sign-in (the last step of deleting an account)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import boto3

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp.client import CognitoIdentityProviderClient


class CognitoIdentity:
    def __init__(self, user_pool_id: str, client: CognitoIdentityProviderClient | None = None) -> None:
        self.user_pool_id = user_pool_id
        self._client = client

    @property
    def client(self) -> CognitoIdentityProviderClient:
        if self._client is None:
            self._client = boto3.client("cognito-idp")
        return self._client

    def delete_user(self, sub: str) -> None:
        """Idempotent: a user already gone is what we want. With e-mail sign-in (the auth stack's
        `sign_in_aliases`), the pool's username is the `sub`."""
        try:
            self.client.admin_delete_user(UserPoolId=self.user_pool_id, Username=sub)
        except self.client.exceptions.UserNotFoundException:
            return
