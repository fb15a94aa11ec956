"""Every Lambda: one runtime/arch/logging/tracing standard, and grants that match its bounded context."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk import Stack
from outlay.routes import EVENT_FUNCTIONS, HTTP_FUNCTIONS

from stacks.constructs import grants
from stacks.constructs.cdk_providers import AWS_CUSTOM_RESOURCE_ID, BUCKET_DEPLOYMENT_PREFIX
from stacks.constructs.local_bundling import CORE_ASSET, ENVELOPE_ASSET, LAMBDAS_DIR
from stacks.constructs.python_function import OutlayFunction
from tests.infra.conftest import ENVIRONMENTS, Synthesized, resources

pytestmark = pytest.mark.infra

ENVELOPE_PREFIX = "EnvelopeKeeper"  # logical ids of the envelope function (scheduler/Envelope/Keeper)


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
    assert _mentions(costs, "AwsCredentialsTable")
    assert not _mentions(costs, "CredentialsKey")  # the envelope function opens its secrets
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
    """The dispatcher and worker read credentials; only the costs API writes them."""
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


def _kms_statements(statements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [s for s in statements if "kms:" in json.dumps(s["Action"])]


# What grants.envelope_key must say: only userId as context, userId present, only direct calls.
USER_BOUND = {
    "ForAllValues:StringEquals": {"kms:EncryptionContextKeys": [grants.ENVELOPE_CONTEXT_KEY]},
    "Null": {f"kms:EncryptionContext:{grants.ENVELOPE_CONTEXT_KEY}": "false", "kms:ViaService": "true"},
}


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_dispatcher_has_no_kms_permission_at_all(synth: Synthesized, env: str) -> None:
    """It only learns who has a connection; it never sees a secret, in IAM as in code."""
    scheduler = synth.json(env, "scheduler")
    dispatcher = _function(scheduler, "Dispatcher")
    assert _kms_statements(_role_statements(scheduler, dispatcher)) == []
    assert "KMS_KEY_ID" not in dispatcher["Properties"]["Environment"]["Variables"]


def test_envelope_key_is_usable_only_with_the_users_context(synth: Synthesized) -> None:
    for env in ENVIRONMENTS:
        template = synth.json(env, "scheduler")
        (statement,) = _kms_statements(_role_statements(template, _function(template, ENVELOPE_PREFIX)))
        assert statement["Effect"] == "Allow"
        assert sorted(statement["Action"]) == ["kms:Decrypt", "kms:GenerateDataKey"]
        assert "CredentialsKey" in json.dumps(statement["Resource"])
        assert statement["Condition"] == USER_BOUND, env


def test_only_the_costs_api_and_the_worker_may_invoke_the_envelope_function(synth: Synthesized) -> None:
    """lambda:InvokeFunction on the envelope function itself (no `:*` versions), and on nothing else."""
    callers = set()
    for env, stack_id, template in synth.all_templates():
        for logical_id, fn in resources(template, "AWS::Lambda::Function").items():
            if not _ours(logical_id):
                continue
            for statement in _role_statements(template, fn):
                if not any(a.startswith("lambda:") for a in _statement_actions(statement)):
                    continue
                assert _statement_actions(statement) == ["lambda:InvokeFunction"], (env, logical_id)
                resource = json.dumps(statement["Resource"])
                assert ENVELOPE_PREFIX in resource and "*" not in resource, (env, logical_id, resource)
                callers.add((stack_id, logical_id.split("Function")[0]))
    assert callers == {("api", "Costs"), ("scheduler", "Worker")}


def test_no_function_holds_an_unconditioned_kms_permission(synth: Synthesized) -> None:
    for env, stack_id, template in synth.all_templates():
        for logical_id, fn in resources(template, "AWS::Lambda::Function").items():
            if not _ours(logical_id):
                continue
            for statement in _kms_statements(_role_statements(template, fn)):
                assert statement.get("Condition") == USER_BOUND, (env, stack_id, logical_id)


def test_only_the_envelope_function_holds_the_key_and_ships_cryptography(synth: Synthesized) -> None:
    """The KMS grant and the asset with cryptography come from one declaration (EnvelopeAccess)."""
    openers: set[str] = set()
    for env, stage in synth.stages.items():
        for construct in stage.node.find_all():
            if not isinstance(construct, OutlayFunction):
                continue
            stack = Stack.of(construct)
            template = synth.json(env, stack.node.id)
            logical_id = stack.get_logical_id(construct.function.node.default_child)  # type: ignore[arg-type]
            holds_key = bool(_kms_statements(_role_statements(template, template["Resources"][logical_id])))
            assert holds_key == construct.opens_envelopes, (env, construct.node.path)
            assert (construct.asset is ENVELOPE_ASSET) == construct.opens_envelopes, construct.node.path
            if construct.opens_envelopes:
                openers.add(construct.node.path.split("/", 1)[1])
    assert openers == {"scheduler/Envelope/Keeper"}
    core = (LAMBDAS_DIR / CORE_ASSET.requirements).read_text()
    assert (
        "cryptography" not in core
        and "cryptography" in (LAMBDAS_DIR / ENVELOPE_ASSET.requirements).read_text()
    )
    assert not {"pydantic", "aws-lambda-powertools"} & _requirement_names(ENVELOPE_ASSET.requirements)


def _requirement_names(requirements: str) -> set[str]:
    lines = (LAMBDAS_DIR / requirements).read_text().splitlines()
    return {line.split("==")[0].strip() for line in lines if line.strip() and not line.startswith("#")}


def test_tables_need_no_kms_permission_to_read(synth: Synthesized) -> None:
    """Both tables use DynamoDB's AWS managed key: reading one never needs the customer managed key."""
    for env in ENVIRONMENTS:
        for table in resources(synth.json(env, "data"), "AWS::DynamoDB::Table").values():
            assert table["Properties"]["SSESpecification"] == {"SSEEnabled": True}, env


