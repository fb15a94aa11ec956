"""api: the REST API and the HTTP functions (expenses, costs, account), each with only its own grants."""

from __future__ import annotations

from typing import Any

from aws_cdk import Aws, Stack
from constructs import Construct
from outlay.tables import CREDENTIALS_TABLE, EXPENSES_TABLE

from stacks.auth_stack import AuthStack
from stacks.config import EnvironmentConfig
from stacks.constructs import grants
from stacks.constructs.cdk_providers import imported_arn
from stacks.constructs.glue_catalog import LAKE_PREFIX
from stacks.constructs.nag import acknowledge_findings
from stacks.constructs.python_function import OutlayFunction
from stacks.constructs.rest_api import OutlayRestApi
from stacks.constructs.statement_import import StatementImport
from stacks.data_stack import DataStack
from stacks.scheduler_stack import SchedulerStack

_SYNC = "Invoked synchronously by API Gateway: errors go back to the caller, there is nothing to dead-letter."


class ApiStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvironmentConfig,
        auth: AuthStack,
        data: DataStack,
        scheduler: SchedulerStack,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        # Empty = no cross-origin caller: the cloud site is same-origin (CloudFront routes /api/*).
        allowed_origins = ",".join(config.web_origins)

        # Expenses: its table and the receipts bucket. Never the credentials table, never the CMK.
        self.expenses = OutlayFunction(
            self,
            "Expenses",
            name="expenses",
            config=config,
            no_dlq_reason=_SYNC,
            environment={
                "EXPENSES_TABLE": data.expenses_table.table_name,
                "RECEIPTS_BUCKET": data.receipts_bucket.bucket_name,
                "ALLOWED_ORIGINS": allowed_origins,
                "RATES_TABLE": data.rates_table.table_name,
            },
        )
        grants.table_access(self.expenses.function, data.expenses_table, EXPENSES_TABLE, write=True)
        # ECB rates for base-currency totals: read only (the rates function alone writes them).
        grants.table_actions(self.expenses.function, data.rates_table, ["dynamodb:GetItem", "dynamodb:Query"])
        grants.objects(
            self.expenses.function,
            data.receipts_bucket,
            "",
            ["s3:GetObject", "s3:PutObject", "s3:PutObjectTagging", "s3:DeleteObject"],
        )
        acknowledge_findings(
            self.expenses.role.node.find_child("DefaultPolicy"),
            "AwsSolutions-IAM5",
            [f"Resource::{imported_arn(data, data.receipts_bucket.bucket_arn)}/*"],
            "Receipt and export keys start with the caller's Cognito sub, known only per request; "
            "the function builds every key from the verified sub.",
        )

        # Costs: credentials (sealed and opened by the envelope function), queueing imports, users' roles.
        self.costs = OutlayFunction(
            self,
            "Costs",
            name="costs",
            config=config,
            no_dlq_reason=_SYNC,
            environment={
                "EXPENSES_TABLE": data.expenses_table.table_name,
                "CREDENTIALS_TABLE": data.credentials_table.table_name,
                "IMPORT_QUEUE_URL": scheduler.queue.queue_url,
                "RECEIPTS_BUCKET": data.receipts_bucket.bucket_name,
                "SERVICE_ACCOUNT_ID": Aws.ACCOUNT_ID,
                "ALLOWED_ORIGINS": allowed_origins,
            },
        )
        grants.table_access(self.costs.function, data.expenses_table, EXPENSES_TABLE, write=True)
        grants.table_access(
            self.costs.function, data.credentials_table, CREDENTIALS_TABLE, write=True, scan=True
        )
        scheduler.queue.grant_send_messages(self.costs.function)
        scheduler.envelope.grant_invoke(self.costs)
        grants.assume_user_roles(self.costs.function)
        grants.removes_receipts(self.costs.function, data, data.receipts_bucket)
        acknowledge_findings(
            self.costs.role.node.find_child("DefaultPolicy"),
            "AwsSolutions-IAM5",
            [grants.ASSUME_ROLE_FINDING],
            grants.ASSUME_ROLE_REASON,
        )

        self.account_api = self._account(config, auth, data, allowed_origins)
        self.statements = StatementImport(
            self, "Statements", config=config, data=data, allowed_origins=allowed_origins, sync_reason=_SYNC
        )

        self.rest_api = OutlayRestApi(
            self,
            "Rest",
            config=config,
            user_pool=auth.user_pool,
            functions={
                "expenses": self.expenses.function,
                "costs": self.costs.function,
                "account": self.account_api.function,
                "statements": self.statements.api.function,
            },
        )
        self.api = self.rest_api.api

    def _account(
        self, config: EnvironmentConfig, auth: AuthStack, data: DataStack, allowed_origins: str
    ) -> OutlayFunction:
        """Account self-service: the only function that deletes across both tables and both data
        buckets, and deletes a user. Reads what the export needs; no KMS key (deleting an envelope
        needs none, and the export never opens one)."""
        account = OutlayFunction(
            self,
            "Account",
            name="account",
            config=config,
            no_dlq_reason=_SYNC,
            environment={
                "EXPENSES_TABLE": data.expenses_table.table_name,
                "CREDENTIALS_TABLE": data.credentials_table.table_name,
                "RECEIPTS_BUCKET": data.receipts_bucket.bucket_name,
                "LAKE_BUCKET": data.lake_bucket.bucket_name,
                "USER_POOL_ID": auth.user_pool.user_pool_id,
                "ALLOWED_ORIGINS": allowed_origins,
            },
        )
        fn = account.function
        grants.table_actions(fn, data.expenses_table, ["dynamodb:Query", "dynamodb:BatchWriteItem"])
        grants.table_actions(fn, data.credentials_table, ["dynamodb:GetItem", "dynamodb:DeleteItem"])
        grants.listing(fn, data.receipts_bucket, ["s3:ListBucket", "s3:ListBucketVersions"])
        grants.objects(fn, data.receipts_bucket, "", [*ACCOUNT_EXPORT_ACTIONS, *ACCOUNT_DELETE_ACTIONS])
        grants.listing(fn, data.lake_bucket, ["s3:ListBucketVersions"])
        grants.objects(fn, data.lake_bucket, LAKE_PREFIX, ACCOUNT_DELETE_ACTIONS)
        grants.delete_users(fn, auth.user_pool)
        acknowledge_findings(
            account.role.node.find_child("DefaultPolicy"),
            "AwsSolutions-IAM5",
            [
                f"Resource::{imported_arn(data, data.receipts_bucket.bucket_arn)}/*",
                f"Resource::{imported_arn(data, data.lake_bucket.bucket_arn)}/{LAKE_PREFIX}*",
            ],
            "Every key of a user's data names the caller's Cognito sub, known only per request (receipts "
            "and exports under <sub>/, lake objects <sub>.json per month); the function builds every key "
            "from the verified sub.",
        )
        return account


# The export: written in parts (tagged kind=export, aborted on failure), read back through links.
ACCOUNT_EXPORT_ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:PutObjectTagging", "s3:AbortMultipartUpload"]
# Deletion removes every version, so nothing of the user's stays restorable.
ACCOUNT_DELETE_ACTIONS = ["s3:DeleteObject", "s3:DeleteObjectVersion"]
