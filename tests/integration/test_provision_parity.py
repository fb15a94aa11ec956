"""`make dev` provisions moto from local/provision.py; this checks it against what CDK synthesizes,
so the local world cannot silently drift from the deployed one (keys, indexes, TTL, password
policy, auth flows, redrive)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from outlay.tables import CREDENTIALS_TABLE, EXPENSES_TABLE, TableSpec

from local import provision as prov

os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def dev_templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Synthesize only the dev stage, once, bundling skipped (cdk-nag is the infra tests' job)."""
    from aws_cdk import App

    from stacks.config import CONTEXT_KEY, load_environments
    from stacks.stage import STACK_IDS, OutlayStage

    context = json.loads((ROOT / "cdk.json").read_text())["context"]
    context["outlay:skipBundling"] = "true"
    app = App(context=context, outdir=str(tmp_path_factory.mktemp("cdk.out")))
    dev = next(c for c in load_environments(context[CONTEXT_KEY]) if c.name == "dev")
    stage = OutlayStage(app, config=dev)
    assembly = stage.synth()
    return {
        stack_id: assembly.get_stack_artifact(getattr(stage, stack_id).artifact_id).template
        for stack_id in STACK_IDS
    }


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


@pytest.mark.parametrize("spec", [EXPENSES_TABLE, CREDENTIALS_TABLE], ids=lambda s: s.logical_name)
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


def test_import_queue_redrive_matches(dev_templates: dict[str, dict[str, Any]]) -> None:
    redrives = [
        q["RedrivePolicy"]
        for q in _of_type(dev_templates["scheduler"], "AWS::SQS::Queue")
        if "RedrivePolicy" in q
    ]
    assert [r["maxReceiveCount"] for r in redrives] == [prov.DLQ_MAX_RECEIVE_COUNT]


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
