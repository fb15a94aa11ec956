"""Every Lambda: one runtime/arch/logging/tracing standard, and grants that match its bounded context."""

from __future__ import annotations

import json
from typing import Any

import pytest
from outlay.routes import EVENT_FUNCTIONS, HTTP_FUNCTIONS

from stacks.constructs.cdk_providers import AWS_CUSTOM_RESOURCE_ID, BUCKET_DEPLOYMENT_PREFIX
from tests.infra.conftest import ENVIRONMENTS, Synthesized, resources

pytestmark = pytest.mark.infra


def _ours(logical_id: str) -> bool:
    """Functions aws-cdk-lib adds for its own custom resources are not ours to standardize."""
    cdk_ids = (BUCKET_DEPLOYMENT_PREFIX.replace(":", ""), AWS_CUSTOM_RESOURCE_ID, "CustomS3AutoDeleteObjects")
    return not logical_id.startswith(cdk_ids)


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_function_follows_the_standard(synth: Synthesized, env: str) -> None:
    handlers = set()
    for _, stack_id, template in ((e, s, t) for e, s, t in synth.all_templates() if e == env):
        log_groups = resources(template, "AWS::Logs::LogGroup")
        for logical_id, fn in resources(template, "AWS::Lambda::Function").items():
            if not _ours(logical_id):
                continue
            props = fn["Properties"]
            where = (stack_id, logical_id)
            assert props["Runtime"] == "python3.14", where
            assert props["Architectures"] == ["arm64"], where
            assert props["TracingConfig"] == {"Mode": "Active"}, where
            assert props["LoggingConfig"]["LogFormat"] == "JSON", where
            log_group = props["LoggingConfig"]["LogGroup"]["Ref"]
            assert (
                log_groups[log_group]["Properties"]["RetentionInDays"] >= synth.config(env).log_retention_days
            )
            assert props["Environment"]["Variables"]["POWERTOOLS_SERVICE_NAME"] == "outlay", where
            assert props["MemorySize"] >= 256 and props["Timeout"] <= 900, where
            handlers.add(props["Handler"])
    # Every entry point of the route table's function maps is deployed, and nothing else.
    assert handlers == {*HTTP_FUNCTIONS.values(), *EVENT_FUNCTIONS.values()}


def _function(template: dict[str, Any], prefix: str) -> dict[str, Any]:
    return next(v for k, v in resources(template, "AWS::Lambda::Function").items() if k.startswith(prefix))


def _role_statements(template: dict[str, Any], fn: dict[str, Any]) -> list[dict[str, Any]]:
    role = fn["Properties"]["Role"]["Fn::GetAtt"][0]
    statements: list[dict[str, Any]] = []
    for policy in resources(template, "AWS::IAM::Policy").values():
        if {"Ref": role} in policy["Properties"]["Roles"]:
            statements += policy["Properties"]["PolicyDocument"]["Statement"]
    role_props = template["Resources"][role]["Properties"]
    assert "ManagedPolicyArns" not in role_props  # nothing granted outside what we can see here
    for inline in role_props.get("Policies", []):
        statements += inline["PolicyDocument"]["Statement"]
    return statements


def _mentions(statements: list[dict[str, Any]], export_fragment: str) -> bool:
    return export_fragment in json.dumps(statements)


def test_expenses_function_cannot_touch_credentials_or_the_key(synth: Synthesized) -> None:
    api = synth.json("dev", "api")
    expenses = _role_statements(api, _function(api, "Expenses"))
    costs = _role_statements(api, _function(api, "Costs"))
    # Cross-stack references arrive as exports named after the data stack's logical ids.
    for fragment in ("AwsCredentialsTable", "CredentialsKey"):
        assert not _mentions(expenses, fragment), fragment
        assert _mentions(costs, fragment), fragment
    assert not any("kms:" in json.dumps(s["Action"]) for s in expenses)
    assert not any("sts:" in json.dumps(s["Action"]) for s in expenses)
    env = _function(api, "Expenses")["Properties"]["Environment"]["Variables"]
    assert set(env) >= {"EXPENSES_TABLE", "RECEIPTS_BUCKET", "ALLOWED_ORIGINS"}
    assert not {"CREDENTIALS_TABLE", "KMS_KEY_ID"} & set(env)


