"""A known secret key goes through every path (save, import ok + failed, worker, history, forecast,
expense list + CSV export) and must appear in no response, log line, S3 object, queue message or
DynamoDB item; the stored item holds only the envelope."""

from __future__ import annotations

import base64
import io
import json
import logging
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from outlay.handlers import cost_import_worker, costs_api, expenses_api
from outlay.handlers.wiring import reset_all
from outlay.logic.costs_service import CostsService
from outlay.models.settings import load

from .conftest import (
    CREDENTIALS,
    EXPENSES,
    MOTO_DEFAULT_ACCOUNT,
    OCTOBER_GROUPS,
    FakeContext,
    Moto,
    api_event,
    ce_result,
    hybrid_sessions,
)

SECRET = "Zx9+Leak/CanaryS3cr3tValue0123456789ABCD"
KEY_ID = "AKIACANARYKEY0000042"
NEEDLES = {
    "secret": SECRET,
    "secret-b64": base64.b64encode(SECRET.encode()).decode(),
    "secret-b64url": base64.urlsafe_b64encode(SECRET.encode()).decode(),
    "secret-json-escaped": json.dumps(SECRET)[1:-1],
}


def failing_ce() -> Any:
    client = boto3.client("ce", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
    stub = Stubber(client)
    # AWS messages can echo caller details; ours must drop them.
    for _ in range(3):
        stub.add_client_error(
            "get_cost_and_usage",
            service_error_code="AccessDeniedException",
            service_message=f"User {KEY_ID} with secret {SECRET} is not authorized",
        )
    stub.add_client_error(
        "get_cost_forecast", service_error_code="AccessDeniedException", service_message=f"{KEY_ID} {SECRET}"
    )
    stub.activate()
    return client


def test_the_secret_appears_nowhere(
    service: CostsService,
    moto_aws: Moto,
    make_service: Callable[..., CostsService],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    # Powertools loggers bound their stream handler to the stdout of import time: send every
    # stream handler of every logger into one buffer for this test.
    json_logs = io.StringIO()
    for lg in [logging.getLogger(), *(logging.getLogger(n) for n in list(logging.Logger.manager.loggerDict))]:
        for h in lg.handlers:
            ours = not type(h).__module__.startswith("_pytest")
            if ours and isinstance(h, logging.StreamHandler) and not isinstance(h, logging.FileHandler):
                monkeypatch.setattr(h, "stream", json_logs)
    monkeypatch.setenv("POWERTOOLS_LOG_LEVEL", "DEBUG")
    monkeypatch.setenv("RECEIPTS_BUCKET", "leak-test-receipts")
    load.cache_clear()
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="leak-test-receipts")
    bodies: list[str] = []

    def api(method: str, path: str, handler: Any = costs_api.handler, **kwargs: Any) -> dict[str, Any]:
        response = handler(api_event(method, path, **kwargs), FakeContext())
        bodies.append(json.dumps(response))
        return response

    keys = {"type": "keys", "accessKeyId": KEY_ID, "secretAccessKey": SECRET, "region": "us-east-1"}
    assert api("POST", "/aws-credentials", body=keys)["statusCode"] == 200
    api("POST", "/aws-credentials", body={**keys, "secretAccessKey": SECRET + "!" * 100})  # 400 path
    api("GET", "/aws-credentials")

    # a successful import, through the API and through the worker
    moto_aws.queue_ce(
        [ce_result("2026-10-01", "2026-11-01", OCTOBER_GROUPS)], account_id=MOTO_DEFAULT_ACCOUNT
    )
    assert json.loads(api("POST", "/aws-cost-import")["body"])["status"] == "succeeded"
    cost_import_worker.service.use(service)
    bodies.append(json.dumps(cost_import_worker.handler(_sqs("user-a"), FakeContext())))

    # failures: API import, worker import and forecast whose AWS error messages echo the secret
    failing = make_service(sessions=hybrid_sessions(ce=failing_ce()))
    costs_api.service.use(failing)
    assert api("POST", "/aws-cost-import")["statusCode"] == 400
    cost_import_worker.service.use(failing)
    bodies.append(json.dumps(cost_import_worker.handler(_sqs("user-a"), FakeContext())))
    api("GET", "/aws-costs/forecast")
    api("GET", "/aws-cost-import/history")
    api("GET", "/aws-credentials")

    # the expense service's views of the imported expenses
    reset_all()
    assert api("GET", "/expenses", handler=expenses_api.handler)["statusCode"] == 200
    export = api("GET", "/expenses/export", handler=expenses_api.handler)
    assert export["statusCode"] == 200
    reset_all()

    # everything that was written anywhere
    blobs: dict[str, str] = {"responses": "\n".join(bodies)}
    captured = capfd.readouterr()
    blobs["stdout"] = captured.out + json_logs.getvalue()
    blobs["stderr"] = captured.err
    blobs["logging"] = "\n".join(
        r.getMessage() + " " + json.dumps(r.__dict__, default=str) for r in caplog.records
    )
    s3_objects = []
    for bucket in s3.list_buckets()["Buckets"]:
        for obj in s3.list_objects_v2(Bucket=bucket["Name"]).get("Contents", []):
            s3_objects.append(
                s3.get_object(Bucket=bucket["Name"], Key=obj["Key"])["Body"].read().decode("utf-8", "replace")
            )
    assert s3_objects, "the export should have written a CSV"
    assert "AWS - Amazon Simple Storage Service" in "".join(s3_objects)
    blobs["s3"] = "\n".join(s3_objects)
    blobs["dynamodb"] = json.dumps(
        [moto_aws.ddb.scan(TableName=t)["Items"] for t in (EXPENSES, CREDENTIALS)], default=str
    )
    queue = moto_aws.sqs.receive_message(QueueUrl=moto_aws.queue_url, MaxNumberOfMessages=10).get(
        "Messages", []
    )
    blobs["sqs"] = json.dumps(queue)

    assert "Credentials saved successfully" in blobs["responses"]  # the capture did see the flows
    assert "import run finished" in blobs["stdout"]
    for where, text in blobs.items():
        for name, needle in NEEDLES.items():
            assert needle not in text, f"{name} leaked into {where}"
    # the access key id is kept only inside the envelope (botocore's own DEBUG request logs, off in
    # Lambda, contain it in the SigV4 header, so they are not checked for it)
    for where in ("responses", "stdout", "stderr", "s3", "dynamodb", "sqs"):
        assert KEY_ID not in blobs[where], f"access key id leaked into {where}"

    item = moto_aws.credentials_item("user-a")
    assert item is not None
    assert set(item["secret"]["M"]) == {"ciphertext", "nonce", "encryptedDataKey", "version"}


def _sqs(sub: str) -> dict[str, Any]:
    body = {"userId": sub, "months": ["2026-10"], "trigger": "schedule", "kind": "monthly"}
    return {
        "Records": [
            {
                "messageId": "m1",
                "receiptHandle": "r1",
                "body": json.dumps(body),
                "attributes": {"ApproximateReceiveCount": "1"},
                "messageAttributes": {},
                "md5OfBody": "x",
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:q",
                "awsRegion": "us-east-1",
            }
        ]
    }
