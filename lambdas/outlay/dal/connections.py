"""From a stored connection to a working Cost Explorer client (and validation before saving)."""

from __future__ import annotations

import json
from typing import Any

from outlay.dal.aws_sessions import AwsSessions, TemporaryCredentials
from outlay.dal.cost_explorer import CostExplorer, RateGate
from outlay.logic.envelope import Envelope, EnvelopeBox, EnvelopeError
from outlay.logic.errors import CredentialsRejectedError, InvalidInputError
from outlay.models.credentials import KeysCredentialsRequest, StoredCredentials, mask_key_id


class AccountConnector:
    def __init__(self, sessions: AwsSessions, envelope: EnvelopeBox, limiter: RateGate | None = None) -> None:
        self.sessions = sessions
        self.envelope = envelope
        self.limiter = limiter  # the shared Cost Explorer rate limiter (every deployed path has one)

    # --- validation before saving -------------------------------------------------------------
    def validate_keys(self, request: KeysCredentialsRequest) -> str:
        creds = TemporaryCredentials(request.access_key_id, request.secret_access_key.get_secret_value())
        return self.sessions.caller_account(creds, region=request.region)

    def validate_role(self, sub: str, role_arn: str, external_id: str) -> str:
        account, _ = self.sessions.role_account(role_arn, external_id, sub)
        return account

    def seal_keys(self, sub: str, request: KeysCredentialsRequest) -> dict[str, Any]:
        """The stored fields for a key pair: the envelope of both values + a masked key id hint."""
        payload = json.dumps(
            {
                "accessKeyId": request.access_key_id,
                "secretAccessKey": request.secret_access_key.get_secret_value(),
            }
        ).encode()
        envelope = self.envelope.encrypt(sub, payload)
        return {"secret": envelope.to_item(), "keyHint": mask_key_id(request.access_key_id)}

    # --- use -----------------------------------------------------------------------------------
    def credentials_for(self, sub: str, stored: StoredCredentials) -> TemporaryCredentials:
        if stored.type == "keys":
            if not stored.secret:
                raise CredentialsRejectedError("The stored AWS keys are incomplete; please save them again")
            try:
                envelope = Envelope.from_item(stored.secret)
            except EnvelopeError:
                raise CredentialsRejectedError(
                    "The stored AWS keys are unreadable; please save them again"
                ) from None
            data = json.loads(self.envelope.decrypt(sub, envelope))
            return TemporaryCredentials(data["accessKeyId"], data["secretAccessKey"])
        if stored.type == "role":
            if not stored.role_arn or not stored.external_id:
                raise CredentialsRejectedError("The stored role is incomplete; please connect it again")
            return self.sessions.assume_role(stored.role_arn, stored.external_id, sub)
        raise InvalidInputError("AWS credentials are not configured: connect an account in Settings first")

    def is_management_account(self, sub: str, stored: StoredCredentials) -> bool:
        """Whether the connection's account manages an AWS organization (then its import reads
        every linked account). False when Organizations may not be asked (optional permission)."""
        creds = self.credentials_for(sub, stored)
        return bool(stored.account_id) and self.sessions.management_account_of(creds) == stored.account_id

    def connect(self, sub: str, stored: StoredCredentials) -> CostExplorer:
        creds = self.credentials_for(sub, stored)
        return CostExplorer(
            self.sessions.cost_explorer(creds),
            account_id=stored.account_id or "unknown",
            organization=bool(getattr(stored, "is_organization", False)),
            organizations_client=lambda: self.sessions.organizations(creds),
            limiter=self.limiter,
        )
