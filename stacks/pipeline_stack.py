"""Delivery: CDK Pipelines. Source (connection) -> synth + `make test` -> staging -> approval -> prod.

The pipeline deploys the very `Outlay-staging` / `Outlay-prod` stages `app.py` builds, so
`make deploy ENV=staging` and the pipeline deploy the same CloudFormation stacks. After each
deployment a smoke step checks what a user would: an unauthenticated API call is refused with 401
and the site serves a `config.json` naming the API and the user pool.

Configured by the `outlay:pipeline` context (cdk.json): connectionArn, repository (owner/name),
branch, and optionally account/region of the pipeline itself (else the CLI's CDK_DEFAULT_*).
"""

from __future__ import annotations

import os
from typing import Any

from aws_cdk import CfnOutput, Environment, Stack, Token, pipelines
from aws_cdk import aws_codebuild as codebuild
from aws_cdk import aws_iam as iam
from constructs import Construct, IConstruct
from pydantic import BaseModel, ConfigDict, Field

from stacks.constructs.nag import acknowledge, acknowledge_findings
from stacks.stage import OutlayStage

PIPELINE_CONTEXT_KEY = "outlay:pipeline"
PIPELINE_STACK_ID = "OutlayPipeline"
# Debian bookworm (Python 3.11 and Debian's chromium for the browser tests) with Node 20: what
# `.ci/run` expects. Pulled from ECR Public's Docker library mirror (no Docker Hub rate limit).
SYNTH_IMAGE = "public.ecr.aws/docker/library/node:20-bookworm"
SYNTH_INSTALL = (
    "apt-get update -qq",
    "DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv chromium make >/dev/null",
    "make install",
)
SYNTH_COMMANDS = ("make test", "npx cdk synth")
SMOKE_COMMANDS = (
    # Every method is Cognito-authorized: without a token API Gateway must refuse with 401.
    'test "$(curl -s -o /dev/null -w \'%{http_code}\' "$API_URL/expenses")" = 401',
    # The dashboard's one contract with its environment is served next to the pages.
    'curl -sf "$SITE_URL/config.json" | python3 -c \'import json,sys; c=json.load(sys.stdin); '
    'assert c["apiUrl"] and c["userPoolId"]\'',
)


class PipelineConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)

    connection_arn: str = Field("", alias="connectionArn")
    repository: str = ""
    branch: str = "main"
    account: str | None = None
    region: str | None = None

    @property
    def enabled(self) -> bool:
        return bool(self.connection_arn)

    def environment(self) -> Environment:
        account = self.account or os.environ.get("CDK_DEFAULT_ACCOUNT")
        region = self.region or os.environ.get("CDK_DEFAULT_REGION")
        if not (account and region):
            raise ValueError(
                f"{PIPELINE_CONTEXT_KEY}: the pipeline needs an account and region: set account/region "
                "there or run with AWS credentials so the CLI sets CDK_DEFAULT_ACCOUNT/CDK_DEFAULT_REGION"
            )
        return Environment(account=account, region=region)


def load_pipeline_config(context: dict[str, Any] | None) -> PipelineConfig:
    config = PipelineConfig.model_validate(context or {})
    if config.enabled and "/" not in config.repository:
        raise ValueError(f"{PIPELINE_CONTEXT_KEY}.repository must be 'owner/name', got {config.repository!r}")
    return config


def require_fixed_environment(stage: OutlayStage) -> None:
    if not (stage.account and stage.region) or Token.is_unresolved(stage.account + stage.region):
        raise ValueError(
            f"the pipeline deploys {stage.stage_name} to a fixed place: set account/region for "
            f"'{stage.config.name}' in cdk.json (outlay:environments) or CDK_DEFAULT_ACCOUNT/REGION"
        )


def smoke_step(stage: OutlayStage) -> pipelines.ShellStep:
    outputs = stage.frontend.node
    return pipelines.ShellStep(
        f"Smoke-{stage.config.name}",
        env_from_cfn_outputs={
            "API_URL": outputs.find_child("ApiUrl"),  # type: ignore[dict-item]
            "SITE_URL": outputs.find_child("SiteUrl"),  # type: ignore[dict-item]
        },
        commands=list(SMOKE_COMMANDS),
    )


class PipelineStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: PipelineConfig,
        staging: OutlayStage,
        prod: OutlayStage,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, env=config.environment(), **kwargs)
        for stage in (staging, prod):
            require_fixed_environment(stage)
        source = pipelines.CodePipelineSource.connection(
            config.repository, config.branch, connection_arn=config.connection_arn
        )
        self.synth_step = pipelines.CodeBuildStep(
            "Synth",
            input=source,
            install_commands=list(SYNTH_INSTALL),
            commands=list(SYNTH_COMMANDS),
            primary_output_directory="cdk.out",
            build_environment=codebuild.BuildEnvironment(
                build_image=codebuild.LinuxBuildImage.from_docker_registry(SYNTH_IMAGE),
                compute_type=codebuild.ComputeType.MEDIUM,
            ),
        )
        cross_account = any(s.account != self.account for s in (staging, prod))
        self.pipeline = pipelines.CodePipeline(
            self,
            "Pipeline",
            synth=self.synth_step,
            self_mutation=True,
            docker_enabled_for_synth=False,
            # One asset-publishing project instead of one per asset: fewer roles, same result.
            publish_assets_in_parallel=False,
            cross_account_keys=cross_account,
            enable_key_rotation=cross_account or None,
        )
        self.staging_smoke = smoke_step(staging)
        self.prod_smoke = smoke_step(prod)
        self.approval = pipelines.ManualApprovalStep(
            "PromoteToProd", comment="Staging passed its smoke test. Promote this commit to prod?"
        )
        self.pipeline.add_stage(staging, post=[self.staging_smoke])
        self.pipeline.add_stage(prod, pre=[self.approval], post=[self.prod_smoke])
        self.pipeline.build_pipeline()
        # The deploy actions' role ARNs (CDK bootstrap roles) are Fn::Join'ed by CDK Pipelines; cfn-lint's
        # E3703 style rule (prefer Fn::Sub) is silenced on this one resource only.
        self.pipeline.pipeline.node.default_child.add_metadata(  # type: ignore[union-attr]
            "cfn-lint", {"config": {"ignore_checks": ["E3703"]}}
        )
        self._acknowledge()
        CfnOutput(self, "PipelineName", value=self.pipeline.pipeline.pipeline_name)

    # cdk-nag: CDK Pipelines writes these roles and projects; every acknowledgement below names the
    # resource and the one finding, and says why it is what CDK Pipelines needs.
    def _acknowledge(self) -> None:
        artifacts = self.pipeline.pipeline.artifact_bucket
        acknowledge(
            artifacts.node.default_child,  # type: ignore[arg-type]
            "AwsSolutions-S1",
            "CodePipeline's artifact bucket: only the pipeline's own roles read and write it, and "
            "CloudTrail records those calls; a second log bucket would log machine traffic only.",
        )
        artifact_objects = f"Resource::<{self._logical_id(artifacts.node.default_child)}.Arn>/*"
        project_roles: dict[str, codebuild.Project] = {}
        for construct in self.pipeline.node.find_all():
            if isinstance(construct, codebuild.Project) and construct.role is not None:
                project_roles[construct.role.node.path] = construct
                acknowledge(
                    construct.node.default_child,  # type: ignore[arg-type]
                    "AwsSolutions-CB4",
                    "Build artifacts are encrypted with the AWS-managed S3 key; a customer key would "
                    "protect only transient build inputs/outputs of this pipeline.",
                )
        for construct in self.pipeline.node.find_all():
            if not isinstance(construct, iam.Role):
                continue
            policy = construct.node.try_find_child("DefaultPolicy")
            if policy is None:
                continue
            acknowledge_findings(
                policy,
                "AwsSolutions-IAM5",
                [*(f"Action::s3:{a}" for a in _S3_ACTIONS), artifact_objects],
                "CodePipeline's grant on its own artifact bucket: objects are keyed per execution, so "
                "the pipeline's roles read/write objects under that bucket only.",
            )
            project = project_roles.get(construct.node.path)
            if project is not None:
                acknowledge_findings(
                    policy,
                    "AwsSolutions-IAM5",
                    self._build_log_findings(project),
                    "CodeBuild writes one log stream and report per build under its own project's log "
                    "group / report-group name; the build id is not known before the build.",
                )
        acknowledge(
            self.pipeline.synth_project.node.default_child,  # type: ignore[arg-type]
            "AwsSolutions-CB5",
            "Debian bookworm + Node 20 from ECR Public: `make test` runs the browser tests in Debian's "
            "chromium, which CodeBuild's Ubuntu images do not ship.",
        )
        self._acknowledge_cdk_roles()

    def _acknowledge_cdk_roles(self) -> None:
        mutation = self.pipeline.self_mutation_project.role
        assert mutation is not None
        acknowledge_findings(
            mutation.node.find_child("DefaultPolicy"),
            "AwsSolutions-IAM5",
            [f"Resource::arn:*:iam::{self.account}:role/*", "Resource::*"],
            "Self-mutation assumes the CDK bootstrap roles (tagged aws-cdk:bootstrap-role) and lists "
            "stacks/buckets to deploy the pipeline itself: CDK Pipelines' fixed grant.",
        )
        file_role = self.pipeline.node.find_child("Assets").node.find_child("FileRole")
        acknowledge_findings(
            file_role.node.find_child("DefaultPolicy"),
            "AwsSolutions-IAM5",
            [
                "Resource::*",
                f"Resource::arn:{self.partition}:logs:{self.region}:{self.account}:log-group:/aws/codebuild/*",
                f"Resource::arn:{self.partition}:codebuild:{self.region}:{self.account}:report-group/*",
            ],
            "The asset-publishing role of CDK Pipelines: it publishes through the CDK bootstrap roles "
            "and its project name is generated, so CDK grants logs/reports by prefix.",
        )

    def _build_log_findings(self, project: codebuild.Project) -> list[str]:
        name = f"<{self._logical_id(project.node.default_child)}>"
        where = f"{self.partition}:{{svc}}:{self.region}:{self.account}"
        return [
            f"Resource::arn:{where.format(svc='logs')}:log-group:/aws/codebuild/{name}:*",
            f"Resource::arn:{where.format(svc='codebuild')}:report-group/{name}-*",
        ]

    def _logical_id(self, resource: IConstruct | None) -> str:
        return str(self.resolve(self.get_logical_id(resource)))  # type: ignore[arg-type]


_S3_ACTIONS = ("Abort*", "DeleteObject*", "GetBucket*", "GetObject*", "List*")
