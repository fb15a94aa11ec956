"""Least-privilege grants, spelled out action by action.

CDK's `grant_read_write_data` adds wildcard actions (`kms:ReEncrypt*`, `kms:GenerateDataKey*`) and
`<table>/index/*`; here every action and index is named, so the policies say exactly what a function
may do and cdk-nag's IAM5 stays quiet without acknowledgements.
"""

from __future__ import annotations

from aws_cdk import Aws, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from outlay.tables import TableSpec

from stacks.constructs.cdk_providers import imported_arn
from stacks.constructs.nag import acknowledge_findings

_READ = ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:ConditionCheckItem"]
_WRITE = ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"]
# What a caller needs so DynamoDB can use a customer-managed table key on its behalf (reads only decrypt).
_TABLE_KEY = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"]
_TABLE_KEY_READ = ["kms:Decrypt", "kms:DescribeKey"]


def _table_resources(table: dynamodb.ITable, spec: TableSpec) -> list[str]:
    return [table.table_arn, *(f"{table.table_arn}/index/{index.name}" for index in spec.indexes)]


def table_access(
    grantee: iam.IGrantable,
    table: dynamodb.ITable,
    spec: TableSpec,
    *,
    write: bool,
    scan: bool = False,
    key: kms.IKey | None = None,
) -> None:
    actions = [*_READ, *(_WRITE if write else []), *(["dynamodb:Scan"] if scan else [])]
    grantee.grant_principal.add_to_principal_policy(
        iam.PolicyStatement(actions=actions, resources=_table_resources(table, spec))
    )
    if key is not None:
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(actions=_TABLE_KEY if write else _TABLE_KEY_READ, resources=[key.key_arn])
        )


def key_use(grantee: iam.IGrantable, key: kms.IKey, actions: list[str]) -> None:
    grantee.grant_principal.add_to_principal_policy(
        iam.PolicyStatement(actions=actions, resources=[key.key_arn])
    )


def objects(grantee: iam.IGrantable, bucket: s3.IBucket, prefix: str, actions: list[str]) -> None:
    grantee.grant_principal.add_to_principal_policy(
        iam.PolicyStatement(actions=actions, resources=[bucket.arn_for_objects(f"{prefix}*")])
    )


def assume_user_roles(grantee: iam.IGrantable) -> None:
    """Users' cross-account roles: the account is the user's, so it is unknown at deploy time."""
    grantee.grant_principal.add_to_principal_policy(
        iam.PolicyStatement(
            actions=["sts:AssumeRole"],
            resources=[f"arn:{Aws.PARTITION}:iam::*:role/*"],
        )
    )


ASSUME_ROLE_FINDING = "Resource::arn:<AWS::Partition>:iam::*:role/*"
ASSUME_ROLE_REASON = (
    "Users connect their own AWS account through a role in THAT account, unknown at deploy time; "
    "each AssumeRole call carries the per-user ExternalId the role's trust policy requires."
)


def removes_receipts(function: lambda_.Function, producer: Stack, bucket: s3.IBucket) -> None:
    """Imports delete the receipt of a line AWS stopped reporting: DeleteObject only, nothing else."""
    objects(function, bucket, "", ["s3:DeleteObject"])
    assert function.role is not None
    acknowledge_findings(
        function.role.node.find_child("DefaultPolicy"),
        "AwsSolutions-IAM5",
        [f"Resource::{imported_arn(producer, bucket.bucket_arn)}/*"],
        "Receipt keys start with the owner's Cognito sub (known per import, not at deploy time); "
        "the function builds every key from the user id it is importing for, and may only delete.",
    )
