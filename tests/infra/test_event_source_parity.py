"""The synthesized queues, event source mappings and async-invoke settings carry exactly the values of
`outlay.event_sources`, the spec the local runtime reads too (tests/infra/test_provision_parity.py
checks the local side against the same spec)."""

from __future__ import annotations

from typing import Any

import pytest
from outlay.event_sources import DISPATCHER, IMPORT_QUEUE, LAKE_STREAM

from tests.infra.conftest import ENVIRONMENTS, Synthesized, resources

pytestmark = pytest.mark.infra

DAY_S = 86400


def _one(template: dict[str, Any], resource_type: str, prefix: str) -> dict[str, Any]:
    found_all = resources(template, resource_type).items()
    (found,) = [v["Properties"] for k, v in found_all if k.startswith(prefix)]
    return found


def _mapping_of(template: dict[str, Any], function_prefix: str) -> dict[str, Any]:
    function = next(k for k in resources(template, "AWS::Lambda::Function") if k.startswith(function_prefix))
    (mapping,) = [
        m["Properties"]
        for m in resources(template, "AWS::Lambda::EventSourceMapping").values()
        if m["Properties"]["FunctionName"] == {"Ref": function}
    ]
    return mapping


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_import_queue_and_worker_mapping_match_the_spec(synth: Synthesized, env: str) -> None:
    template = synth.json(env, "scheduler")
    queue = _one(template, "AWS::SQS::Queue", "ImportQueue")
    assert queue["VisibilityTimeout"] == IMPORT_QUEUE.visibility_timeout_s == 1800
    assert queue["RedrivePolicy"]["maxReceiveCount"] == IMPORT_QUEUE.max_receive_count
    dlq = _one(template, "AWS::SQS::Queue", "ImportDeadLetters")
    assert dlq["MessageRetentionPeriod"] == IMPORT_QUEUE.dlq_retention_days * DAY_S
    assert _one(template, "AWS::Lambda::Function", "Worker")["Timeout"] == IMPORT_QUEUE.worker_timeout_s

    mapping = _mapping_of(template, "Worker")
    assert mapping["BatchSize"] == IMPORT_QUEUE.batch_size
    assert mapping.get("MaximumBatchingWindowInSeconds", 0) == IMPORT_QUEUE.max_batching_window_s
    assert mapping["ScalingConfig"]["MaximumConcurrency"] == IMPORT_QUEUE.max_concurrency
    reports = mapping.get("FunctionResponseTypes") == ["ReportBatchItemFailures"]
    assert reports is IMPORT_QUEUE.report_batch_item_failures


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_dispatcher_retries_match_the_spec(synth: Synthesized, env: str) -> None:
    template = synth.json(env, "scheduler")
    assert _one(template, "AWS::Lambda::Function", "Dispatcher")["Timeout"] == DISPATCHER.timeout_s
    configs = resources(template, "AWS::Lambda::EventInvokeConfig").items()
    # (the ECB rates function and the recurring run have their own: test_fx_rates, test_recurring_schedule)
    (invoke_config,) = [r["Properties"] for k, r in configs if k.startswith("Dispatcher")]
    assert invoke_config["MaximumRetryAttempts"] == DISPATCHER.retry_attempts
    assert invoke_config["MaximumEventAgeInSeconds"] == DISPATCHER.max_event_age_s
    targets = [
        r["Properties"]["Targets"][0]
        for k, r in resources(template, "AWS::Events::Rule").items()
        if not k.startswith(("FxRates", "Recurring"))
    ]
    assert len(targets) == 2
    for target in targets:
        assert target["RetryPolicy"] == {
            "MaximumRetryAttempts": DISPATCHER.schedule_retry_attempts,
            "MaximumEventAgeInSeconds": DISPATCHER.schedule_max_event_age_s,
        }
    failures = _one(template, "AWS::SQS::Queue", "DispatchFailures")
    assert failures["MessageRetentionPeriod"] == DISPATCHER.failure_retention_days * DAY_S


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_lake_stream_mapping_matches_the_spec(synth: Synthesized, env: str) -> None:
    template = synth.json(env, "analytics")
    mapping = _mapping_of(template, "LakeWriter")
    assert mapping["StartingPosition"] == LAKE_STREAM.starting_position
    assert mapping["BatchSize"] == LAKE_STREAM.batch_size
    assert mapping["BisectBatchOnFunctionError"] is LAKE_STREAM.bisect_batch_on_error
    assert mapping["MaximumRetryAttempts"] == LAKE_STREAM.retry_attempts == 10
    assert mapping.get("MaximumRecordAgeInSeconds", -1) == (
        -1 if LAKE_STREAM.max_record_age_s is None else LAKE_STREAM.max_record_age_s
    )
    reports = mapping.get("FunctionResponseTypes") == ["ReportBatchItemFailures"]
    assert reports is LAKE_STREAM.report_batch_item_failures
    failures = next(k for k in resources(template, "AWS::SQS::Queue") if k.startswith("LakeWriterFailures"))
    assert mapping["DestinationConfig"]["OnFailure"]["Destination"] == {"Fn::GetAtt": [failures, "Arn"]}
    queue = _one(template, "AWS::SQS::Queue", "LakeWriterFailures")
    assert queue["MessageRetentionPeriod"] == LAKE_STREAM.failure_retention_days * DAY_S
    assert _one(template, "AWS::Lambda::Function", "LakeWriter")["Timeout"] == LAKE_STREAM.function_timeout_s
