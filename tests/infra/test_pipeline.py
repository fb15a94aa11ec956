"""Promotion: pipeline shape (staging -> approval -> prod, smoke after each); what differs per env."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest

from stacks.pipeline_stack import (
    PIPELINE_CONTEXT_KEY,
    PIPELINE_STACK_ID,
    SMOKE_COMMANDS,
    SYNTH_COMMANDS,
    PipelineConfig,
    load_pipeline_config,
    require_fixed_environment,
)
from tests.infra.conftest import ROOT, Synthesized, cfn_lint, resources
from tests.infra.delivery_app import BRANCH, CONNECTION_ARN, REPOSITORY, delivery, pipeline_template

pytestmark = pytest.mark.infra


def _stages() -> dict[str, list[dict[str, Any]]]:
    (pipeline,) = resources(pipeline_template(), "AWS::CodePipeline::Pipeline").values()
    return {s["Name"]: s["Actions"] for s in pipeline["Properties"]["Stages"]}


def _buildspec(project_ref: dict[str, str]) -> dict[str, Any]:
    project = pipeline_template()["Resources"][project_ref["Ref"]]
    return json.loads(project["Properties"]["Source"]["BuildSpec"])  # type: ignore[no-any-return]


def test_stages_go_source_build_self_update_assets_then_staging_before_prod() -> None:
    assert list(_stages()) == ["Source", "Build", "UpdatePipeline", "Assets", "Outlay-staging", "Outlay-prod"]


def test_source_is_the_configured_repository_connection() -> None:
    (source,) = _stages()["Source"]
    assert source["ActionTypeId"]["Provider"] == "CodeStarSourceConnection"
    assert source["Configuration"] == {
        "ConnectionArn": CONNECTION_ARN,
        "FullRepositoryId": REPOSITORY,
        "BranchName": BRANCH,
    }


def test_synth_runs_make_test_before_synthesizing_without_docker() -> None:
    (synth,) = _stages()["Build"]
    spec = _buildspec(synth["Configuration"]["ProjectName"])
    commands = spec["phases"]["build"]["commands"]
    assert commands == list(SYNTH_COMMANDS)
    assert commands.index("make test") < commands.index("npx cdk synth")
    assert "make install" in spec["phases"]["install"]["commands"]
    assert spec["artifacts"]["base-directory"] == "cdk.out"
    project = pipeline_template()["Resources"][synth["Configuration"]["ProjectName"]["Ref"]]
    assert project["Properties"]["Environment"]["PrivilegedMode"] is False
    (mutate,) = _stages()["UpdatePipeline"]
    assert "deploy OutlayPipeline" in json.dumps(_buildspec(mutate["Configuration"]["ProjectName"]))


def test_prod_deploys_only_after_a_manual_approval() -> None:
    stages = _stages()
    assert not [a for a in stages["Outlay-staging"] if a["ActionTypeId"]["Category"] == "Approval"]
    prod = stages["Outlay-prod"]
    (approval,) = [a for a in prod if a["ActionTypeId"]["Category"] == "Approval"]
    deploys = [a for a in prod if a["ActionTypeId"]["Category"] == "Deploy"]
    assert deploys
    assert approval["RunOrder"] < min(a["RunOrder"] for a in deploys)


@pytest.mark.parametrize("env", ["staging", "prod"])
def test_every_stack_of_the_stage_deploys_then_a_smoke_test_runs(env: str) -> None:
    actions = _stages()[f"Outlay-{env}"]
    deploys = [a for a in actions if a["ActionTypeId"]["Category"] == "Deploy"]
    stacks = {a["Configuration"]["StackName"] for a in deploys}
    assert stacks == {
        f"Outlay-{env}-{s}" for s in ("auth", "data", "scheduler", "api", "frontend", "analytics")
    }
    (smoke,) = [a for a in actions if a["Name"] == f"Smoke-{env}"]
    assert smoke["RunOrder"] > max(a["RunOrder"] for a in deploys)
    variables = {v["name"]: v["value"] for v in json.loads(smoke["Configuration"]["EnvironmentVariables"])}
    (frontend,) = [a for a in deploys if a.get("Namespace")]
    assert frontend["Configuration"]["StackName"] == f"Outlay-{env}-frontend"
    assert variables == {
        "API_URL": f"#{{{frontend['Namespace']}.ApiUrl}}",
        "SITE_URL": f"#{{{frontend['Namespace']}.SiteUrl}}",
    }
    commands = _buildspec(smoke["Configuration"]["ProjectName"])["phases"]["build"]["commands"]
    assert commands == list(SMOKE_COMMANDS)
    assert "= 401" in commands[0] and '"$API_URL/expenses"' in commands[0]
    assert '"$SITE_URL/config.json"' in commands[1] and 'c["userPoolId"]' in commands[1]


def test_pipeline_deploys_the_same_stacks_make_deploy_does() -> None:
    """`make deploy ENV=prod` deploys stage Outlay-prod; the pipeline deploys that very stage."""
    stages = delivery().stages
    deployed = {
        a["Configuration"]["StackName"] for a in _stages()["Outlay-prod"] if "StackName" in a["Configuration"]
    }
    assert deployed == {s.stack_name for s in stages["prod"].node.children if hasattr(s, "stack_name")}


def test_delivery_app_has_no_unacknowledged_nag_findings() -> None:
    report = json.loads((delivery().outdir / "validation-report.json").read_text())
    findings = [
        (p["pluginName"], v["ruleName"], c["constructPath"])
        for p in report["pluginReports"]
        for v in p["violations"]
        for c in v["violatingConstructs"]
    ]
    assert findings == [], "\n".join(" ".join(f) for f in findings)


def test_pipeline_and_quicksight_templates_are_cfn_lint_clean() -> None:
    """`make cfn-lint` lints cdk.json's app, which has no pipeline until a connection is configured."""
    outdir = delivery().outdir
    templates = [
        outdir / "OutlayPipeline.template.json",
        *sorted(outdir.glob("assembly-Outlay-dev/*.template.json")),
    ]
    assert cfn_lint(templates) == ""


