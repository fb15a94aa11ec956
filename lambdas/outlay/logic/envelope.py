"""AES-256-GCM for envelope encryption (pure: the data key comes from the caller, e.g. KMS).

The user's `sub` is the AAD: a ciphertext copied onto another user's row fails authentication even
before KMS (which binds the same `sub` as encryption context) is asked for the data key.

`cryptography` is imported by `seal`/`open_envelope` only: it ships in the envelope function's asset
alone (issue 19), while the format (`Envelope`, `EnvelopeBox`) is shared with the functions that call it.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from typing import Protocol

ENVELOPE_VERSION = 1
NONCE_BYTES = 12  # 96-bit nonce, the GCM standard size; random per encryption
KEY_BYTES = 32  # AES-256


class EnvelopeError(Exception):
    """Authentication failed or the envelope is malformed. Never carries key or plaintext material."""


@dataclass(frozen=True)
class Envelope:
    """What is stored: all fields base64 (standard alphabet), plus the format version."""

    ciphertext: str
    nonce: str
    encrypted_data_key: str
    version: int = ENVELOPE_VERSION

    def to_item(self) -> dict[str, str | int]:
        return {
            "ciphertext": self.ciphertext,
            "nonce": self.nonce,
            "encryptedDataKey": self.encrypted_data_key,
            "version": self.version,
        }

    @classmethod
    def from_item(cls, item: dict[str, object]) -> Envelope:
        try:
            return cls(
                ciphertext=str(item["ciphertext"]),
                nonce=str(item["nonce"]),
                encrypted_data_key=str(item["encryptedDataKey"]),
                version=int(str(item.get("version", ENVELOPE_VERSION))),
            )
        except (KeyError, ValueError) as exc:
            raise EnvelopeError("malformed envelope") from exc


class EnvelopeBox(Protocol):
    """Seals and opens one user's secrets: KmsEnvelope in the envelope function, EnvelopeFunction
    (a Lambda invoke of it) everywhere else."""

    def encrypt(self, sub: str, plaintext: bytes) -> Envelope: ...

    def decrypt(self, sub: str, envelope: Envelope) -> bytes: ...


def aad_for(sub: str) -> bytes:
    return f"outlay:v{ENVELOPE_VERSION}:user:{sub}".encode()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError) as exc:
        raise EnvelopeError("malformed envelope") from exc


def seal(plaintext: bytes, data_key: bytearray, encrypted_data_key: bytes, sub: str) -> Envelope:
    """Encrypt `plaintext` under `data_key` with a fresh random nonce, binding `sub` as AAD.

    The caller's `data_key` buffer is zeroed before returning (best effort: Python may hold copies).
    """
    # Imported on use (here and in open_envelope): only the envelope function's asset carries it.
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        if len(data_key) != KEY_BYTES:
            raise EnvelopeError("data key must be 32 bytes")
        nonce = os.urandom(NONCE_BYTES)
        ciphertext = AESGCM(data_key).encrypt(nonce, plaintext, aad_for(sub))
    finally:
        zero(data_key)
    return Envelope(ciphertext=b64(ciphertext), nonce=b64(nonce), encrypted_data_key=b64(encrypted_data_key))


def open_envelope(envelope: Envelope, data_key: bytearray, sub: str) -> bytes:
    """Decrypt; raises EnvelopeError when the AAD (sub), key or ciphertext do not match."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        if envelope.version != ENVELOPE_VERSION:
            raise EnvelopeError(f"unsupported envelope version {envelope.version}")
        if len(data_key) != KEY_BYTES:
            raise EnvelopeError("data key must be 32 bytes")
        nonce = unb64(envelope.nonce)
        if len(nonce) != NONCE_BYTES:
            raise EnvelopeError("malformed envelope")
        return AESGCM(data_key).decrypt(nonce, unb64(envelope.ciphertext), aad_for(sub))
    except InvalidTag as exc:
        raise EnvelopeError("ciphertext failed authentication") from exc
    finally:
        zero(data_key)


def zero(buffer: bytearray) -> None:
    for i in range(len(buffer)):
        buffer[i] = 0