def _actions(statements: list[dict[str, Any]], resource_fragment: str) -> set[str]:
    return {
        a
        for s in statements
        if resource_fragment in json.dumps(s["Resource"])
        for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    }


def test_scheduled_import_only_reads_credentials(synth: Synthesized) -> None:
    """The dispatcher and worker read credentials (and decrypt them); only the costs API writes them."""
    scheduler = synth.json("dev", "scheduler")
    for prefix in ("Dispatcher", "Worker"):
        statements = _role_statements(scheduler, _function(scheduler, prefix))
        on_table = _actions(statements, "AwsCredentialsTable")
        assert "dynamodb:GetItem" in on_table or "dynamodb:Scan" in on_table, prefix
        assert not {
            a
            for a in on_table
            if a.startswith("dynamodb:") and ("Put" in a or "Update" in a or "Delete" in a or "Write" in a)
        }, prefix
        assert _actions(statements, "CredentialsKey") <= {"kms:Decrypt", "kms:DescribeKey"}, prefix


def test_costs_function_grants_and_environment(synth: Synthesized) -> None:
    api = synth.json("dev", "api")
    fn = _function(api, "Costs")
    statements = _role_statements(api, fn)
    actions = {
        a for s in statements for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    }
    assert {"kms:GenerateDataKey", "kms:Decrypt", "sqs:SendMessage", "sts:AssumeRole"} <= actions
    assume = next(s for s in statements if s["Action"] == "sts:AssumeRole")
    assert assume["Resource"] == {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::*:role/*"]]}
    env = fn["Properties"]["Environment"]["Variables"]
    assert set(env) >= {
        "EXPENSES_TABLE",
        "CREDENTIALS_TABLE",
        "KMS_KEY_ID",
        "IMPORT_QUEUE_URL",
        "SERVICE_ACCOUNT_ID",
        "ALLOWED_ORIGINS",
    }
    assert env["SERVICE_ACCOUNT_ID"] == {"Ref": "AWS::AccountId"}
    assert env["ALLOWED_ORIGINS"] == ",".join(synth.config("dev").web_origins)


def test_no_wildcard_actions_in_our_policies(synth: Synthesized) -> None:
    for env, stack_id, template in synth.all_templates():
        for logical_id, fn in resources(template, "AWS::Lambda::Function").items():
            if not _ours(logical_id):
                continue
            for statement in _role_statements(template, fn):
                actions = (
                    statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
                )
                wild = [a for a in actions if "*" in a]
                assert not wild, (env, stack_id, logical_id, wild)


def test_same_origin_environments_allow_no_cross_origin_caller(synth: Synthesized) -> None:
    """Without webOrigins (staging/prod) the site is same-origin via CloudFront: no origin is allowed."""
    api = synth.json("prod", "api")
    assert not synth.config("prod").web_origins
    for prefix in ("Expenses", "Costs"):
        env = _function(api, prefix)["Properties"]["Environment"]["Variables"]
        assert env["ALLOWED_ORIGINS"] == ""


def test_only_xray_needs_every_resource(synth: Synthesized) -> None:
    """OutlayFunction acknowledges IAM5[Resource::*] for X-Ray; nothing else may hide behind that."""
    # dynamodb:ListStreams: CDK's stream-read grant for the lake writer; it has no resource-level form.
    xray = {"xray:PutTraceSegments", "xray:PutTelemetryRecords", "dynamodb:ListStreams"}
    for env, stack_id, template in synth.all_templates():
        for logical_id, fn in resources(template, "AWS::Lambda::Function").items():
            if not _ours(logical_id):
                continue
            for statement in _role_statements(template, fn):
                if statement["Resource"] == "*":
                    actions = (
                        statement["Action"]
                        if isinstance(statement["Action"], list)
                        else [statement["Action"]]
                    )
                    assert set(actions) <= xray, (env, stack_id, logical_id, actions)


def test_lake_writer_may_only_delete_receipts_of_expired_trash(synth: Synthesized) -> None:
    analytics = synth.json("dev", "analytics")
    fn = _function(analytics, "LakeWriter")
    assert "RECEIPTS_BUCKET" in fn["Properties"]["Environment"]["Variables"]
    on_receipts = [s for s in _role_statements(analytics, fn) if _mentions([s], "Receipts")]
    assert on_receipts, "the lake writer deletes the receipts of trash items that TTL removed"
    assert {
        a for s in on_receipts for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    } == {"s3:DeleteObject"}
