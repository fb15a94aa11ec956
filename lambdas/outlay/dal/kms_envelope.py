"""Envelope encryption with KMS: a fresh AES-256 data key per secret, bound to the user's `sub`.

KMS `GenerateDataKey` (EncryptionContext {"userId": sub}) gives the plaintext key and its KMS-encrypted
copy; AES-256-GCM (AAD = sub) encrypts the secret locally; only the encrypted key is stored. Decrypt
asks KMS for the key under the same context, so a row copied to another user fails twice: KMS refuses
the context and the AAD does not authenticate.
"""

from __future__ import annotations

from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from outlay.logic import aws_errors
from outlay.logic.envelope import Envelope, EnvelopeError, open_envelope, seal, unb64
from outlay.logic.errors import UpstreamUnavailableError

# KMS says these when the context or ciphertext does not match: the stored secret is unusable.
_UNREADABLE = {"InvalidCiphertextException", "IncorrectKeyException", "InvalidKeyUsageException"}


def _context(sub: str) -> dict[str, str]:
    return {"userId": sub}


def unreadable_error() -> aws_errors.StoredSecretUnreadableError:
    # Public with unavailable_error: EnvelopeFunction raises the same errors for the same answers.
    return aws_errors.StoredSecretUnreadableError(
        "The stored AWS credentials could not be decrypted; please save them again"
    )


class KmsEnvelope:
    def __init__(self, key_id: str, kms_client: Any = None) -> None:
        self._key_id = key_id
        self._client = kms_client

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = boto3.client("kms")
        return self._client

    def encrypt(self, sub: str, plaintext: bytes) -> Envelope:
        try:
            response = self.client.generate_data_key(
                KeyId=self._key_id, KeySpec="AES_256", EncryptionContext=_context(sub)
            )
        except (ClientError, BotoCoreError):
            # Our own key, policy or KMS availability: nothing the user can fix, so a 503.
            raise unavailable_error("encrypt") from None
        key = bytearray(response.pop("Plaintext"))
        return seal(plaintext, key, response["CiphertextBlob"], sub)  # seal zeroes `key`

    def decrypt(self, sub: str, envelope: Envelope) -> bytes:
        try:
            blob = unb64(envelope.encrypted_data_key)
        except EnvelopeError:
            raise unreadable_error() from None
        try:
            response = self.client.decrypt(
                CiphertextBlob=blob, EncryptionContext=_context(sub), KeyId=self._key_id
            )
        except ClientError as exc:
            if _code(exc) in _UNREADABLE:
                raise unreadable_error() from None
            raise unavailable_error("decrypt") from None
        except BotoCoreError:
            raise unavailable_error("decrypt") from None
        key = bytearray(response.pop("Plaintext"))
        try:
            return open_envelope(envelope, key, sub)
        except EnvelopeError:
            raise unreadable_error() from None


def unavailable_error(verb: str) -> UpstreamUnavailableError:
    return UpstreamUnavailableError(f"Could not {verb} the credentials right now; please try again later")


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", "Unknown"))
