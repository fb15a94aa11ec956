"""The ECB rates plumbing: its own table, a daily schedule, and grants that keep users' data and the
rates apart (the rates function cannot touch expenses; the expenses API only reads rates)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from outlay.event_sources import FX_RATES, FX_RATES_SCHEDULE

from tests.infra.conftest import Synthesized, resources
from tests.infra.test_functions import _actions, _function, _role_statements

pytestmark = pytest.mark.infra


def _rates_statements(template: dict[str, Any]) -> list[dict[str, Any]]:
    return _role_statements(template, _function(template, "FxRatesFetcher"))


def test_rates_live_in_their_own_table_with_pitr(synth: Synthesized) -> None:
    data = synth.json("prod", "data")
    tables = {k: v["Properties"] for k, v in resources(data, "AWS::DynamoDB::Table").items()}
    rates = next(props for k, props in tables.items() if k.startswith("FxRatesTable"))
    assert rates["KeySchema"] == [
        {"AttributeName": "source", "KeyType": "HASH"},
        {"AttributeName": "date", "KeyType": "RANGE"},
    ]
    assert rates["BillingMode"] == "PAY_PER_REQUEST"
    assert rates["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}


def test_a_daily_schedule_invokes_the_rates_function_with_a_dead_letter_queue(synth: Synthesized) -> None:
    template = synth.json("prod", "scheduler")
    rules = {k: v["Properties"] for k, v in resources(template, "AWS::Events::Rule").items()}
    rule = next(props for k, props in rules.items() if k.startswith("FxRates"))
    assert rule["ScheduleExpression"] == FX_RATES_SCHEDULE == "cron(0 17 * * ? *)"
    target = rule["Targets"][0]
    fn = next(k for k in resources(template, "AWS::Lambda::Function") if k.startswith("FxRatesFetcher"))
    assert target["Arn"] == {"Fn::GetAtt": [fn, "Arn"]}
    assert "Arn" in target["DeadLetterConfig"]
    assert target["RetryPolicy"]["MaximumRetryAttempts"] == FX_RATES.schedule_retry_attempts
    props = resources(template, "AWS::Lambda::Function")[fn]["Properties"]
    assert props["Handler"] == "outlay.handlers.fx_rates.handler"
    assert props["Timeout"] == FX_RATES.timeout_s
    assert set(props["Environment"]["Variables"]) >= {"RATES_TABLE"}
    assert not {"EXPENSES_TABLE", "CREDENTIALS_TABLE", "KMS_KEY_ID"} & set(props["Environment"]["Variables"])


def test_the_rates_function_writes_only_the_rates_table(synth: Synthesized) -> None:
    scheduler = synth.json("dev", "scheduler")
    statements = _rates_statements(scheduler)
    dynamo = [s for s in statements if "dynamodb:" in json.dumps(s["Action"])]
    assert len(dynamo) == 1
    assert "FxRatesTable" in json.dumps(dynamo[0]["Resource"])
    assert _actions(statements, "FxRatesTable") == {"dynamodb:Query", "dynamodb:PutItem"}
    for other in ("ExpensesTable", "AwsCredentialsTable", "CredentialsKey"):
        assert other not in json.dumps(statements), other
    assert not any("kms:" in json.dumps(s["Action"]) for s in statements)


def test_the_expenses_api_only_reads_rates(synth: Synthesized) -> None:
    api = synth.json("dev", "api")
    expenses = _function(api, "Expenses")
    assert "RATES_TABLE" in expenses["Properties"]["Environment"]["Variables"]
    on_rates = _actions(_role_statements(api, expenses), "FxRatesTable")
    assert on_rates == {"dynamodb:GetItem", "dynamodb:Query"}
    for name in ("Costs", "Account"):
        assert not _actions(_role_statements(api, _function(api, name)), "FxRatesTable"), name


def test_the_rates_function_retries_as_the_spec_says(synth: Synthesized) -> None:
    template = synth.json("dev", "scheduler")
    configs = resources(template, "AWS::Lambda::EventInvokeConfig")
    (config,) = [v["Properties"] for k, v in configs.items() if k.startswith("FxRates")]
    assert config["MaximumRetryAttempts"] == FX_RATES.retry_attempts
    assert config["MaximumEventAgeInSeconds"] == FX_RATES.max_event_age_s
    queues = resources(template, "AWS::SQS::Queue")
    (failures,) = [v["Properties"] for k, v in queues.items() if k.startswith("FxRatesFailures")]
    assert failures["MessageRetentionPeriod"] == FX_RATES.failure_retention_days * 86400
