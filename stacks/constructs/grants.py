"""Least-privilege grants, spelled out action by action.

CDK's `grant_read_write_data` adds wildcard actions (`kms:ReEncrypt*`, `kms:GenerateDataKey*`) and
`<table>/index/*`; here every action and index is named, so the policies say exactly what a function
may do and cdk-nag's IAM5 stays quiet without acknowledgements.

The customer managed key is used for one thing only: the envelope encryption of users' AWS secrets
(outlay.dal.kms_envelope), which the envelope function alone calls KMS for, with the user's `sub` as
encryption context. `envelope_key` grants exactly that and nothing else (see its docstring); the
tables are encrypted with DynamoDB's AWS managed key, so reading a table needs no KMS permission.
"""

from __future__ import annotations

from aws_cdk import Aws, Stack
from aws_cdk import aws_cognito as cognito
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
# The encryption-context key outlay.dal.kms_envelope binds the user's `sub` to (test_functions checks
# it against the calls KmsEnvelope really makes).
ENVELOPE_CONTEXT_KEY = "userId"


def _table_resources(table: dynamodb.ITable, spec: TableSpec) -> list[str]:
    return [table.table_arn, *(f"{table.table_arn}/index/{index.name}" for index in spec.indexes)]


def table_access(
    grantee: iam.IGrantable,
    table: dynamodb.ITable,
    spec: TableSpec,
    *,
    write: bool,
    scan: bool = False,
) -> None:
    actions = [*_READ, *(_WRITE if write else []), *(["dynamodb:Scan"] if scan else [])]
    grantee.grant_principal.add_to_principal_policy(
        iam.PolicyStatement(actions=actions, resources=_table_resources(table, spec))
    )


def table_actions(grantee: iam.IGrantable, table: dynamodb.ITable, actions: list[str]) -> None:
    """Exactly `actions` on the table itself (no index): for a function with one narrow job."""
    grantee.grant_principal.add_to_principal_policy(
        iam.PolicyStatement(actions=actions, resources=[table.table_arn])
    )


def envelope_key(grantee: iam.IGrantable, key: kms.IKey) -> None:
    """Create and open envelopes: only under a user-bound encryption context.

    - `kms:EncryptionContextKeys` ForAllValues [userId]: no context key other than userId;
    - `Null kms:EncryptionContext:userId = false`: userId must be there (ForAllValues alone also
      matches a request without any context, which would decrypt nothing of ours but is not our use);
    - `Null kms:ViaService = true`: only direct calls. KMS sets kms:ViaService only when an AWS
      service (DynamoDB, S3, ...) calls it on the principal's behalf; KmsEnvelope calls
      GenerateDataKey/Decrypt itself, so a `StringEquals kms:ViaService` condition could never match,
      and requiring its absence keeps this permission from being borrowed through a service.
    The user id itself cannot be pinned here: one role serves every user, and the `sub` comes from
    the verified token per request. KMS enforces the binding: a data key sealed for one `sub`
    decrypts only with that same `sub` as context.
    """
    actions = ["kms:Decrypt", "kms:GenerateDataKey"]
    grantee.grant_principal.add_to_principal_policy(
        iam.PolicyStatement(
            actions=actions,
            resources=[key.key_arn],
            conditions={
                "ForAllValues:StringEquals": {"kms:EncryptionContextKeys": [ENVELOPE_CONTEXT_KEY]},
                "Null": {f"kms:EncryptionContext:{ENVELOPE_CONTEXT_KEY}": "false", "kms:ViaService": "true"},
            },
        )
    )


def objects(grantee: iam.IGrantable, bucket: s3.IBucket, prefix: str, actions: list[str]) -> None:
    grantee.grant_principal.add_to_principal_policy(
        iam.PolicyStatement(actions=actions, resources=[bucket.arn_for_objects(f"{prefix}*")])
    )


def listing(grantee: iam.IGrantable, bucket: s3.IBucket, actions: list[str]) -> None:
    """Bucket-level actions (s3:ListBucket, s3:ListBucketVersions) on the bucket itself."""
    grantee.grant_principal.add_to_principal_policy(
        iam.PolicyStatement(actions=actions, resources=[bucket.bucket_arn])
    )


def delete_users(grantee: iam.IGrantable, user_pool: cognito.IUserPool) -> None:
    """Delete a user of this one pool (account deletion); nothing else in Cognito."""
    grantee.grant_principal.add_to_principal_policy(
        iam.PolicyStatement(actions=["cognito-idp:AdminDeleteUser"], resources=[user_pool.user_pool_arn])
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


def invoke(grantee: iam.IGrantable, function: lambda_.IFunction) -> None:
    """lambda:InvokeFunction on `function` itself: CDK's grant_invoke adds `<arn>:*` (every version and
    alias), a wildcard cdk-nag flags and that we do not need (callers invoke $LATEST by name)."""
    grantee.grant_principal.add_to_principal_policy(
        iam.PolicyStatement(actions=["lambda:InvokeFunction"], resources=[function.function_arn])
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
