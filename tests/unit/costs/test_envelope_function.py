"""The envelope function and the adapter the costs API and the worker call it through (issue 19).

Each call goes three ways and must end the same (results and errors): in-process (`InProcessLambda`),
through a real boto3 Lambda client under botocore's Stubber (the deployed shape: StreamingBody,
FunctionError), and through moto's Lambda as `make dev` does (`local.envelope_lambda.install`). In all
three the envelope handler builds its KmsEnvelope from KMS_KEY_ID, as deployed.
"""

from __future__ import annotations

import base64
import io
import json
import logging
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.response import StreamingBody
from botocore.stub import Stubber
from outlay.dal.envelope_function import EnvelopeFunction, EnvelopeRequestRejected
from outlay.dal.kms_envelope import KmsEnvelope
from outlay.handlers import envelope_keeper
from outlay.logic import envelope_calls as calls
from outlay.logic.aws_errors import StoredSecretUnreadableError
from outlay.logic.envelope import Envelope
from outlay.logic.errors import UpstreamUnavailableError

from local.envelope_lambda import LOCAL_ENVELOPE_FUNCTION, InProcessLambda, install, run

from .conftest import REGION, Moto

SECRET = b'{"accessKeyId": "AKIAEXAMPLE", "secretAccessKey": "s3cr3t-v4lue"}'
DEPLOYED_ARN = "arn:aws:lambda:us-east-1:123456789012:function:outlay-dev-envelope"


class StubbedLambda:
    """A real boto3 Lambda client under Stubber, answered per invoke by the envelope handler as Lambda
    would (Payload a StreamingBody, FunctionError on a crash); Stubber checks the request against the
    Lambda API model."""

    def __init__(self) -> None:
        self.client = boto3.client("lambda", region_name=REGION)
        self.stubber = Stubber(self.client)
        self.stubber.activate()

    def invoke(self, **params: Any) -> dict[str, Any]:
        body, failed = run(params["Payload"])
        response: dict[str, Any] = {"StatusCode": 200, "Payload": StreamingBody(io.BytesIO(body), len(body))}
        if failed:
            response["FunctionError"] = "Unhandled"
        expected = {
            "FunctionName": DEPLOYED_ARN,
            "InvocationType": "RequestResponse",
            "Payload": params["Payload"],
        }
        self.stubber.add_response("invoke", response, expected_params=expected)
        return self.client.invoke(**params)


def _in_process() -> EnvelopeFunction:
    return EnvelopeFunction(LOCAL_ENVELOPE_FUNCTION, lambda_client=InProcessLambda())


def _stubbed() -> EnvelopeFunction:
    return EnvelopeFunction(DEPLOYED_ARN, lambda_client=StubbedLambda())


def _through_moto() -> EnvelopeFunction:
    install()
    return EnvelopeFunction(LOCAL_ENVELOPE_FUNCTION, lambda_client=boto3.client("lambda", region_name=REGION))


TRANSPORTS: dict[str, Callable[[], EnvelopeFunction]] = {
    "in-process": _in_process,
    "stubbed boto3": _stubbed,
    "moto Lambda": _through_moto,
}


def _outcome(call: Callable[[], Any]) -> Any:
    try:
        return ("ok", call())
    except Exception as exc:
        return (type(exc).__name__, str(exc))


def _key_is(monkeypatch: pytest.MonkeyPatch, key_id: str | None) -> None:
    if key_id is None:
        monkeypatch.delenv("KMS_KEY_ID", raising=False)
    else:
        monkeypatch.setenv("KMS_KEY_ID", key_id)
    envelope_keeper.box.use(None)  # the function's next invoke is a cold start


def _scenarios(box: EnvelopeFunction, monkeypatch: pytest.MonkeyPatch, key_id: str) -> list[Any]:
    _key_is(monkeypatch, key_id)
    sealed = box.encrypt("alice", SECRET)
    outcomes = [
        _outcome(lambda: box.decrypt("alice", sealed)),
        _outcome(lambda: box.decrypt("mallory", sealed)),  # another user's row
        _outcome(lambda: box.decrypt("alice", Envelope(sealed.ciphertext, sealed.nonce, "bm90IGEga2V5"))),
    ]
    _key_is(monkeypatch, "alias/no-such-key")  # KMS refuses: our key or policy, not the user's
    outcomes.append(_outcome(lambda: box.encrypt("alice", SECRET)))
    _key_is(monkeypatch, None)  # the function crashes on its first invoke
    outcomes.append(_outcome(lambda: box.encrypt("alice", SECRET)))
    return outcomes


def test_every_transport_gives_the_same_results_and_errors(
    moto_aws: Moto, monkeypatch: pytest.MonkeyPatch
) -> None:
    results = {name: _scenarios(make(), monkeypatch, moto_aws.key_id) for name, make in TRANSPORTS.items()}
    expected = [
        ("ok", SECRET),
        (
            "StoredSecretUnreadableError",
            "The stored AWS credentials could not be decrypted; please save them again",
        ),
        (
            "StoredSecretUnreadableError",
            "The stored AWS credentials could not be decrypted; please save them again",
        ),
        ("UpstreamUnavailableError", "Could not encrypt the credentials right now; please try again later"),
        ("UpstreamUnavailableError", "Could not encrypt the credentials right now; please try again later"),
    ]
    assert results == dict.fromkeys(TRANSPORTS, expected)


