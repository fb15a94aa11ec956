"""The envelope function's payloads: what callers send, how it is checked, what comes back.

Two operations, both synchronous (Lambda Invoke, RequestResponse), all bytes as base64:
- `{"op": "seal", "sub", "plaintext"}` -> `{"envelope": {ciphertext, nonce, encryptedDataKey, version}}`;
- `{"op": "open", "sub", "envelope": {...}}` -> `{"plaintext"}`.
An outcome the caller must act on comes back as `{"error": {"code", "message"}}` (never a Lambda
function error, which is kept for crashes and counts in the function's Errors metric). Messages name
a field and what is wrong with it, never its value: a payload carries secrets.
Pure (stdlib only): the envelope function's asset has no pydantic.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any

from outlay.logic.envelope import ENVELOPE_VERSION, Envelope

SEAL = "seal"
OPEN = "open"
# Answer codes -> the same domain errors KmsEnvelope raises (outlay.dal.envelope_function).
INVALID_REQUEST = "InvalidRequest"
UNREADABLE = "StoredSecretUnreadable"
UNAVAILABLE = "Unavailable"

MAX_SUB_CHARS = 128  # a Cognito sub is a 36-character UUID
MAX_PLAINTEXT_BYTES = 16 * 1024  # a key pair is ~100 bytes; nothing we seal comes near
_ENVELOPE_FIELDS = {"ciphertext": str, "nonce": str, "encryptedDataKey": str, "version": int}


class InvalidEnvelopeRequest(ValueError):
    """The payload is not one the envelope function accepts; the message names the field only."""


@dataclass(frozen=True)
class SealRequest:
    sub: str
    plaintext: bytes


@dataclass(frozen=True)
class OpenRequest:
    sub: str
    envelope: Envelope


def seal_request(sub: str, plaintext: bytes) -> dict[str, Any]:
    return {"op": SEAL, "sub": sub, "plaintext": base64.b64encode(plaintext).decode("ascii")}


def open_request(sub: str, envelope: Envelope) -> dict[str, Any]:
    return {"op": OPEN, "sub": sub, "envelope": envelope.to_item()}


def error_answer(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


def parse_request(payload: object) -> SealRequest | OpenRequest:
    """The request in `payload`, or InvalidEnvelopeRequest naming the first field that is wrong."""
    if not isinstance(payload, dict):
        raise InvalidEnvelopeRequest("the payload must be a JSON object")
    op = payload.get("op")
    if op not in (SEAL, OPEN):
        raise InvalidEnvelopeRequest(f"op: must be {SEAL!r} or {OPEN!r}")
    _exact_fields("payload", payload, {"op", "sub", "plaintext" if op == SEAL else "envelope"})
    sub = payload["sub"]
    if not isinstance(sub, str) or not sub.strip() or len(sub) > MAX_SUB_CHARS:
        raise InvalidEnvelopeRequest(f"sub: must be a non-blank string of at most {MAX_SUB_CHARS} characters")
    if op == SEAL:
        return SealRequest(sub=sub, plaintext=_plaintext(payload["plaintext"]))
    return OpenRequest(sub=sub, envelope=_envelope(payload["envelope"]))


def _exact_fields(
    where: str, value: dict[str, Any], expected: set[str], optional: frozenset[str] = frozenset()
) -> None:
    missing = sorted(expected - optional - set(value))
    if missing:
        raise InvalidEnvelopeRequest(f"{where}: missing field {missing[0]!r}")
    unknown = sorted(set(value) - expected)
    if unknown:
        raise InvalidEnvelopeRequest(f"{where}: unknown field {unknown[0]!r}")


def _plaintext(value: object) -> bytes:
    if not isinstance(value, str):
        raise InvalidEnvelopeRequest("plaintext: must be a base64 string")
    try:
        data = base64.b64decode(value.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise InvalidEnvelopeRequest("plaintext: must be a base64 string") from None
    if not data or len(data) > MAX_PLAINTEXT_BYTES:
        raise InvalidEnvelopeRequest(f"plaintext: must be 1 to {MAX_PLAINTEXT_BYTES} bytes")
    return data


def _envelope(value: object) -> Envelope:
    if not isinstance(value, dict):
        raise InvalidEnvelopeRequest("envelope: must be an object")
    _exact_fields("envelope", value, set(_ENVELOPE_FIELDS), optional=frozenset({"version"}))
    for name, kind in _ENVELOPE_FIELDS.items():
        # bool is an int to isinstance: a `true` version is still wrong.
        if name in value and (not isinstance(value[name], kind) or isinstance(value[name], bool)):
            wanted = "string" if kind is str else "number"
            raise InvalidEnvelopeRequest(f"envelope.{name}: must be a {wanted}")
    return Envelope(
        ciphertext=value["ciphertext"],
        nonce=value["nonce"],
        encrypted_data_key=value["encryptedDataKey"],
        version=value.get("version", ENVELOPE_VERSION),
    )
