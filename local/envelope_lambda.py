"""The envelope function without a Lambda service: the same payloads, answers and errors, in-process.

moto has no Lambda that runs our code without Docker, so locally an invoke of the envelope function is
answered here, by its real handler, as Lambda would: the payload goes through JSON both ways, a handler
exception becomes `FunctionError: Unhandled` with Lambda's `{"errorMessage", "errorType"}` body.
- `make dev` (and tests under `mock_aws`): `install()` routes moto's Lambda `Invoke` of
  LOCAL_ENVELOPE_FUNCTION to `run`, so the costs API and the worker reach it through a real boto3
  Lambda client, as deployed, and the handler builds its KmsEnvelope from KMS_KEY_ID, as deployed;
- tests that wire a service by hand: `InProcessLambda(keeper)` is a stand-in Lambda client for
  EnvelopeFunction, around a KmsEnvelope on the test's own KMS client.
"""

from __future__ import annotations

import functools
import io
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from outlay.dal.kms_envelope import KmsEnvelope

# The function name the local runtime gives the callers (ENVELOPE_FUNCTION) and moto_extras answers.
LOCAL_ENVELOPE_FUNCTION = "outlay-local-envelope"


def run(payload: bytes | str, keeper: KmsEnvelope | None = None) -> tuple[bytes, bool]:
    """(answer JSON, whether it is a function error). `keeper` None: the handler's own, from env."""
    from outlay.handlers import envelope_keeper

    try:
        event = json.loads(payload or b"{}")
        answer = envelope_keeper.handle(event, keeper) if keeper else envelope_keeper.handler(event, None)
        return json.dumps(answer).encode(), False
    except Exception as exc:  # what Lambda does with an unhandled exception
        return json.dumps({"errorMessage": str(exc), "errorType": type(exc).__name__}).encode(), True


class InProcessLambda:
    """Enough of boto3's Lambda client for EnvelopeFunction: `invoke`, answered by `run`."""

    def __init__(self, keeper: KmsEnvelope | None = None) -> None:
        self.keeper = keeper

    @classmethod
    def for_key(cls, key_id: str, kms_client: Any) -> InProcessLambda:
        from outlay.dal.kms_envelope import KmsEnvelope

        return cls(KmsEnvelope(key_id, kms_client=kms_client))

    def invoke(self, *, FunctionName: str, InvocationType: str, Payload: bytes) -> dict[str, Any]:
        if InvocationType != "RequestResponse":
            raise ValueError("only RequestResponse invokes are emulated")
        body, failed = run(Payload, self.keeper)
        response: dict[str, Any] = {"StatusCode": 200, "Payload": io.BytesIO(body)}
        if failed:
            response["FunctionError"] = "Unhandled"
        return response


def install() -> None:
    """Idempotent: moto's Lambda backend answers invokes of LOCAL_ENVELOPE_FUNCTION with `run`."""
    from moto.awslambda.models import LambdaBackend

    if not getattr(LambdaBackend.invoke, "_outlay_envelope", False):
        LambdaBackend.invoke = _answered_here(LambdaBackend.invoke)  # type: ignore[method-assign]


def _answered_here(invoke: Any) -> Any:
    @functools.wraps(invoke)
    def wrapper(self: Any, function_name: str, qualifier: Any, body: Any, *rest: Any) -> Any:
        if function_name.rsplit(":", 1)[-1] != LOCAL_ENVELOPE_FUNCTION:
            return invoke(self, function_name, qualifier, body, *rest)
        answer, failed = run(body)
        if failed:
            _request_headers, response_headers = rest
            response_headers["x-amz-function-error"] = "Unhandled"
        return answer

    wrapper._outlay_envelope = True  # type: ignore[attr-defined]
    return wrapper
