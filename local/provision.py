"""The AWS resources `make dev` creates in moto, defined once and checked against the CDK template.

Tables come straight from `outlay.tables` (the specs the data stack reads). The Cognito, queue and
bucket settings below mirror the auth/data/scheduler stacks; `tests/infra/test_provision_parity.py`
synthesizes the app and fails when the two drift apart.

Physical names are fixed (`outlay-local-…`) because there is one local environment per process and
handlers cache their boto3 clients; the CDK stacks never set physical names.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import boto3
from outlay.event_sources import IMPORT_QUEUE, LAKE_STREAM, STATEMENT_QUEUE, QueueSpec
from outlay.tables import CREDENTIALS_TABLE, EXPENSES_TABLE, RATES_TABLE, TableSpec

from local.envelope_lambda import LOCAL_ENVELOPE_FUNCTION

PREFIX = "outlay-local"

# --- Cognito (auth stack) ---------------------------------------------------------------------------
PASSWORD_POLICY: dict[str, Any] = {
    "MinimumLength": 8,
    "RequireUppercase": True,
    "RequireLowercase": True,
    "RequireNumbers": True,
    "RequireSymbols": True,
    "TemporaryPasswordValidityDays": 7,
}
USERNAME_ATTRIBUTES = ["email"]
AUTO_VERIFIED_ATTRIBUTES = ["email"]
CLIENT_AUTH_FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
ADMINS_GROUP = "admins"

# --- SQS (scheduler stack, lake writer): settings from outlay.event_sources ------------------------
DLQ_RETENTION_S = IMPORT_QUEUE.dlq_retention_days * 86400
LAKE_FAILURES_RETENTION_S = LAKE_STREAM.failure_retention_days * 86400

# --- S3 (data stack) --------------------------------------------------------------------------------
RECEIPT_CORS_METHODS = ["POST", "GET"]


@dataclass(frozen=True)
class Resources:
    """What the handlers' environment and the gateway need to know about the provisioned world."""

    region: str
    expenses_table: str
    credentials_table: str
    receipts_bucket: str
    lake_bucket: str
    user_pool_id: str
    client_id: str
    kms_key_id: str
    queue_url: str
    dlq_url: str
    stream_arn: str
    lake_failures_url: str = ""  # the stream mapping's on-failure destination
    rates_table: str = ""  # ECB rates, filled from local/data/ecb-rates.csv (local/fx_table.py)
    statement_queue_url: str = ""  # statement import chunks -> statement worker
    statement_dlq_url: str = ""

    def handler_environment(self, origins: list[str]) -> dict[str, str]:
        """The environment variables the stacks give the functions (models/settings.py)."""
        return {
            "EXPENSES_TABLE": self.expenses_table,
            "CREDENTIALS_TABLE": self.credentials_table,
            "RECEIPTS_BUCKET": self.receipts_bucket,
            "LAKE_BUCKET": self.lake_bucket,
            "KMS_KEY_ID": self.kms_key_id,  # the envelope function's alone, when deployed
            "ENVELOPE_FUNCTION": LOCAL_ENVELOPE_FUNCTION,
            "IMPORT_QUEUE_URL": self.queue_url,
            "STATEMENT_QUEUE_URL": self.statement_queue_url,
            "SERVICE_ACCOUNT_ID": "123456789012",  # moto's default account
            "ALLOWED_ORIGINS": ",".join(origins),
            "USER_POOL_ID": self.user_pool_id,
            "RATES_TABLE": self.rates_table,
        }


def table_name(spec: TableSpec) -> str:
    return f"{PREFIX}-{spec.logical_name.lower()}"


