"""The scheduled path: dispatcher (scan enabled users -> SQS batches) and worker (partial batch
responses: one user's failure never fails the others; permanent failures are not retried)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from outlay.dal.aws_sessions import AwsSessions
from outlay.dal.import_queue import ImportQueue
from outlay.handlers import cost_import_dispatcher, cost_import_worker
from outlay.logic.costs_service import CostsService
from outlay.models.cost_import import ImportMessage
from pydantic import ValidationError

from .conftest import KEYS, MOTO_DEFAULT_ACCOUNT, OCTOBER_GROUPS, FakeContext, Moto, call, ce_result

GOOD_KEY = "AKIAGOODUSER00000001"
BAD_KEY = "AKIABADUSER000000002"


def save(sub: str, key_id: str = GOOD_KEY, enabled: bool = True) -> None:
    status, _ = call(
        "POST", "/aws-credentials", body={**KEYS, "accessKeyId": key_id, "enabled": enabled}, sub=sub
    )
    assert status == 200


def drain(moto_aws: Moto) -> list[dict[str, Any]]:
    out = []
    while True:
        got = moto_aws.sqs.receive_message(QueueUrl=moto_aws.queue_url, MaxNumberOfMessages=10).get(
            "Messages", []
        )
        if not got:
            return out
        for m in got:
            out.append(json.loads(m["Body"]))
            moto_aws.sqs.delete_message(QueueUrl=moto_aws.queue_url, ReceiptHandle=m["ReceiptHandle"])


def test_dispatcher_queues_only_enabled_users(service: CostsService, moto_aws: Moto) -> None:
    save("user-a")
    save("user-b")
    save("user-c", enabled=False)
    call("DELETE", "/aws-credentials", sub="user-b")
    save("user-d")
    cost_import_dispatcher.service.use(service)
    result = cost_import_dispatcher.handler({"kind": "monthly"}, FakeContext())
    assert result == {"users": 2, "connections": 2, "queued": 2, "failed": 0, "kind": "monthly"}
    bodies = sorted(drain(moto_aws), key=lambda b: b["userId"])
    assert [b.pop("connectionId") for b in bodies] == [
        moto_aws.connection_ids("user-a")[0],
        moto_aws.connection_ids("user-d")[0],
    ]
    assert bodies == [
        {"userId": "user-a", "months": ["2026-10"], "trigger": "schedule", "kind": "monthly"},
        {"userId": "user-d", "months": ["2026-10"], "trigger": "schedule", "kind": "monthly"},
    ]


def test_dispatcher_from_env_and_finalize_with_explicit_month(service: CostsService, moto_aws: Moto) -> None:
    save("user-a")
    cost_import_dispatcher.service.use(None)  # built from DispatcherSettings (env), like in Lambda
    result = cost_import_dispatcher.handler(
        {"detail": {"kind": "finalize", "month": "2026-09"}}, FakeContext()
    )
    assert result["queued"] == 1 and result["kind"] == "finalize"
    [connection_id] = moto_aws.connection_ids("user-a")
    assert drain(moto_aws) == [
        {
            "userId": "user-a",
            "months": ["2026-09"],
            "trigger": "schedule",
            "kind": "finalize",
            "connectionId": connection_id,
        }
    ]
    with pytest.raises(ValidationError):
        cost_import_dispatcher.handler({"kind": "monthly", "month": "2026-9"}, FakeContext())


def test_dispatcher_pages_through_many_users_in_batches_of_ten(service: CostsService, moto_aws: Moto) -> None:
    from outlay.dal.connections_repo import LEGACY_ID, ConnectionsRepository

    from .conftest import CREDENTIALS

    for i in range(23):
        moto_aws.ddb.put_item(
            TableName=CREDENTIALS,
            Item={"userId": {"S": f"u{i:02d}"}, "type": {"S": "keys"}, "enabled": {"BOOL": i % 5 != 0}},
        )
    repo = ConnectionsRepository(CREDENTIALS, dynamodb_client=moto_aws.ddb)
    found = list(repo.enabled_connections(page_size=4))  # scan pages followed
    assert len(found) == 18 and {cid for _, cid in found} == {LEGACY_ID}  # not migrated yet
    batches: list[int] = []
    moto_aws.sqs.meta.events.register(
        "provide-client-params.sqs.SendMessageBatch",
        lambda params, **_: batches.append(len(params["Entries"])),
    )
    cost_import_dispatcher.service.use(service)
    assert cost_import_dispatcher.handler({}, FakeContext())["queued"] == 18
    assert batches == [10, 8]


class FlakySqs:
    """SendMessageBatch that fails some entries the first time (throttled), then accepts them."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def send_message_batch(self, QueueUrl: str, Entries: list[dict[str, str]]) -> dict[str, Any]:
        ids = [e["Id"] for e in Entries]
        self.calls.append(ids)
        if len(self.calls) == 1:
            return {
                "Successful": [{"Id": i} for i in ids[:-2]],
                "Failed": [{"Id": i, "SenderFault": False, "Code": "ThrottlingException"} for i in ids[-2:]]
                + [],
            }
        return {"Successful": [{"Id": i} for i in ids], "Failed": []}