def test_errors_are_the_ones_kms_envelope_raises_directly(moto_aws: Moto) -> None:
    direct = KmsEnvelope(moto_aws.key_id, kms_client=moto_aws.kms)
    remote = EnvelopeFunction(LOCAL_ENVELOPE_FUNCTION, lambda_client=InProcessLambda(direct))
    sealed = direct.encrypt("alice", SECRET)  # an envelope stored before the function existed
    assert remote.decrypt("alice", sealed) == SECRET
    for box in (direct, remote):
        with pytest.raises(StoredSecretUnreadableError) as info:
            box.decrypt("bob", sealed)
        assert str(info.value) == "The stored AWS credentials could not be decrypted; please save them again"
    assert direct.decrypt("alice", remote.encrypt("alice", SECRET)) == SECRET


def test_lambda_refusing_the_invoke_is_a_503(moto_aws: Moto) -> None:
    client = boto3.client("lambda", region_name=REGION)
    with Stubber(client) as stubber:
        stubber.add_client_error("invoke", "TooManyRequestsException", "Rate exceeded AKIAEXAMPLE")
        with pytest.raises(UpstreamUnavailableError) as info:
            EnvelopeFunction(DEPLOYED_ARN, lambda_client=client).decrypt(
                "alice", Envelope("YQ==", "YQ==", "YQ==")
            )
    assert "AKIA" not in str(info.value)


def test_a_rejected_request_is_our_bug_not_a_user_error() -> None:
    class Rejecting:
        def invoke(self, **_: Any) -> dict[str, Any]:
            answer = calls.error_answer(calls.INVALID_REQUEST, "sub: must be a non-blank string")
            return {"StatusCode": 200, "Payload": io.BytesIO(json.dumps(answer).encode())}

    with pytest.raises(EnvelopeRequestRejected, match="sub: must be"):
        EnvelopeFunction("f", lambda_client=Rejecting()).encrypt("alice", SECRET)


GOOD_ENVELOPE = {"ciphertext": "YQ==", "nonce": "YQ==", "encryptedDataKey": "YQ==", "version": 1}
PLAINTEXT_B64 = base64.b64encode(SECRET).decode()


@pytest.mark.parametrize(
    ("payload", "named"),
    [
        ([PLAINTEXT_B64], "payload"),
        ({"sub": "alice", "plaintext": PLAINTEXT_B64}, "op"),
        ({"op": "encrypt", "sub": "alice", "plaintext": PLAINTEXT_B64}, "op"),
        ({"op": "seal", "plaintext": PLAINTEXT_B64}, "'sub'"),
        ({"op": "seal", "sub": "alice", "plaintext": PLAINTEXT_B64, "debug": PLAINTEXT_B64}, "'debug'"),
        ({"op": "seal", "sub": " ", "plaintext": PLAINTEXT_B64}, "sub"),
        ({"op": "seal", "sub": "a" * 129, "plaintext": PLAINTEXT_B64}, "sub"),
        ({"op": "seal", "sub": "alice", "plaintext": SECRET.decode()}, "plaintext"),
        ({"op": "seal", "sub": "alice", "plaintext": ""}, "plaintext"),
        ({"op": "open", "sub": "alice", "envelope": PLAINTEXT_B64}, "envelope"),
        ({"op": "open", "sub": "alice", "envelope": {**GOOD_ENVELOPE, "nonce": 7}}, "envelope.nonce"),
        ({"op": "open", "sub": "alice", "envelope": {**GOOD_ENVELOPE, "version": True}}, "envelope.version"),
        (
            {"op": "open", "sub": "alice", "envelope": {"ciphertext": "YQ==", "nonce": "YQ=="}},
            "encryptedDataKey",
        ),
        (
            {"op": "open", "sub": "alice", "envelope": GOOD_ENVELOPE, "plaintext": PLAINTEXT_B64},
            "'plaintext'",
        ),
    ],
)
def test_bad_payloads_are_rejected_naming_the_field_never_its_value(
    payload: Any, named: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    answer = envelope_keeper.handle(payload, KmsEnvelope("never-called", kms_client=object()))
    assert answer["error"]["code"] == calls.INVALID_REQUEST
    assert named in answer["error"]["message"]
    shown = json.dumps(answer) + caplog.text
    assert "s3cr3t" not in shown and PLAINTEXT_B64 not in shown


def test_the_function_never_logs_or_answers_more_than_it_must(
    moto_aws: Moto, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    _key_is(monkeypatch, moto_aws.key_id)
    sealed = envelope_keeper.handler(calls.seal_request("alice", SECRET), None)
    assert set(sealed) == {"envelope"} and "s3cr3t" not in json.dumps(sealed)
    refused = envelope_keeper.handler({"op": "open", "sub": "bob", "envelope": sealed["envelope"]}, None)
    assert refused["error"]["code"] == calls.UNREADABLE
    opened = envelope_keeper.handler({"op": "open", "sub": "alice", "envelope": sealed["envelope"]}, None)
    assert base64.b64decode(opened["plaintext"]) == SECRET
    assert "s3cr3t" not in caplog.text and PLAINTEXT_B64 not in caplog.text
    assert "unreadable" in caplog.text  # the refusal is logged, by its outcome only
