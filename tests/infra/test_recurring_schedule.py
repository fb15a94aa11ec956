"""The daily recurring run: its schedule, its target and the runner's grants (expenses table only)."""

from __future__ import annotations

from typing import Any

import pytest
from outlay.event_sources import RECURRING_RUN

from tests.infra.conftest import Synthesized, resources

pytestmark = pytest.mark.infra


def _runner(template: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return next(
        (k, v)
        for k, v in resources(template, "AWS::Lambda::Function").items()
        if k.startswith("RecurringRunner")
    )


def test_one_daily_schedule_invokes_the_runner_with_a_dead_letter_queue(synth: Synthesized) -> None:
    template = synth.json("prod", "scheduler")
    daily = [r for k, r in resources(template, "AWS::Events::Rule").items() if k.startswith("Recurring")]
    assert len(daily) == 1
    props = daily[0]["Properties"]
    assert props["ScheduleExpression"] == "cron(15 0 * * ? *)"  # once a day, 00:15 UTC
    target = props["Targets"][0]
    runner_id, runner = _runner(template)
    assert target["Arn"] == {"Fn::GetAtt": [runner_id, "Arn"]}
    assert "Arn" in target["DeadLetterConfig"]
    assert target["RetryPolicy"]["MaximumRetryAttempts"] == RECURRING_RUN.schedule_retry_attempts
    assert runner["Properties"]["Handler"] == "outlay.handlers.recurring_runner.handler"
    assert runner["Properties"]["Timeout"] == RECURRING_RUN.timeout_s
    assert set(runner["Properties"]["Environment"]["Variables"]) >= {"EXPENSES_TABLE"}
    assert "CREDENTIALS_TABLE" not in runner["Properties"]["Environment"]["Variables"]


def test_runner_may_use_the_expenses_table_and_its_due_index_only(synth: Synthesized) -> None:
    template = synth.json("prod", "scheduler")
    _, runner = _runner(template)
    role = runner["Properties"]["Role"]["Fn::GetAtt"][0]
    policies = [
        p["Properties"]["PolicyDocument"]["Statement"]
        for p in resources(template, "AWS::IAM::Policy").values()
        if {"Ref": role} in p["Properties"]["Roles"]
    ]
    statements = [s for group in policies for s in group]
    table_statements = [s for s in statements if any(a.startswith("dynamodb:") for a in _list(s["Action"]))]
    assert len(table_statements) == 1
    actions = set(_list(table_statements[0]["Action"]))
    assert {
        "dynamodb:Query",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:ConditionCheckItem",
    } <= actions
    assert "dynamodb:Scan" not in actions
    resources_text = str(table_statements[0]["Resource"])
    assert "/index/byDue" in resources_text and "AwsCredentials" not in resources_text
    assert not any(a.startswith(("kms:", "s3:")) for s in statements for a in _list(s["Action"]))
    failures = next(k for k in resources(template, "AWS::SQS::Queue") if k.startswith("RecurringFailures"))
    sends = [s for s in statements if "sqs:SendMessage" in _list(s["Action"])]
    assert sends and all(s["Resource"] == {"Fn::GetAtt": [failures, "Arn"]} for s in sends)


def test_runner_retries_and_failures_follow_the_spec(synth: Synthesized) -> None:
    template = synth.json("prod", "scheduler")
    (config,) = [
        r["Properties"]
        for k, r in resources(template, "AWS::Lambda::EventInvokeConfig").items()
        if k.startswith("Recurring")
    ]
    assert config["MaximumRetryAttempts"] == RECURRING_RUN.retry_attempts
    assert config["MaximumEventAgeInSeconds"] == RECURRING_RUN.max_event_age_s
    failures = next(
        v for k, v in resources(template, "AWS::SQS::Queue").items() if k.startswith("RecurringFailures")
    )
    assert failures["Properties"]["MessageRetentionPeriod"] == RECURRING_RUN.failure_retention_days * 86400


def test_expenses_table_has_the_sparse_due_index(synth: Synthesized) -> None:
    template = synth.json("prod", "data")
    table = next(
        v for k, v in resources(template, "AWS::DynamoDB::Table").items() if k.startswith("Expenses")
    )
    indexes = {i["IndexName"]: i for i in table["Properties"].get("GlobalSecondaryIndexes", [])}
    assert [k["AttributeName"] for k in indexes["byDue"]["KeySchema"]] == ["dueShard", "dueKey"]


def _list(value: Any) -> list[str]:
    return value if isinstance(value, list) else [value]
