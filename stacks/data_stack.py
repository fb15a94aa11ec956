"""data: everything stateful. Tables (from outlay.tables specs), the CMK, and the buckets."""

from __future__ import annotations

from typing import Any

from aws_cdk import Duration, Stack
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct
from outlay.tables import CREDENTIALS_TABLE, EXPENSES_TABLE, RATES_TABLE

from stacks.config import EnvironmentConfig
from stacks.constructs.buckets import removal_policy, secure_bucket
from stacks.constructs.tables import table_from_spec


class DataStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, *, config: EnvironmentConfig, **kwargs: Any):
        super().__init__(scope, construct_id, **kwargs)
        # Envelope-encrypts users' AWS secrets, and nothing else: only the envelope function may use it
        # (stacks/constructs/envelope_keeper.py), only with the user-bound context (grants.envelope_key).
        self.key = kms.Key(
            self,
            "CredentialsKey",
            description="Outlay: envelope encryption of users' AWS credentials",
            enable_key_rotation=True,
            removal_policy=removal_policy(config),
        )
        # Both tables use DynamoDB's AWS managed key (free, no key policy to keep): the secrets in the
        # credentials table are already sealed under the CMK above, and a table CMK would make every
        # reader (the dispatcher too) hold kms:Decrypt on it. docs/COSTS.md weighs a second CMK.
        self.expenses_table = table_from_spec(self, EXPENSES_TABLE, config=config)
        self.credentials_table = table_from_spec(self, CREDENTIALS_TABLE, config=config)
        # ECB reference rates: not user data; written only by the daily rates function.
        self.rates_table = table_from_spec(self, RATES_TABLE, config=config)

        # S3 server access logs (and CloudFront standard logs, which need ACLs: BUCKET_OWNER_PREFERRED).
        self.access_log_bucket = secure_bucket(
            self,
            "AccessLogs",
            config=config,
            access_logs=None,
            no_versions_reason="Written only by S3 and CloudFront log delivery, each object once; nothing "
            "overwrites or deletes a log before it expires after logRetentionDays, so versions would only "
            "keep expired logs longer.",
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
            lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(max(config.log_retention_days, 1)))],
        )
        # Data: a lake object rewritten wrongly, or a receipt overwritten or deleted by mistake, stays
        # restorable for noncurrentVersionDays.
        self.lake_bucket = secure_bucket(
            self, "Lake", config=config, access_logs=self.access_log_bucket, keep_versions=True
        )
        # CORS is added by the frontend stack (it knows the site's domain; doing it here would be a cycle).
        self.receipts_bucket = secure_bucket(
            self,
            "Receipts",
            config=config,
            access_logs=self.access_log_bucket,
            keep_versions=True,
            lifecycle_rules=[
                # An export is a one-day download link: its replaced versions go just as fast.
                s3.LifecycleRule(
                    id="expire-exports",
                    tag_filters={"kind": "export"},
                    expiration=Duration.days(1),
                    noncurrent_version_expiration=Duration.days(1),
                )
            ],
        )