def table_definition(spec: TableSpec) -> dict[str, Any]:
    """CreateTable arguments for a TableSpec: the keys, LSIs/GSIs and stream the data stack declares."""
    attributes = {spec.partition_key}
    key_schema = [{"AttributeName": spec.partition_key, "KeyType": "HASH"}]
    if spec.sort_key:
        attributes.add(spec.sort_key)
        key_schema.append({"AttributeName": spec.sort_key, "KeyType": "RANGE"})
    local_indexes, global_indexes = [], []
    for index in spec.indexes:
        attributes.add(index.sort_key)
        if index.partition_key is None:
            local_indexes.append(
                {
                    "IndexName": index.name,
                    "KeySchema": [
                        {"AttributeName": spec.partition_key, "KeyType": "HASH"},
                        {"AttributeName": index.sort_key, "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                }
            )
        else:
            attributes.add(index.partition_key)
            global_indexes.append(
                {
                    "IndexName": index.name,
                    "KeySchema": [
                        {"AttributeName": index.partition_key, "KeyType": "HASH"},
                        {"AttributeName": index.sort_key, "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                }
            )
    definition: dict[str, Any] = {
        "TableName": table_name(spec),
        "KeySchema": key_schema,
        "AttributeDefinitions": [{"AttributeName": a, "AttributeType": "S"} for a in sorted(attributes)],
        "BillingMode": "PAY_PER_REQUEST",
    }
    if local_indexes:
        definition["LocalSecondaryIndexes"] = local_indexes
    if global_indexes:
        definition["GlobalSecondaryIndexes"] = global_indexes
    if spec.stream:
        definition["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    return definition


def import_queue_attributes(dlq_arn: str, spec: QueueSpec = IMPORT_QUEUE) -> dict[str, str]:
    """CreateQueue attributes of a work queue (cost import, statement chunks): the stacks' visibility
    and redrive."""
    redrive = {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(spec.max_receive_count)}
    return {
        "VisibilityTimeout": str(spec.visibility_timeout_s),
        "RedrivePolicy": json.dumps(redrive),
    }


def receipts_cors(origins: list[str]) -> dict[str, Any]:
    return {
        "CORSRules": [
            {
                "AllowedOrigins": origins,
                "AllowedMethods": RECEIPT_CORS_METHODS,
                "AllowedHeaders": ["*"],
                "ExposeHeaders": ["ETag"],
                "MaxAgeSeconds": 600,
            }
        ]
    }


def provision(session: boto3.Session, endpoint_url: str, origins: list[str]) -> Resources:
    """Create every resource in the moto server at `endpoint_url`; returns their names and ids."""
    region = session.region_name or "us-east-1"

    def client(service: str) -> Any:
        return session.client(service, endpoint_url=endpoint_url)  # type: ignore[call-overload]

    ddb = client("dynamodb")
    stream_arn = ""
    for spec in (EXPENSES_TABLE, CREDENTIALS_TABLE, RATES_TABLE):
        created = ddb.create_table(**table_definition(spec))["TableDescription"]
        if spec.ttl_attribute:
            ddb.update_time_to_live(
                TableName=table_name(spec),
                TimeToLiveSpecification={"Enabled": True, "AttributeName": spec.ttl_attribute},
            )
        if spec.stream:
            stream_arn = created["LatestStreamArn"]

    s3 = client("s3")
    receipts, lake = f"{PREFIX}-receipts", f"{PREFIX}-lake"
    for bucket in (receipts, lake):
        if region == "us-east-1":
            s3.create_bucket(Bucket=bucket)
        else:
            s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})
        s3.put_public_access_block(
            Bucket=bucket,
            PublicAccessBlockConfiguration={
                "BlockPublicAcls": True,
                "IgnorePublicAcls": True,
                "BlockPublicPolicy": True,
                "RestrictPublicBuckets": True,
            },
        )
    s3.put_bucket_cors(Bucket=receipts, CORSConfiguration=receipts_cors(origins))

    idp = client("cognito-idp")
    pool_id = idp.create_user_pool(
        PoolName=f"{PREFIX}-users",
        Policies={"PasswordPolicy": PASSWORD_POLICY},
        UsernameAttributes=USERNAME_ATTRIBUTES,
        AutoVerifiedAttributes=AUTO_VERIFIED_ATTRIBUTES,
        UsernameConfiguration={"CaseSensitive": False},
        AccountRecoverySetting={"RecoveryMechanisms": [{"Priority": 1, "Name": "verified_email"}]},
        MfaConfiguration="OFF",
    )["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName=f"{PREFIX}-web",
        GenerateSecret=False,
        ExplicitAuthFlows=CLIENT_AUTH_FLOWS,
        PreventUserExistenceErrors="ENABLED",
    )["UserPoolClient"]["ClientId"]
    idp.create_group(UserPoolId=pool_id, GroupName=ADMINS_GROUP, Description="Outlay administrators")

    kms = client("kms")
    key_id = kms.create_key(Description="Outlay credentials envelope key")["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName=f"alias/{PREFIX}-credentials", TargetKeyId=key_id)

    sqs = client("sqs")
    dlq_url = sqs.create_queue(
        QueueName=f"{PREFIX}-cost-import-dlq", Attributes={"MessageRetentionPeriod": str(DLQ_RETENTION_S)}
    )["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    queue_url = sqs.create_queue(
        QueueName=f"{PREFIX}-cost-import", Attributes=import_queue_attributes(dlq_arn)
    )["QueueUrl"]
    statement_dlq_url = sqs.create_queue(
        QueueName=f"{PREFIX}-statement-import-dlq",
        Attributes={"MessageRetentionPeriod": str(STATEMENT_QUEUE.dlq_retention_days * 86400)},
    )["QueueUrl"]
    statement_dlq_arn = sqs.get_queue_attributes(QueueUrl=statement_dlq_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    statement_queue_url = sqs.create_queue(
        QueueName=f"{PREFIX}-statement-import",
        Attributes=import_queue_attributes(statement_dlq_arn, STATEMENT_QUEUE),
    )["QueueUrl"]
    lake_failures_url = sqs.create_queue(
        QueueName=f"{PREFIX}-lake-writer-failures",
        Attributes={"MessageRetentionPeriod": str(LAKE_FAILURES_RETENTION_S)},
    )["QueueUrl"]

    return Resources(
        region=region,
        expenses_table=table_name(EXPENSES_TABLE),
        credentials_table=table_name(CREDENTIALS_TABLE),
        receipts_bucket=receipts,
        lake_bucket=lake,
        user_pool_id=pool_id,
        client_id=client_id,
        kms_key_id=key_id,
        queue_url=queue_url,
        dlq_url=dlq_url,
        stream_arn=stream_arn,
        lake_failures_url=lake_failures_url,
        rates_table=table_name(RATES_TABLE),
        statement_queue_url=statement_queue_url,
        statement_dlq_url=statement_dlq_url,
    )
