"""DynamoDB tables built from `outlay.tables` specs, so the cloud and the local runtime share one shape."""

from __future__ import annotations

from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct
from outlay.tables import TableSpec

from stacks.config import EnvironmentConfig
from stacks.constructs import deliberate as record
from stacks.constructs.buckets import removal_policy


def _string(name: str) -> dynamodb.Attribute:
    return dynamodb.Attribute(name=name, type=dynamodb.AttributeType.STRING)


def table_from_spec(
    scope: Construct,
    spec: TableSpec,
    *,
    config: EnvironmentConfig,
) -> dynamodb.Table:
    """Encrypted with DynamoDB's AWS managed key (`aws/dynamodb`): see DataStack for why no CMK."""
    table = dynamodb.Table(
        scope,
        f"{spec.logical_name}Table",
        partition_key=_string(spec.partition_key),
        sort_key=_string(spec.sort_key) if spec.sort_key else None,
        billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
        point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
            point_in_time_recovery_enabled=True
        ),
        encryption=dynamodb.TableEncryption.AWS_MANAGED,
        time_to_live_attribute=spec.ttl_attribute,
        stream=dynamodb.StreamViewType.NEW_AND_OLD_IMAGES if spec.stream else None,
        deletion_protection=config.deletion_protection,
        removal_policy=removal_policy(config),
    )
    record.deliberate(
        table,
        record.TABLE_CMK,
        "AWS managed key (aws/dynamodb): free and needs no key policy. Users' AWS secrets are sealed "
        "under Outlay's customer managed key before they reach the table, and a table CMK would make "
        "every reader hold kms:Decrypt on a key and cost $1/month more (docs/COSTS.md).",
    )
    for index in spec.indexes:
        if index.partition_key is None:
            table.add_local_secondary_index(index_name=index.name, sort_key=_string(index.sort_key))
        else:
            table.add_global_secondary_index(
                index_name=index.name,
                partition_key=_string(index.partition_key),
                sort_key=_string(index.sort_key),
            )
    return table
