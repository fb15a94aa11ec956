"""`make dev` provisions moto from local/provision.py; this checks it against what CDK synthesizes,
so the local world cannot silently drift from the deployed one (keys, indexes, TTL, password
policy, auth flows) and against `outlay.event_sources` (queue visibility, redrive, poller batches and
retries; tests/infra/test_event_source_parity.py checks the stacks against the same spec)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from outlay.event_sources import IMPORT_QUEUE, LAKE_STREAM
from outlay.tables import CREDENTIALS_TABLE, EXPENSES_TABLE, RATES_TABLE, TableSpec

from local import pollers
from local import provision as prov
from local.pollers import StreamPoller
from stacks.stage import STACK_IDS
from tests.infra.conftest import Synthesized

# In-process moto (mock_aws) here: next to the integration tests' running local runtime it would reset
# that runtime's world (moto's backends are process-global), so these run with the infra tests.
pytestmark = pytest.mark.infra


@pytest.fixture(scope="module")
def dev_templates(synth: Synthesized) -> dict[str, dict[str, Any]]:
    """The dev stage's templates from the session's one synthesis (bundling skipped)."""
    return {stack_id: synth.json("dev", stack_id) for stack_id in STACK_IDS}


def _of_type(template: dict[str, Any], resource_type: str) -> list[dict[str, Any]]:
    return [r["Properties"] for r in template["Resources"].values() if r["Type"] == resource_type]


def _table(templates: dict[str, dict[str, Any]], spec: TableSpec) -> dict[str, Any]:
    """The synthesized table whose key schema starts with the spec's partition key and matches it."""
    wanted = [{"AttributeName": spec.partition_key, "KeyType": "HASH"}]
    if spec.sort_key:
        wanted.append({"AttributeName": spec.sort_key, "KeyType": "RANGE"})
    found = [t for t in _of_type(templates["data"], "AWS::DynamoDB::Table") if t["KeySchema"] == wanted]
    found += [
        t for t in _of_type(templates["data"], "AWS::DynamoDB::GlobalTable") if t["KeySchema"] == wanted
    ]
    assert len(found) == 1, f"expected one synthesized table keyed like {spec.logical_name}"
    return found[0]


@pytest.mark.parametrize(
    "spec", [EXPENSES_TABLE, CREDENTIALS_TABLE, RATES_TABLE], ids=lambda s: s.logical_name
)
def test_tables_match(dev_templates: dict[str, dict[str, Any]], spec: TableSpec) -> None:
    local = prov.table_definition(spec)
    deployed = _table(dev_templates, spec)
    assert deployed["KeySchema"] == local["KeySchema"]
    assert sorted(deployed["AttributeDefinitions"], key=lambda a: a["AttributeName"]) == sorted(
        local["AttributeDefinitions"], key=lambda a: a["AttributeName"]
    )

    def indexes(definition: dict[str, Any], key: str) -> list[tuple[str, Any, str]]:
        return sorted(
            (i["IndexName"], i["KeySchema"], i["Projection"]["ProjectionType"])
            for i in definition.get(key, [])
        )

    assert indexes(deployed, "LocalSecondaryIndexes") == indexes(local, "LocalSecondaryIndexes")
    assert indexes(deployed, "GlobalSecondaryIndexes") == indexes(local, "GlobalSecondaryIndexes")
    ttl = deployed.get("TimeToLiveSpecification")
    assert (ttl["AttributeName"] if ttl and ttl.get("Enabled") else None) == spec.ttl_attribute
    stream = deployed.get("StreamSpecification", {}).get("StreamViewType")
    assert stream == local.get("StreamSpecification", {}).get("StreamViewType")


def test_password_policy_matches(dev_templates: dict[str, dict[str, Any]]) -> None:
    (pool,) = _of_type(dev_templates["auth"], "AWS::Cognito::UserPool")
    deployed = pool["Policies"]["PasswordPolicy"]
    for key in ("MinimumLength", "RequireUppercase", "RequireLowercase", "RequireNumbers", "RequireSymbols"):
        assert deployed.get(key) == prov.PASSWORD_POLICY[key], key
    assert pool["UsernameAttributes"] == prov.USERNAME_ATTRIBUTES
    assert pool["AutoVerifiedAttributes"] == prov.AUTO_VERIFIED_ATTRIBUTES


def test_app_client_matches(dev_templates: dict[str, dict[str, Any]]) -> None:
    (client,) = _of_type(dev_templates["auth"], "AWS::Cognito::UserPoolClient")
    assert client.get("GenerateSecret", False) is False
    assert "ALLOW_USER_PASSWORD_AUTH" in client["ExplicitAuthFlows"]
    assert set(client["ExplicitAuthFlows"]) == set(prov.CLIENT_AUTH_FLOWS)
    groups = [g["GroupName"] for g in _of_type(dev_templates["auth"], "AWS::Cognito::UserPoolGroup")]
    assert prov.ADMINS_GROUP in groups


