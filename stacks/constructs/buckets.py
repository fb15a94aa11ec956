"""One way to make an S3 bucket, so every bucket gets the same guard rails.

Private (BLOCK_ALL), TLS-only (bucket policy denies aws:SecureTransport=false), S3-managed encryption,
server access logs to the shared access-log bucket, and a removal policy from the environment config
(objects auto-deleted only where the bucket itself is destroyed, i.e. never in prod).
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import RemovalPolicy
from aws_cdk import aws_s3 as s3
from constructs import Construct

from stacks.config import EnvironmentConfig
from stacks.constructs.nag import acknowledge


def removal_policy(config: EnvironmentConfig) -> RemovalPolicy:
    return RemovalPolicy.RETAIN if config.removal_policy == "retain" else RemovalPolicy.DESTROY


def secure_bucket(
    scope: Construct,
    construct_id: str,
    *,
    config: EnvironmentConfig,
    access_logs: s3.IBucket | None,
    log_prefix: str | None = None,
    lifecycle_rules: Sequence[s3.LifecycleRule] = (),
    object_ownership: s3.ObjectOwnership = s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
) -> s3.Bucket:
    """A private bucket. `access_logs=None` only for the access-log bucket itself."""
    destroy = config.removal_policy == "destroy"
    bucket = s3.Bucket(
        scope,
        construct_id,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        enforce_ssl=True,
        encryption=s3.BucketEncryption.S3_MANAGED,
        object_ownership=object_ownership,
        server_access_logs_bucket=access_logs,
        server_access_logs_prefix=(log_prefix or f"{construct_id.lower()}/") if access_logs else None,
        lifecycle_rules=list(lifecycle_rules) or None,
        removal_policy=removal_policy(config),
        auto_delete_objects=destroy,
    )
    if access_logs is None:
        acknowledge(
            bucket.node.default_child,  # type: ignore[arg-type]
            "AwsSolutions-S1",
            "This is the access-log destination; logging it into itself would loop.",
        )
    return bucket
