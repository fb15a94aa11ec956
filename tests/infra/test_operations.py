"""Operations: every alarm watches the right metric and reaches the topic; the dashboard shows the rest."""

from __future__ import annotations

import inspect
import json
from typing import Any

import pytest

from stacks.constructs import deliberate as record
from stacks.constructs.operations import IMPORTS_FAILED, IMPORTS_SUCCEEDED, USERS_IMPORTED
from tests.infra.conftest import ENVIRONMENTS, Synthesized, resources

pytestmark = pytest.mark.infra

FUNCTIONS = ("expenses", "costs", "dispatcher", "worker", "lake_writer")
ALARMS_PER_ENVIRONMENT = 1 + len(FUNCTIONS) + 3 + 1  # API 5XX, each function, each DLQ, failed import


def _alarms(synth: Synthesized, env: str) -> dict[str, dict[str, Any]]:
    template = synth.json(env, "analytics")
    return {k: v["Properties"] for k, v in resources(template, "AWS::CloudWatch::Alarm").items()}


def _topic(synth: Synthesized, env: str) -> str:
    (topic,) = resources(synth.json(env, "analytics"), "AWS::SNS::Topic")
    return topic


def _dims(alarm: dict[str, Any]) -> dict[str, Any]:
    return {d["Name"]: d["Value"] for d in alarm.get("Dimensions", [])}


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_alarm_notifies_the_topic_as_configured(synth: Synthesized, env: str) -> None:
    alarms = _alarms(synth, env)
    assert len(alarms) == ALARMS_PER_ENVIRONMENT
    topic = _topic(synth, env)
    for alarm in alarms.values():
        assert alarm["AlarmActions"] == [{"Ref": topic}]
        assert alarm["ActionsEnabled"] is synth.config(env).alarm_actions
        assert alarm["TreatMissingData"] == "notBreaching"
        assert alarm["EvaluationPeriods"] == 1


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_api_5xx_alarm_uses_the_configured_threshold(synth: Synthesized, env: str) -> None:
    config = synth.config(env)
    (alarm,) = [a for a in _alarms(synth, env).values() if a["MetricName"] == "5XXError"]
    assert alarm["Namespace"] == "AWS/ApiGateway"
    assert _dims(alarm) == {"ApiName": f"outlay-{env}"}
    (api,) = resources(synth.json(env, "api"), "AWS::ApiGateway::RestApi").values()
    assert api["Properties"]["Name"] == f"outlay-{env}"  # the dimension names this environment's API
    assert alarm["Statistic"] == "Sum"
    assert alarm["Period"] == 60 * config.alarm_period_minutes
    assert alarm["Threshold"] == config.api_5xx_threshold
    assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"


def test_each_function_has_an_errors_alarm_on_its_own_name(synth: Synthesized) -> None:
    stage = synth.stages["prod"]
    analytics = stage.analytics
    functions = {
        "expenses": stage.api.expenses.function,
        "costs": stage.api.costs.function,
        "dispatcher": stage.scheduler.dispatcher.function,
        "worker": stage.scheduler.worker.function,
        "lake_writer": analytics.lake_writer.handler.function,
    }
    errors = [a for a in _alarms(synth, "prod").values() if a["MetricName"] == "Errors"]
    watched = [_dims(a)["FunctionName"] for a in errors]
    expected = [analytics.resolve(fn.function_name) for fn in functions.values()]
    assert sorted(map(json.dumps, watched)) == sorted(map(json.dumps, expected))
    for alarm in errors:
        assert (alarm["Namespace"], alarm["Statistic"], alarm["Threshold"]) == ("AWS/Lambda", "Sum", 1)
        assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"


def test_each_dead_letter_queue_alarms_when_not_empty(synth: Synthesized) -> None:
    stage = synth.stages["prod"]
    queues = [
        stage.scheduler.dead_letters,
        stage.scheduler.dispatch_failures,
        stage.analytics.lake_writer.failures,
    ]
    depth = [
        a for a in _alarms(synth, "prod").values() if a["MetricName"] == "ApproximateNumberOfMessagesVisible"
    ]
    watched = sorted(json.dumps(_dims(a)["QueueName"]) for a in depth)
    assert watched == sorted(json.dumps(stage.analytics.resolve(q.queue_name)) for q in queues)
    for alarm in depth:
        assert (alarm["Namespace"], alarm["Statistic"], alarm["Threshold"]) == ("AWS/SQS", "Maximum", 1)
        assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"


