"""The provider functions aws-cdk-lib itself adds (BucketDeployment, AwsCustomResource, auto-delete).

Their code, runtime and role come from CDK and run only while CloudFormation deploys; we cannot change
them, so each rule is acknowledged on the provider's own singleton construct (its children are the
CDK-generated role and policy of that one function), never wider. `DeployTimeProviders`, an aspect on
each stage, gives every such function the environment's deployment concurrency cap and records what
it deliberately goes without, as OutlayFunction does for ours.
"""

from __future__ import annotations

import jsii
from aws_cdk import CfnResource, DefaultStackSynthesizer, IAspect, Stack, Token
from aws_cdk import aws_lambda as lambda_
from constructs import IConstruct

from stacks.config import EnvironmentConfig
from stacks.constructs import deliberate as record
from stacks.constructs.nag import acknowledge
from stacks.constructs.python_function import UNCAPPED_REASON, OutlayFunction

BUCKET_DEPLOYMENT_PREFIX = "Custom::CDKBucketDeployment"
AWS_CUSTOM_RESOURCE_ID = "AWS679f53fac002430cb0da5b7982bd2287"  # fixed by aws-cdk-lib

_BASIC_EXECUTION = (
    "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]"
)
_RUNTIME = "The provider's runtime is chosen by aws-cdk-lib and moves with CDK upgrades."
_COMMON = {
    _BASIC_EXECUTION: (
        "aws-cdk-lib creates this provider's role with the AWS managed logging policy and exposes no "
        "way to replace it; the function only runs during deployments."
    ),
    "AwsSolutions-L1": _RUNTIME,
    "Serverless-LambdaLatestVersion": _RUNTIME,
    "Serverless-LambdaTracing": "Deployment-time provider owned by aws-cdk-lib; tracing it tells us nothing.",
}

_BUCKET_DEPLOYMENT_ACTIONS = ("s3:GetBucket*", "s3:GetObject*", "s3:List*", "s3:Abort*", "s3:DeleteObject*")


def _cdk_assets_finding(stack: Stack) -> str:
    """The CDK asset bucket as cdk-nag prints it: literals where the stack's env is known."""

    def part(value: str, placeholder: str) -> str:
        return placeholder if Token.is_unresolved(value) else value

    qualifier = DefaultStackSynthesizer.DEFAULT_QUALIFIER
    return (
        f"Resource::arn:{part(stack.partition, '<AWS::Partition>')}:s3:::cdk-{qualifier}-assets-"
        f"{part(stack.account, '<AWS::AccountId>')}-{part(stack.region, '<AWS::Region>')}/*"
    )


def _providers(stack: Stack, match: str) -> list[IConstruct]:
    return [c for c in stack.node.children if c.node.id.startswith(match)]


def acknowledge_bucket_deployments(stack: Stack, destination_findings: list[str]) -> None:
    """`destination_findings`: the IAM5 `Resource::<bucket>/*` findings of the destination buckets."""
    grant_reason = (
        "BucketDeployment's own grant: read the CDK asset bucket, write the destination bucket; "
        "aws-cdk-lib writes these wildcards and scopes them to those two buckets."
    )
    for provider in _providers(stack, BUCKET_DEPLOYMENT_PREFIX):
        for rule, reason in _COMMON.items():
            acknowledge(provider, rule, reason)
        for action in _BUCKET_DEPLOYMENT_ACTIONS:
            acknowledge(provider, f"AwsSolutions-IAM5[Action::{action}]", grant_reason)
        for finding in [_cdk_assets_finding(stack), *destination_findings]:
            acknowledge(provider, f"AwsSolutions-IAM5[{finding}]", grant_reason)


def acknowledge_aws_custom_resources(stack: Stack) -> None:
    # Its runtime is already the latest Node.js CDK knows, so only these fire (and the DLQ rule,
    # recorded by DeployTimeProviders).
    rules = (_BASIC_EXECUTION, "Serverless-LambdaTracing")
    for provider in _providers(stack, AWS_CUSTOM_RESOURCE_ID):
        for rule in rules:
            acknowledge(provider, rule, _COMMON[rule])


def imported_arn(producer: Stack, arn: str) -> str:
    """How a cross-stack ARN appears in cdk-nag findings: the name of the export CDK generates for it.

    `export_value` without a name returns exactly the automatic export the reference uses anyway.
    """
    token = producer.export_value(arn)
    return str(producer.resolve(token)["Fn::ImportValue"])


@jsii.implements(IAspect)
class DeployTimeProviders:
    """Caps and records every Lambda function in the stage that OutlayFunction did not make."""

    def __init__(self, config: EnvironmentConfig) -> None:
        self._cap = config.reserved_concurrency("deployment")

    def visit(self, node: IConstruct) -> None:
        if not CfnResource.is_cfn_resource(node):
            return
        resource: CfnResource = node  # type: ignore[assignment]
        if resource.cfn_resource_type != "AWS::Lambda::Function" or _made_by_outlay(resource):
            return
        if self._cap is None:
            record.deliberate(resource, record.CONCURRENCY_CAP, UNCAPPED_REASON)
        else:
            resource.add_property_override("ReservedConcurrentExecutions", self._cap)
        record.deliberate(
            resource,
            record.LAMBDA_VPC,
            "aws-cdk-lib's deploy-time provider: it calls S3 and answers CloudFormation while a "
            "deployment runs; a VPC would add NAT gateways or endpoints billed by the hour.",
        )
        is_function = isinstance(resource, lambda_.CfnFunction)
        record.deliberate(
            resource,
            record.LAMBDA_DLQ,
            "aws-cdk-lib's deploy-time provider: CloudFormation waits for its answer, so a failed call "
            "fails (or times out) that deployment in plain sight; there is no message worth keeping.",
            # cdk-nag checks only the L1 functions (not the auto-delete provider's raw resource).
            nag=["Serverless-LambdaDLQ"] if is_function else [],
        )
        if _variables(resource):
            record.deliberate(
                resource,
                record.LAMBDA_ENV_CMK,
                "aws-cdk-lib sets these variables (no secrets); Lambda encrypts them at rest with its "
                "AWS managed key.",
            )


def _variables(resource: CfnResource) -> dict[str, str]:
    """The function's environment variables as they will be synthesized.

    The L2 Function renders them lazily, so the L1's typed `environment` is still empty when aspects
    run; resolving the resource's own properties (`cfnProperties`, protected in TypeScript but
    reachable through jsii) renders them. L1 classes use camelCase keys, raw CfnResources CFN's.
    """
    props = Stack.of(resource).resolve(jsii.get(resource, "cfnProperties")) or {}
    environment = props.get("environment") or props.get("Environment") or {}
    return environment.get("variables") or environment.get("Variables") or {}  # type: ignore[no-any-return]


def _made_by_outlay(resource: CfnResource) -> bool:
    function = resource.node.scope
    return function is not None and isinstance(function.node.scope, OutlayFunction)
