"""Acknowledgements for the provider functions aws-cdk-lib itself adds (BucketDeployment, AwsCustomResource).

Their code, runtime and role come from CDK and run only while CloudFormation deploys; we cannot change
them, so each rule is acknowledged on the provider's own singleton construct (its children are the
CDK-generated role and policy of that one function), never wider.
"""

from __future__ import annotations

from aws_cdk import DefaultStackSynthesizer, Stack, Token
from constructs import IConstruct

from stacks.constructs.nag import acknowledge

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
    "Serverless-LambdaDLQ": (
        "Called synchronously by CloudFormation as a custom resource: a failure fails the deployment, "
        "nothing is left to dead-letter."
    ),
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
    # Its runtime is already the latest Node.js CDK knows, so only these fire.
    rules = (_BASIC_EXECUTION, "Serverless-LambdaDLQ", "Serverless-LambdaTracing")
    for provider in _providers(stack, AWS_CUSTOM_RESOURCE_ID):
        for rule in rules:
            acknowledge(provider, rule, _COMMON[rule])


def imported_arn(producer: Stack, arn: str) -> str:
    """How a cross-stack ARN appears in cdk-nag findings: the name of the export CDK generates for it.

    `export_value` without a name returns exactly the automatic export the reference uses anyway.
    """
    token = producer.export_value(arn)
    return str(producer.resolve(token)["Fn::ImportValue"])
