"""One way to make an S3 bucket, so every bucket gets the same guard rails.

Private (BLOCK_ALL), TLS-only (bucket policy denies aws:SecureTransport=false), S3-managed encryption,
server access logs to the shared access-log bucket, and a removal policy from the environment config
(objects auto-deleted only where the bucket itself is destroyed, i.e. never in prod).

Versions: a bucket that holds data (receipts, the lake) keeps the versions an overwrite or a delete
leaves behind for `noncurrentVersionDays`, then expires them (and the delete markers left alone);
every other bucket says why it needs none, recorded as a deliberate exception.
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_s3 as s3
from constructs import Construct

from stacks.config import EnvironmentConfig
from stacks.constructs import deliberate as record


def removal_policy(config: EnvironmentConfig) -> RemovalPolicy:
    return RemovalPolicy.RETAIN if config.removal_policy == "retain" else RemovalPolicy.DESTROY


def secure_bucket(
    scope: Construct,
    construct_id: str,
    *,
    config: EnvironmentConfig,
    access_logs: s3.IBucket | None,
    keep_versions: bool = False,
    no_versions_reason: str | None = None,
    log_prefix: str | None = None,
    lifecycle_rules: Sequence[s3.LifecycleRule] = (),
    object_ownership: s3.ObjectOwnership = s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
) -> s3.Bucket:
    """A private bucket. `access_logs=None` only for the access-log bucket itself.

    Give exactly one of `keep_versions=True` (a data bucket) or `no_versions_reason`.
    """
    if keep_versions == (no_versions_reason is not None):
        raise ValueError("give exactly one of keep_versions=True or no_versions_reason")
    destroy = config.removal_policy == "destroy"
    rules = list(lifecycle_rules)
    if keep_versions:
        rules.append(
            s3.LifecycleRule(
                id="expire-noncurrent-versions",
                noncurrent_version_expiration=Duration.days(config.noncurrent_version_days),
                expired_object_delete_marker=True,
            )
        )
    bucket = s3.Bucket(
        scope,
        construct_id,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        enforce_ssl=True,
        encryption=s3.BucketEncryption.S3_MANAGED,
        object_ownership=object_ownership,
        server_access_logs_bucket=access_logs,
        server_access_logs_prefix=(log_prefix or f"{construct_id.lower()}/") if access_logs else None,
        versioned=keep_versions,
        lifecycle_rules=rules or None,
        removal_policy=removal_policy(config),
        auto_delete_objects=destroy,
    )
    if no_versions_reason is not None:
        record.deliberate(bucket, record.BUCKET_VERSIONING, no_versions_reason)
    if access_logs is None:
        record.deliberate(
            bucket,
            record.BUCKET_ACCESS_LOGS,
            "This is the access-log destination; logging it into itself would loop.",
            nag=["AwsSolutions-S1"],
        )
    return bucket