def test_a_failed_import_alarms_on_the_workers_own_metric(synth: Synthesized) -> None:
    from outlay.handlers import cost_import_worker

    namespace = synth.config("prod").metrics_namespace
    (alarm,) = [a for a in _alarms(synth, "prod").values() if a["MetricName"] == "ImportsFailed"]
    assert (alarm["Namespace"], alarm["Statistic"], alarm["Threshold"]) == (namespace, "Sum", 1)
    assert alarm["Period"] == 3600
    assert _dims(alarm) == {"service": IMPORTS_FAILED.service}
    # The alarm only hears what the worker emits: its namespace is the one the stack gives the
    # worker, the service dimension and metric names are the ones the worker's code uses.
    workers = [
        f["Properties"]["Environment"]["Variables"]
        for f in resources(synth.json("prod", "scheduler"), "AWS::Lambda::Function").values()
        if f["Properties"]["Handler"] == "outlay.handlers.cost_import_worker.handler"
    ]
    assert [w["POWERTOOLS_METRICS_NAMESPACE"] for w in workers] == [namespace]
    assert cost_import_worker.metrics.service == IMPORTS_FAILED.service
    source = inspect.getsource(cost_import_worker)
    for metric in (IMPORTS_FAILED, IMPORTS_SUCCEEDED, USERS_IMPORTED):
        assert f'name="{metric.name}"' in source


def test_each_environment_has_its_own_metrics_namespace(synth: Synthesized) -> None:
    """dev's failed import must never ring staging's or prod's alarm in a shared account."""
    namespaces = {}
    for env in ENVIRONMENTS:
        for fn in resources(synth.json(env, "api"), "AWS::Lambda::Function").values():
            variables = fn["Properties"]["Environment"]["Variables"]
            namespaces.setdefault(env, set()).add(variables["POWERTOOLS_METRICS_NAMESPACE"])
        custom = {
            a["Namespace"] for a in _alarms(synth, env).values() if not a["Namespace"].startswith("AWS/")
        }
        assert custom == namespaces[env]
    assert len({frozenset(v) for v in namespaces.values()}) == len(ENVIRONMENTS)


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_alarm_topic_is_tls_only_and_silent_without_an_email(synth: Synthesized, env: str) -> None:
    template = synth.json(env, "analytics")
    (topic,) = resources(template, "AWS::SNS::Topic").values()
    # No server-side encryption, on purpose and said on the topic: CloudWatch could publish only
    # through a second customer managed key ($1/month), for messages that carry no user data.
    assert "KmsMasterKeyId" not in topic["Properties"]
    skips = {s["id"]: s["comment"] for s in topic["Metadata"]["checkov"]["skip"]}
    assert "aws/sns" in skips[record.TOPIC_ENCRYPTION.id]
    assert resources(template, "AWS::KMS::Key") == {}
    (policy,) = resources(template, "AWS::SNS::TopicPolicy").values()
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    (deny,) = [s for s in statements if s["Effect"] == "Deny"]
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    # The policy replaces SNS's default one: only this account's alarms may publish.
    (allow,) = [s for s in statements if s["Effect"] == "Allow"]
    assert allow["Principal"] == {"Service": "cloudwatch.amazonaws.com"} and allow["Action"] == "sns:Publish"
    assert allow["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
    assert ":alarm:*" in json.dumps(allow["Condition"]["ArnLike"]["aws:SourceArn"])
    assert synth.config(env).alarm_email == ""
    assert resources(template, "AWS::SNS::Subscription") == {}


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_dashboard_exists_only_where_configured(synth: Synthesized, env: str) -> None:
    dashboards = resources(synth.json(env, "analytics"), "AWS::CloudWatch::Dashboard")
    assert len(dashboards) == (1 if synth.config(env).dashboard else 0)
    assert synth.config("dev").dashboard is False  # $3/month for a dashboard nobody watches


def _dashboard_probe(synth: Synthesized) -> dict[str, Any]:
    """Operations with the dashboard on, over stand-ins for the API, functions and queues."""
    from aws_cdk import App, Stack
    from aws_cdk import aws_apigateway as apigw
    from aws_cdk import aws_lambda as lambda_
    from aws_cdk import aws_sqs as sqs
    from aws_cdk.assertions import Template

    from stacks.constructs.operations import Operations

    stack = Stack(App(), "probe")
    api = apigw.RestApi(stack, "Api")
    api.root.add_method("GET", apigw.MockIntegration())
    Operations(
        stack,
        "Operations",
        config=synth.config("prod").model_copy(update={"dashboard": True}),
        api=api,
        functions={n: lambda_.Function.from_function_name(stack, n, n) for n in FUNCTIONS},
        dead_letter_queues={
            n: sqs.Queue.from_queue_arn(stack, f"{n}Queue", f"arn:aws:sqs:us-east-1:111111111111:{n}")
            for n in ("import", "dispatch", "lake_writer")
        },
    )
    return Template.from_stack(stack).to_json()  # type: ignore[no-any-return]


def test_dashboard_shows_api_lambda_queue_and_import_metrics(synth: Synthesized) -> None:
    (dashboard,) = resources(_dashboard_probe(synth), "AWS::CloudWatch::Dashboard").values()
    body = json.dumps(dashboard["Properties"]["DashboardBody"])
    for metric in (
        "4XXError",
        "5XXError",
        "Latency",
        "IntegrationLatency",
        "Errors",
        "Throttles",
        "Duration",
        "ApproximateNumberOfMessagesVisible",
        "ImportsSucceeded",
        "ImportsFailed",
        "UsersImported",
        "ExpensesCreated",
    ):
        assert f'\\"{metric}\\"' in body, metric
    assert body.count('\\"Throttles\\"') == len(FUNCTIONS)
    assert '\\"alarms\\"' in body  # the alarm status widget