class _RecordingKms:
    """Stands in for the KMS client: answers like KMS and remembers each call's arguments."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def generate_data_key(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("GenerateDataKey", kwargs))
        return {"Plaintext": bytes(range(32)), "CiphertextBlob": b"sealed-data-key"}

    def decrypt(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("Decrypt", kwargs))
        return {"Plaintext": bytes(range(32))}


def test_the_conditions_match_the_calls_the_envelope_code_makes() -> None:
    """The IAM conditions are written for KmsEnvelope's real calls: direct, context = {userId: sub}."""
    from outlay.dal.kms_envelope import KmsEnvelope

    kms = _RecordingKms()
    envelope = KmsEnvelope("key-id", kms_client=kms)
    sealed = envelope.encrypt("user-sub", b"secret")
    assert envelope.decrypt("user-sub", sealed) == b"secret"
    assert [name for name, _ in kms.calls] == ["GenerateDataKey", "Decrypt"]
    for _, kwargs in kms.calls:
        assert kwargs["EncryptionContext"] == {grants.ENVELOPE_CONTEXT_KEY: "user-sub"}


def test_costs_function_grants_and_environment(synth: Synthesized) -> None:
    api = synth.json("dev", "api")
    fn = _function(api, "Costs")
    statements = _role_statements(api, fn)
    actions = {
        a for s in statements for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    }
    assert {"lambda:InvokeFunction", "sqs:SendMessage", "sts:AssumeRole"} <= actions
    assert not any(a.startswith("kms:") for a in actions)
    assume = next(s for s in statements if s["Action"] == "sts:AssumeRole")
    assert assume["Resource"] == {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::*:role/*"]]}
    env = fn["Properties"]["Environment"]["Variables"]
    assert set(env) >= {
        "EXPENSES_TABLE",
        "CREDENTIALS_TABLE",
        "ENVELOPE_FUNCTION",
        "IMPORT_QUEUE_URL",
        "SERVICE_ACCOUNT_ID",
        "ALLOWED_ORIGINS",
    }
    assert "KMS_KEY_ID" not in env
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


def _statement_actions(statement: dict[str, Any]) -> list[str]:
    return statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]


def _actions_by_resource(statements: list[dict[str, Any]]) -> dict[str, set[str]]:
    """Resource (as JSON, to compare CloudFormation references) -> every action granted on it."""
    granted: dict[str, set[str]] = {}
    for statement in statements:
        actions = _statement_actions(statement)
        targets = (
            statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        )
        for target in targets:
            granted.setdefault(json.dumps(target, sort_keys=True), set()).update(actions)
    return granted


def test_account_function_deletes_everywhere_and_nothing_more(synth: Synthesized) -> None:
    """Account self-service may delete across both tables, both data buckets and the user pool, with
    exactly the actions it needs: no KMS at all, no table writes beyond deletion, no index."""
    api = synth.json("dev", "api")
    fn = _function(api, "Account")
    assert fn["Properties"]["Handler"] == HTTP_FUNCTIONS["account"]
    env = fn["Properties"]["Environment"]["Variables"]
    assert set(env) >= {
        "EXPENSES_TABLE",
        "CREDENTIALS_TABLE",
        "RECEIPTS_BUCKET",
        "LAKE_BUCKET",
        "USER_POOL_ID",
        "ALLOWED_ORIGINS",
    }
    statements = [s for s in _role_statements(api, fn) if s["Resource"] != "*"]  # "*" = X-Ray only
    assert not any(a.startswith("kms:") for s in statements for a in _statement_actions(s))
    granted = {
        resource: actions
        for resource, actions in _actions_by_resource(statements).items()
        if "LogGroup" not in resource and "Logs" not in resource
    }
    by_target: dict[str, set[str]] = {}
    for resource, actions in granted.items():
        if "ExpensesTable" in resource:
            by_target["expenses"] = actions
        elif "AwsCredentials" in resource:
            by_target["credentials"] = actions
        elif "UserPool" in resource:
            by_target["pool"] = actions
        elif "Receipts" in resource:
            by_target["receipts objects" if "/*" in resource else "receipts bucket"] = actions
        elif "Lake" in resource:
            by_target["lake objects" if "expenses/*" in resource else "lake bucket"] = actions
        else:
            by_target[resource] = actions
    assert len(by_target) == len(granted), granted  # each resource recognised once
    assert by_target == {
        "expenses": {"dynamodb:Query", "dynamodb:BatchWriteItem"},
        "credentials": {"dynamodb:GetItem", "dynamodb:DeleteItem"},
        "receipts bucket": {"s3:ListBucket", "s3:ListBucketVersions"},
        "receipts objects": {
            "s3:GetObject",
            "s3:PutObject",
            "s3:PutObjectTagging",
            "s3:AbortMultipartUpload",
            "s3:DeleteObject",
            "s3:DeleteObjectVersion",
        },
        "lake bucket": {"s3:ListBucketVersions"},
        "lake objects": {"s3:DeleteObject", "s3:DeleteObjectVersion"},
        "pool": {"cognito-idp:AdminDeleteUser"},
    }


def test_only_the_account_function_may_delete_users_or_object_versions(synth: Synthesized) -> None:
    for env, stack_id, template in synth.all_templates():
        for logical_id, fn in resources(template, "AWS::Lambda::Function").items():
            if not _ours(logical_id) or logical_id.startswith("Account"):
                continue
            actions = {
                a for s in _role_statements(template, fn) for a in _actions_by_resource([s]).popitem()[1]
            }
            assert not actions & {"cognito-idp:AdminDeleteUser", "s3:DeleteObjectVersion"}, (
                env,
                stack_id,
                logical_id,
            )