def test_failed_batch_entries_are_retried() -> None:
    sqs = FlakySqs()
    queue = ImportQueue("url", sqs_client=sqs, sleep=lambda _s: None)
    messages = [ImportMessage.model_validate({"userId": f"u{i}", "months": ["2026-10"]}) for i in range(5)]
    result = queue.send_all(messages)
    assert (result.sent, result.failed) == (5, 0)
    assert sqs.calls == [["0", "1", "2", "3", "4"], ["3", "4"]]


def sqs_event(*bodies: dict[str, Any]) -> dict[str, Any]:
    return {
        "Records": [
            {
                "messageId": f"msg-{i}",
                "receiptHandle": f"rh-{i}",
                "body": json.dumps(body),
                "attributes": {"ApproximateReceiveCount": "1"},
                "messageAttributes": {},
                "md5OfBody": "x",
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:imports",
                "awsRegion": "us-east-1",
            }
            for i, body in enumerate(bodies)
        ]
    }


def per_key_sessions(bad_code: str) -> AwsSessions:
    """Cost Explorer answers from moto for GOOD_KEY and with `bad_code` for BAD_KEY."""
    real = boto3.session.Session()
    bad = boto3.client("ce", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
    stub = Stubber(bad)
    for _ in range(5):
        stub.add_client_error(
            "get_cost_and_usage", service_error_code=bad_code, service_message=f"{BAD_KEY} nope"
        )
    stub.activate()

    def factory(service: str, **kwargs: Any) -> Any:
        if service == "ce" and kwargs.get("aws_access_key_id") == BAD_KEY:
            return bad
        return real.client(service, **kwargs)

    return AwsSessions(client_factory=factory)


def message(sub: str) -> dict[str, Any]:
    return {"userId": sub, "months": ["2026-10"], "trigger": "schedule", "kind": "monthly"}


@pytest.fixture
def two_users(service: CostsService, moto_aws: Moto) -> Moto:
    save("good-user", GOOD_KEY)
    save("bad-user", BAD_KEY)
    moto_aws.queue_ce(
        [ce_result("2026-10-01", "2026-11-01", OCTOBER_GROUPS)], account_id=MOTO_DEFAULT_ACCOUNT
    )
    return moto_aws


def history(sub: str) -> list[dict[str, Any]]:
    return call("GET", "/aws-cost-import/history", sub=sub)[1]["items"]


def test_transient_failure_is_retried_for_that_message_only(
    two_users: Moto, make_service: Callable[..., CostsService], capsys: pytest.CaptureFixture[str]
) -> None:
    cost_import_worker.service.use(make_service(sessions=per_key_sessions("ThrottlingException")))
    result = cost_import_worker.handler(sqs_event(message("bad-user"), message("good-user")), FakeContext())
    assert result == {"batchItemFailures": [{"itemIdentifier": "msg-0"}]}
    good, bad = history("good-user"), history("bad-user")
    assert (
        good[0]["status"] == "succeeded"
        and good[0]["trigger"] == "schedule"
        and good[0]["expensesCreated"] == 4
    )
    assert bad[0]["status"] == "failed" and "throttling" in bad[0]["error"]
    assert len(two_users.expense_items("good-user")) == 4 and two_users.expense_items("bad-user") == []
    metrics = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    emitted = {m["Name"] for doc in metrics for d in doc["_aws"]["CloudWatchMetrics"] for m in d["Metrics"]}
    assert {"ImportsSucceeded", "ImportsFailed", "UsersImported", "ExpensesImported"} <= emitted
    assert metrics[0]["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "Outlay"


@pytest.mark.parametrize(
    "code", ["AccessDeniedException", "UnrecognizedClientException", "ExpiredTokenException"]
)
def test_permanent_failure_is_recorded_and_not_retried(
    two_users: Moto, make_service: Callable[..., CostsService], code: str
) -> None:
    cost_import_worker.service.use(make_service(sessions=per_key_sessions(code)))
    result = cost_import_worker.handler(sqs_event(message("bad-user"), message("good-user")), FakeContext())
    assert result == {"batchItemFailures": []}
    bad = history("bad-user")[0]
    assert bad["status"] == "failed" and bad["errorCode"] == "aws_credentials_rejected"
    assert BAD_KEY not in json.dumps(bad)
    assert history("good-user")[0]["status"] == "succeeded"


def test_disabled_or_deleted_since_dispatch_is_skipped(service: CostsService, moto_aws: Moto) -> None:
    save("gone-user")
    call("DELETE", "/aws-credentials", sub="gone-user")
    save("paused-user", enabled=False)
    cost_import_worker.service.use(service)
    result = cost_import_worker.handler(
        sqs_event(message("gone-user"), message("paused-user"), message("never")), FakeContext()
    )
    assert result == {"batchItemFailures": []}
    assert history("gone-user") == [] and history("paused-user") == []


def test_malformed_message_goes_back_to_the_queue_for_the_dlq(service: CostsService) -> None:
    cost_import_worker.service.use(service)
    event = sqs_event({"userId": "x"}, {"months": ["2026-10"]}, message("nobody"))
    result = cost_import_worker.handler(event, FakeContext())
    assert result == {"batchItemFailures": [{"itemIdentifier": "msg-0"}, {"itemIdentifier": "msg-1"}]}


def test_one_connection_failing_never_stops_the_users_other_connections(
    service: CostsService, moto_aws: Moto, make_service: Callable[..., CostsService]
) -> None:
    good = call("POST", "/aws-connections", body={**KEYS, "accessKeyId": GOOD_KEY, "name": "Good"})[1]
    bad = call("POST", "/aws-connections", body={**KEYS, "accessKeyId": BAD_KEY, "name": "Bad"})
    # moto's STS puts both key pairs in its default account: the second is refused as the same account
    assert bad[0] == 409
    role = "arn:aws:iam::444455556666:role/OutlayCostExplorerReadOnly"
    failing = call("POST", "/aws-connections", body={"type": "role", "roleArn": role, "name": "Failing"})[1]
    moto_aws.queue_ce(
        [ce_result("2026-10-01", "2026-11-01", OCTOBER_GROUPS)], account_id=MOTO_DEFAULT_ACCOUNT
    )

    real = boto3.session.Session()
    denied = boto3.client("ce", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
    stub = Stubber(denied)
    stub.add_client_error("get_cost_and_usage", service_error_code="AccessDeniedException")
    stub.activate()

    def factory(name: str, **kwargs: Any) -> Any:  # the role's session has a token; the keys' has not
        if name == "ce" and kwargs.get("aws_session_token"):
            return denied
        return real.client(name, **kwargs)

    worker = make_service(sessions=AwsSessions(client_factory=factory))
    cost_import_dispatcher.service.use(service)
    assert cost_import_dispatcher.handler({"kind": "monthly"}, FakeContext())["queued"] == 2
    bodies = drain(moto_aws)
    assert sorted(b["connectionId"] for b in bodies) == sorted([good["id"], failing["id"]])
    cost_import_worker.service.use(worker)
    result = cost_import_worker.handler(sqs_event(*bodies), FakeContext())
    assert result == {"batchItemFailures": []}  # access denied is permanent: recorded, not retried
    runs = {r["connectionId"]: r for r in history("user-a")}
    assert runs[good["id"]]["status"] == "succeeded" and runs[good["id"]]["expensesCreated"] == 4
    assert runs[failing["id"]]["status"] == "failed" and "Access denied" in runs[failing["id"]]["error"]
    assert len(moto_aws.expense_items("user-a")) == 4
