"""Entry point of the "envelope" function: seals and opens users' secret envelopes, nothing else.

The only function that may use the KMS key (GenerateDataKey/Decrypt under the user-bound encryption
context, stacks/constructs/envelope_keeper.py), and the only one whose asset carries cryptography. The
costs API and the import worker invoke it synchronously (outlay.dal.envelope_function) with the user
id they got from verified token claims or from that user's own stored item; payloads and answers are
outlay.logic.envelope_calls.

Imports stdlib, boto3 and the envelope modules only (no pydantic, no Powertools: its asset has
neither, local_bundling.ENVELOPE_MODULES). It logs the operation and outcome, never a payload.
"""

from __future__ import annotations

import base64
import logging
import os
from typing import Any

from outlay.dal.kms_envelope import KmsEnvelope
from outlay.handlers.wiring import Lazy
from outlay.logic import envelope_calls as calls
from outlay.logic.aws_errors import StoredSecretUnreadableError
from outlay.logic.errors import UpstreamUnavailableError

logger = logging.getLogger("outlay.envelope")
logger.setLevel(logging.INFO)

KMS_KEY_VARIABLE = "KMS_KEY_ID"


def _build_box() -> KmsEnvelope:
    # os.environ, not a settings model: the settings models are pydantic, which this asset lacks.
    key_id = os.environ.get(KMS_KEY_VARIABLE)
    if not key_id:
        raise RuntimeError(f"{KMS_KEY_VARIABLE} is not set")
    return KmsEnvelope(key_id)


box = Lazy(_build_box)


def handle(payload: object, keeper: KmsEnvelope) -> dict[str, Any]:
    """One request -> its answer; what a caller can act on is an answer, not an exception."""
    try:
        request = calls.parse_request(payload)
    except calls.InvalidEnvelopeRequest as exc:
        logger.warning("envelope request rejected: %s", exc)  # names the field, never its value
        return calls.error_answer(calls.INVALID_REQUEST, str(exc))
    op = calls.SEAL if isinstance(request, calls.SealRequest) else calls.OPEN
    try:
        if isinstance(request, calls.SealRequest):
            sealed = keeper.encrypt(request.sub, request.plaintext)
            return {"envelope": sealed.to_item()}
        plaintext = keeper.decrypt(request.sub, request.envelope)
        return {"plaintext": base64.b64encode(plaintext).decode("ascii")}
    except StoredSecretUnreadableError as exc:
        logger.warning("envelope %s: stored secret unreadable", op)
        return calls.error_answer(calls.UNREADABLE, str(exc))
    except UpstreamUnavailableError as exc:
        logger.warning("envelope %s: KMS unavailable", op)
        return calls.error_answer(calls.UNAVAILABLE, str(exc))


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return handle(event, box())