@pytest.fixture(scope="module")
def local_world() -> Iterator[tuple[Any, prov.Resources]]:
    """local/provision.py run against moto in-process (no runtime, no synthesis): its SQS client + names."""
    saved = {k: os.environ.pop(k, None) for k in ("AWS_ENDPOINT_URL", "AWS_PROFILE")}
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing")
    try:
        with mock_aws():
            session = boto3.Session(region_name="us-east-1")
            resources = prov.provision(session, None, ["http://localhost:8000"])  # type: ignore[arg-type]
            yield session.client("sqs"), resources
    finally:
        for key, value in saved.items():
            if value is not None:
                os.environ[key] = value


def _attributes(sqs: Any, url: str) -> dict[str, str]:
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]  # type: ignore[no-any-return]


def test_local_import_queue_has_the_specs_visibility_and_redrive(
    local_world: tuple[Any, prov.Resources],
) -> None:
    sqs, res = local_world
    queue, dlq = _attributes(sqs, res.queue_url), _attributes(sqs, res.dlq_url)
    assert int(queue["VisibilityTimeout"]) == IMPORT_QUEUE.visibility_timeout_s == 1800
    redrive = json.loads(queue["RedrivePolicy"])
    assert int(redrive["maxReceiveCount"]) == IMPORT_QUEUE.max_receive_count
    assert redrive["deadLetterTargetArn"] == dlq["QueueArn"]
    assert int(dlq["MessageRetentionPeriod"]) == IMPORT_QUEUE.dlq_retention_days * 86400


def test_local_stream_has_a_failure_queue_kept_as_long_as_the_stacks(
    local_world: tuple[Any, prov.Resources],
) -> None:
    sqs, res = local_world
    failures = _attributes(sqs, res.lake_failures_url)
    assert int(failures["MessageRetentionPeriod"]) == LAKE_STREAM.failure_retention_days * 86400


def test_local_pollers_use_the_specs_batches_and_retries() -> None:
    assert StreamPoller.batch_size == LAKE_STREAM.batch_size
    assert StreamPoller.retry_attempts == LAKE_STREAM.retry_attempts == 10
    assert StreamPoller.bisect_batch_on_error is LAKE_STREAM.bisect_batch_on_error


def test_local_queue_poller_takes_the_specs_batch_and_redrives_after_max_receives(
    local_world: tuple[Any, prov.Resources], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker that always fails: batches of IMPORT_QUEUE.batch_size, and after max_receive_count
    receives the messages are in the DLQ, as the deployed redrive policy does."""
    sqs, res = local_world
    batches: list[int] = []
    handles: list[str] = []

    def failing_worker(entry: str, name: str, event: dict[str, Any], timeout_s: int = 30) -> Any:
        assert timeout_s == IMPORT_QUEUE.worker_timeout_s
        batches.append(len(event["Records"]))
        handles.extend(r["receiptHandle"] for r in event["Records"])
        raise RuntimeError("worker failed")

    monkeypatch.setattr(pollers, "invoke", failing_worker)
    sent = IMPORT_QUEUE.batch_size + 2
    entries = [{"Id": str(i), "MessageBody": "{}"} for i in range(sent)]
    sqs.send_message_batch(QueueUrl=res.queue_url, Entries=entries)
    arn = _attributes(sqs, res.queue_url)["QueueArn"]
    poller = pollers.QueuePoller(sqs, res.queue_url, arn, "us-east-1")
    for _ in range(IMPORT_QUEUE.max_receive_count):
        while poller.poll_once():
            pass
        assert len(handles) == sent  # every message failed once more and is now invisible
        for handle in handles:  # the visibility timeout (30 minutes) passing, without the wait
            sqs.change_message_visibility(QueueUrl=res.queue_url, ReceiptHandle=handle, VisibilityTimeout=0)
        handles.clear()
    assert max(batches) == IMPORT_QUEUE.batch_size
    assert sum(batches) == sent * IMPORT_QUEUE.max_receive_count
    assert poller.poll_once() is False  # nothing left to receive: all moved to the DLQ
    assert int(_attributes(sqs, res.dlq_url)["ApproximateNumberOfMessages"]) == sent


def _joined(value: Any) -> str:
    """A Custom::AWS property as text, CloudFormation tokens replaced by a placeholder."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return separator.join(_joined(p) for p in parts)
    return "TOKEN"


def test_receipts_bucket_cors_matches(dev_templates: dict[str, dict[str, Any]]) -> None:
    """Deployed, CORS is put on the receipts bucket by an SDK call (frontend stack); locally, directly."""
    calls = [
        json.loads(_joined(r["Create"]))
        for r in _of_type(dev_templates["frontend"], "Custom::AWS")
        if "putBucketCors" in _joined(r.get("Create", ""))
    ]
    assert len(calls) == 1, "the receipts bucket needs CORS for presigned POSTs from the dashboard"
    (deployed,) = calls[0]["parameters"]["CORSConfiguration"]["CORSRules"]
    origins = ["http://localhost:8000", "http://localhost:5173"]
    (local,) = prov.receipts_cors(origins)["CORSRules"]
    assert sorted(local["AllowedMethods"]) == sorted(deployed["AllowedMethods"])
    assert local["AllowedHeaders"] == deployed["AllowedHeaders"]
    assert set(origins) <= set(deployed["AllowedOrigins"])  # dev allows the local origins too
