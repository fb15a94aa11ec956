"""Guard rails in the templates: concurrency caps, versions of data, queues, and deliberate exceptions.

A scanner over the templates (checkov) expects some guard rails everywhere. Each one is either closed
in the template or recorded on that very resource as a deliberate exception with a reason
(stacks/constructs/deliberate.py); never both, never neither.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from typing import Any

import pytest
from aws_cdk import App, Stack

from stacks.constructs import deliberate as record
from stacks.constructs.nag import MIN_REASON
from stacks.scheduler_stack import WORKER_MAX_CONCURRENCY
from tests.infra.conftest import ENVIRONMENTS, ROOT, Synthesized, resources

pytestmark = pytest.mark.infra

Props = dict[str, Any]


def _records(resource: dict[str, Any]) -> dict[str, str]:
    skips = resource.get("Metadata", {}).get(record.METADATA_KEY, {}).get("skip", [])
    return {s["id"]: s["comment"] for s in skips}


def _encrypted_variables(p: Props) -> bool:
    return "Environment" not in p or "KmsKeyArn" in p


# resource type -> [(the check, is its guard rail closed in these properties?)]
GUARD_RAILS: dict[str, list[tuple[record.Check, Callable[[Props], bool]]]] = {
    "AWS::Lambda::Function": [
        (record.CONCURRENCY_CAP, lambda p: "ReservedConcurrentExecutions" in p),
        (record.LAMBDA_DLQ, lambda p: "TargetArn" in p.get("DeadLetterConfig", {})),
        (record.LAMBDA_VPC, lambda p: "VpcConfig" in p),
        (record.LAMBDA_ENV_CMK, _encrypted_variables),
    ],
    "AWS::S3::Bucket": [
        (record.BUCKET_VERSIONING, lambda p: p.get("VersioningConfiguration", {}).get("Status") == "Enabled"),
        (record.BUCKET_ACCESS_LOGS, lambda p: "LoggingConfiguration" in p),
    ],
    "AWS::Logs::LogGroup": [(record.LOG_GROUP_CMK, lambda p: "KmsKeyId" in p)],
    "AWS::DynamoDB::Table": [(record.TABLE_CMK, lambda p: "KMSMasterKeyId" in p.get("SSESpecification", {}))],
    "AWS::ApiGateway::Stage": [(record.API_CACHE, lambda p: p.get("CacheClusterEnabled") is True)],
    "AWS::CloudFront::Distribution": [
        (record.CLOUDFRONT_WAF, lambda p: "WebACLId" in p["DistributionConfig"]),
        (
            record.CLOUDFRONT_TLS,
            lambda p: "MinimumProtocolVersion" in p["DistributionConfig"].get("ViewerCertificate", {}),
        ),
    ],
    "AWS::SQS::Queue": [(record.QUEUE_CMK, lambda p: "KmsMasterKeyId" in p)],
    "AWS::SNS::Topic": [(record.TOPIC_ENCRYPTION, lambda p: "KmsMasterKeyId" in p)],
}
CATALOG = {c.id: c for c in vars(record).values() if isinstance(c, record.Check)}


def test_every_guard_rail_is_closed_or_recorded_never_both(synth: Synthesized) -> None:
    seen: set[str] = set()
    for env, stack_id, template in synth.all_templates():
        for logical_id, resource in template["Resources"].items():
            recorded = _records(resource)
            for check, closed in GUARD_RAILS.get(resource["Type"], []):
                where = (env, stack_id, logical_id, check.id)
                assert closed(resource.get("Properties", {})) != (check.id in recorded), where
                seen.add(check.id)
    assert seen == {c.id for checks in GUARD_RAILS.values() for c, _ in checks}  # every row was exercised


def test_every_recorded_exception_names_a_known_check_and_gives_its_reason(synth: Synthesized) -> None:
    count = 0
    for env, stack_id, template in synth.all_templates():
        for logical_id, resource in template["Resources"].items():
            skips = resource.get("Metadata", {}).get(record.METADATA_KEY, {}).get("skip", [])
            ids = [s["id"] for s in skips]
            assert len(ids) == len(set(ids)), (env, logical_id, "recorded twice")
            for skip in skips:
                assert skip["id"] in CATALOG, (env, stack_id, logical_id, skip)
                assert len(skip["comment"]) >= MIN_REASON, (env, stack_id, logical_id, skip)
                count += 1
    assert count > 0


def test_a_deliberate_exception_needs_a_reason_and_is_recorded_once() -> None:
    from aws_cdk import aws_sqs as sqs

    queue = sqs.Queue(Stack(App(), "probe"), "Queue")
    with pytest.raises(ValueError, match="real reason"):
        record.deliberate(queue, record.QUEUE_CMK, "because")
    record.deliberate(queue, record.QUEUE_CMK, "a reason long enough to be one")
    with pytest.raises(ValueError, match="record it once"):
        record.deliberate(queue, record.QUEUE_CMK, "the same choice written down a second time")
    assert record.recorded(record.cfn_resource(queue)) == {"CKV_AWS_27": "a reason long enough to be one"}


# --- concurrency ---------------------------------------------------------------------------------


def _functions(synth: Synthesized, env: str) -> dict[str, dict[str, Any]]:
    return {
        f"{stack_id}/{logical_id}": fn
        for _, stack_id, template in ((e, s, t) for e, s, t in synth.all_templates() if e == env)
        for logical_id, fn in resources(template, "AWS::Lambda::Function").items()
    }


def _cap_of(functions: dict[str, dict[str, Any]], prefix: str) -> int:
    (fn,) = [f for k, f in functions.items() if k.startswith(prefix)]
    return int(fn["Properties"]["ReservedConcurrentExecutions"])


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_function_is_capped_where_the_environment_caps_them(synth: Synthesized, env: str) -> None:
    config = synth.config(env)
    functions = _functions(synth, env)
    assert len(functions) >= 8  # 5 of ours + aws-cdk-lib's deploy-time providers
    for where, fn in functions.items():
        cap = fn["Properties"].get("ReservedConcurrentExecutions")
        if config.concurrency.enabled:
            assert isinstance(cap, int) and cap >= 1, where
        else:
            assert cap is None, where
            assert "reservedConcurrency.enabled=false" in _records(fn)[record.CONCURRENCY_CAP.id], where


def test_caps_are_on_in_staging_and_prod_and_off_in_dev(synth: Synthesized) -> None:
    assert [e for e in ENVIRONMENTS if synth.config(e).concurrency.enabled] == ["staging", "prod"]


@pytest.mark.parametrize("env", ["staging", "prod"])
def test_caps_are_sized_from_the_api_throttle_and_the_event_sources(synth: Synthesized, env: str) -> None:
    config = synth.config(env)
    functions = _functions(synth, env)
    api_cap = math.ceil(config.throttle.rate_limit * config.concurrency.api_request_seconds)
    assert _cap_of(functions, "api/Expenses") == _cap_of(functions, "api/Costs") == api_cap
    for background in ("scheduler/Dispatcher", "scheduler/Worker", "analytics/LakeWriter"):
        assert _cap_of(functions, background) == config.concurrency.background
    providers = [
        f for k, f in functions.items() if "POWERTOOLS_SERVICE_NAME" not in json.dumps(f["Properties"])
    ]
    assert providers and all(
        p["Properties"]["ReservedConcurrentExecutions"] == config.concurrency.deployment for p in providers
    )
    # The SQS event source runs at most WORKER_MAX_CONCURRENCY workers: the cap must not throttle them.
    scheduler = synth.json(env, "scheduler")
    (mapping,) = resources(scheduler, "AWS::Lambda::EventSourceMapping").values()
    assert mapping["Properties"]["ScalingConfig"]["MaximumConcurrency"] == WORKER_MAX_CONCURRENCY
    assert _cap_of(functions, "scheduler/Worker") >= WORKER_MAX_CONCURRENCY
    # The envelope function is waited on by both: it must not throttle either at its own cap.
    envelope_cap = _cap_of(functions, "scheduler/EnvelopeKeeper")
    assert envelope_cap == _cap_of(functions, "api/Costs") + _cap_of(functions, "scheduler/Worker")


def test_readme_states_the_reserved_totals_per_environment(synth: Synthesized) -> None:
    readme = " ".join((ROOT / "README.md").read_text().split())
    stated = re.search(r"reserves (\d+) concurrent executions in staging and (\d+) in prod", readme)
    assert stated is not None
    totals = tuple(
        sum(f["Properties"]["ReservedConcurrentExecutions"] for f in _functions(synth, env).values())
        for env in ("staging", "prod")
    )
    assert tuple(map(int, stated.groups())) == totals


# --- versions of data ----------------------------------------------------------------------------


def _bucket(synth: Synthesized, env: str, stack_id: str, prefix: str) -> Props:
    (bucket,) = [
        v for k, v in resources(synth.json(env, stack_id), "AWS::S3::Bucket").items() if k.startswith(prefix)
    ]
    return bucket


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_data_buckets_keep_versions_for_the_configured_days(synth: Synthesized, env: str) -> None:
    days = synth.config(env).noncurrent_version_days
    for prefix in ("Lake", "Receipts"):
        props = _bucket(synth, env, "data", prefix)["Properties"]
        assert props["VersioningConfiguration"] == {"Status": "Enabled"}, prefix
        rules = {r.get("Id"): r for r in props["LifecycleConfiguration"]["Rules"]}
        noncurrent = rules["expire-noncurrent-versions"]
        assert noncurrent["Status"] == "Enabled"
        assert noncurrent["NoncurrentVersionExpiration"] == {"NoncurrentDays": days}
        assert noncurrent["ExpiredObjectDeleteMarker"] is True
        assert "Prefix" not in noncurrent and "TagFilters" not in noncurrent  # the whole bucket
    # A one-day export link leaves nothing behind for longer than a day, versions included.
    exports = {
        r.get("Id"): r
        for r in _bucket(synth, env, "data", "Receipts")["Properties"]["LifecycleConfiguration"]["Rules"]
    }["expire-exports"]
    assert exports["ExpirationInDays"] == 1
    assert exports["NoncurrentVersionExpiration"] == {"NoncurrentDays": 1}


def test_buckets_without_versions_say_why(synth: Synthesized) -> None:
    unversioned = {
        "data/AccessLogs": _bucket(synth, "prod", "data", "AccessLogs"),
        "frontend/SiteBucket": _bucket(synth, "prod", "frontend", "SiteBucket"),
        "analytics/AthenaResults": _bucket(synth, "prod", "analytics", "AthenaResults"),
    }
    for where, bucket in unversioned.items():
        assert "VersioningConfiguration" not in bucket["Properties"], where
        assert record.BUCKET_VERSIONING.id in _records(bucket), where


# --- queues and the asynchronously invoked function ------------------------------------------------


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_queue_is_explicitly_encrypted_and_tls_only(synth: Synthesized, env: str) -> None:
    count = 0
    for stack_id in ("scheduler", "analytics", "api"):
        template = synth.json(env, stack_id)
        denies = {
            p["Properties"]["Queues"][0]["Ref"]
            for p in resources(template, "AWS::SQS::QueuePolicy").values()
            if p["Properties"]["PolicyDocument"]["Statement"][0]["Condition"]
            == {"Bool": {"aws:SecureTransport": "false"}}
        }
        for logical_id, queue in resources(template, "AWS::SQS::Queue").items():
            assert queue["Properties"]["SqsManagedSseEnabled"] is True, logical_id
            assert logical_id in denies, logical_id
            count += 1
    # import queue + DLQ, dispatch, recurring-run, ECB-rates and lake-writer failures, statement chunks + DLQ
    assert count == 8


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_scheduled_dispatcher_keeps_its_dead_letter_queue(synth: Synthesized, env: str) -> None:
    """EventBridge invokes the dispatcher asynchronously: a call that keeps failing is kept, not lost."""
    template = synth.json(env, "scheduler")
    (dispatcher,) = [
        v for k, v in resources(template, "AWS::Lambda::Function").items() if k.startswith("Dispatcher")
    ]
    failures = next(k for k in resources(template, "AWS::SQS::Queue") if k.startswith("DispatchFailures"))
    assert dispatcher["Properties"]["DeadLetterConfig"]["TargetArn"] == {"Fn::GetAtt": [failures, "Arn"]}
    for key, rule in resources(template, "AWS::Events::Rule").items():
        if key.startswith(("Recurring", "FxRates")):
            continue  # the recurring run and the ECB rates have their own failures queues
        assert rule["Properties"]["Targets"][0]["DeadLetterConfig"]["Arn"] == {
            "Fn::GetAtt": [failures, "Arn"]
        }
