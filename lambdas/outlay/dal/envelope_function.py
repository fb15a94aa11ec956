"""EnvelopeBox over the envelope function: KmsEnvelope's interface, one Lambda invoke per call.

Only the envelope function holds the KMS key and cryptography (issue 19: each asset ≤ 15 MB); the
costs API and the import worker call it through this adapter and see the errors KmsEnvelope raises:
an unreadable stored secret -> StoredSecretUnreadableError; KMS, Lambda or the function failing ->
UpstreamUnavailableError (503, and a retry for the worker). A request the function rejects is our bug
(the caller builds every payload), so it is an EnvelopeRequestRejected, not a user-facing error.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from outlay.dal.kms_envelope import unavailable_error, unreadable_error
from outlay.logic import envelope_calls as calls
from outlay.logic.envelope import Envelope, EnvelopeError

logger = logging.getLogger(__name__)

# An envelope call is one KMS request (~20 ms warm, ~0.5 s after a cold start); the function gives up at
# 5 s (stacks/constructs/envelope_keeper.py), so two attempts fail well inside the API's 29 s.
_CLIENT_CONFIG = Config(connect_timeout=3, read_timeout=8, retries={"mode": "standard", "max_attempts": 2})


class EnvelopeRequestRejected(RuntimeError):
    """The envelope function rejected a payload this adapter built: a bug on our side, never user input."""


class EnvelopeFunction:
    def __init__(self, function_name: str, lambda_client: Any = None) -> None:
        self._function = function_name
        self._client = lambda_client

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = boto3.client("lambda", config=_CLIENT_CONFIG)
        return self._client

    def encrypt(self, sub: str, plaintext: bytes) -> Envelope:
        answer = self._call("encrypt", calls.seal_request(sub, plaintext))
        try:
            return Envelope.from_item(answer["envelope"])
        except (KeyError, TypeError, EnvelopeError):
            raise unavailable_error("encrypt") from None

    def decrypt(self, sub: str, envelope: Envelope) -> bytes:
        answer = self._call("decrypt", calls.open_request(sub, envelope))
        try:
            return base64.b64decode(str(answer["plaintext"]).encode("ascii"), validate=True)
        except (KeyError, binascii.Error, UnicodeEncodeError):
            raise unavailable_error("decrypt") from None

    def _call(self, verb: str, request: dict[str, Any]) -> dict[str, Any]:
        try:
            response = self.client.invoke(
                FunctionName=self._function,
                InvocationType="RequestResponse",
                Payload=json.dumps(request).encode(),
            )
            body = response["Payload"].read()
        except (ClientError, BotoCoreError):
            raise unavailable_error(verb) from None
        if response.get("FunctionError"):
            # A crash, timeout or init failure of the function: its message may quote anything, so
            # only its type is logged.
            logger.warning("envelope function failed: %s", _error_type(body))
            raise unavailable_error(verb)
        try:
            answer = json.loads(body)
        except ValueError:
            raise unavailable_error(verb) from None
        if not isinstance(answer, dict):
            raise unavailable_error(verb)
        error = answer.get("error")
        if error is None:
            return answer
        code = error.get("code") if isinstance(error, dict) else None
        if code == calls.UNREADABLE:
            raise unreadable_error()
        if code == calls.INVALID_REQUEST:
            raise EnvelopeRequestRejected(str(error.get("message", "")))
        raise unavailable_error(verb)


def _error_type(body: bytes) -> str:
    try:
        return str(json.loads(body).get("errorType", "unknown"))
    except (ValueError, AttributeError):
        return "unknown"