def test_the_pipeline_exists_exactly_when_a_connection_is_configured(synth: Synthesized) -> None:
    configured = json.loads((ROOT / "cdk.json").read_text())["context"][PIPELINE_CONTEXT_KEY]
    pipelines = list(synth.outdir.glob(f"{PIPELINE_STACK_ID}.template.json"))
    assert len(pipelines) == (1 if configured.get("connectionArn") else 0)
    assert load_pipeline_config({"connectionArn": "", "repository": "", "branch": "main"}).enabled is False
    assert (delivery().outdir / f"{PIPELINE_STACK_ID}.template.json").is_file()


def test_pipeline_config_refuses_what_cannot_work(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError, match="owner/name"):
        load_pipeline_config({"connectionArn": CONNECTION_ARN, "repository": "outlay"})
    monkeypatch.delenv("CDK_DEFAULT_ACCOUNT", raising=False)
    monkeypatch.delenv("CDK_DEFAULT_REGION", raising=False)
    with pytest.raises(ValueError, match="account and region"):
        PipelineConfig(connectionArn=CONNECTION_ARN, repository=REPOSITORY).environment()
    # A promoted stage must name its account and region: CDK Pipelines deploys to fixed places.
    unpinned = SimpleNamespace(
        account=None,
        region="us-east-1",
        stage_name="Outlay-prod",
        config=SimpleNamespace(name="prod"),
    )
    with pytest.raises(ValueError, match="set account/region for 'prod'"):
        require_fixed_environment(unpinned)  # type: ignore[arg-type]


# --- what the config says differs between dev and prod, as synthesized --------------------------


def _function_log_retention(synth: Synthesized, env: str) -> set[int]:
    template = synth.json(env, "api")
    return {g["Properties"]["RetentionInDays"] for g in resources(template, "AWS::Logs::LogGroup").values()}


def test_prod_keeps_logs_longer_than_dev(synth: Synthesized) -> None:
    assert _function_log_retention(synth, "dev") == {14}
    assert _function_log_retention(synth, "prod") == {365}


def test_prod_requires_mfa_dev_offers_it(synth: Synthesized) -> None:
    def mfa(env: str) -> str:
        (pool,) = resources(synth.json(env, "auth"), "AWS::Cognito::UserPool").values()
        return str(pool["Properties"]["MfaConfiguration"])

    assert (mfa("dev"), mfa("prod")) == ("OPTIONAL", "ON")


def test_prod_throttles_at_its_own_limits(synth: Synthesized) -> None:
    def limits(env: str) -> tuple[float, int]:
        (stage,) = resources(synth.json(env, "api"), "AWS::ApiGateway::Stage").values()
        (setting,) = stage["Properties"]["MethodSettings"]
        return setting["ThrottlingRateLimit"], setting["ThrottlingBurstLimit"]

    assert limits("dev") == (50, 100)
    assert limits("prod") == (100, 200)


def test_prod_alarms_notify_and_fire_sooner_than_dev(synth: Synthesized) -> None:
    def alarms(env: str) -> dict[str, dict[str, Any]]:
        template = synth.json(env, "analytics")
        return {k: v["Properties"] for k, v in resources(template, "AWS::CloudWatch::Alarm").items()}

    dev, prod = alarms("dev"), alarms("prod")
    assert {a["ActionsEnabled"] for a in dev.values()} == {False}
    assert {a["ActionsEnabled"] for a in prod.values()} == {True}
    (dev_5xx,) = [a for a in dev.values() if a["MetricName"] == "5XXError"]
    (prod_5xx,) = [a for a in prod.values() if a["MetricName"] == "5XXError"]
    assert (dev_5xx["Threshold"], prod_5xx["Threshold"]) == (10, 1)
    assert (dev_5xx["Period"], prod_5xx["Period"]) == (900, 300)


def test_prod_retains_state_dev_destroys_it(synth: Synthesized) -> None:
    def policies(env: str) -> set[str]:
        template = synth.json(env, "data")
        stateful = {**resources(template, "AWS::DynamoDB::Table"), **resources(template, "AWS::KMS::Key")}
        return {r["DeletionPolicy"] for r in stateful.values()}

    assert policies("dev") == {"Delete"}
    assert policies("prod") == {"Retain"}
    (prod_table, *_) = resources(synth.json("prod", "data"), "AWS::DynamoDB::Table").values()
    assert prod_table["Properties"]["DeletionProtectionEnabled"] is True
