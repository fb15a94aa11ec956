"""Lake writer: the expenses table's stream -> one JSON-lines object per user-month in the lake;
also deletes the receipt of a trashed expense when TTL removes it from the trash (DeleteObject only)."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_s3 as s3
from constructs import Construct
from outlay.event_sources import LAKE_STREAM
from outlay.tables import EXPENSES_TABLE

from stacks.config import EnvironmentConfig
from stacks.constructs import grants
from stacks.constructs.glue_catalog import LAKE_PREFIX
from stacks.constructs.nag import acknowledge, acknowledge_findings
from stacks.constructs.python_function import OutlayFunction
from stacks.constructs.queues import encrypted_queue


class LakeWriter(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvironmentConfig,
        table: dynamodb.ITable,
        lake: s3.IBucket,
        lake_arn_finding: str,
        receipts: s3.IBucket,
        receipts_arn_finding: str,
    ) -> None:
        super().__init__(scope, construct_id)
        # Records that still fail after retries and bisection: their metadata lands here for replay.
        self.failures = encrypted_queue(
            self, "Failures", retention_period=Duration.days(LAKE_STREAM.failure_retention_days)
        )
        self.handler = OutlayFunction(
            self,
            "Handler",
            name="lake_writer",
            config=config,
            timeout=Duration.seconds(LAKE_STREAM.function_timeout_s),
            no_dlq_reason="Invoked synchronously by the DynamoDB stream mapping; records that keep "
            "failing go to the mapping's on-failure queue.",
            environment={
                "EXPENSES_TABLE": table.table_name,
                "LAKE_BUCKET": lake.bucket_name,
                "RECEIPTS_BUCKET": receipts.bucket_name,
            },
        )
        acknowledge(
            self.failures.node.default_child,  # type: ignore[arg-type]
            "AwsSolutions-SQS3",
            "This queue is itself the dead-letter destination of the stream mapping.",
        )
        acknowledge(
            self.failures.node.default_child,  # type: ignore[arg-type]
            "Serverless-SQSRedrivePolicy",
            "This queue is itself the dead-letter destination of the stream mapping.",
        )
        fn = self.handler.function
        grants.table_access(fn, table, EXPENSES_TABLE, write=False)
        grants.objects(fn, lake, LAKE_PREFIX, ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"])
        grants.objects(fn, receipts, "", ["s3:DeleteObject"])
        acknowledge_findings(
            self.handler.role.node.find_child("DefaultPolicy"),
            "AwsSolutions-IAM5",
            [f"Resource::{lake_arn_finding}/{LAKE_PREFIX}*", f"Resource::{receipts_arn_finding}/*"],
            "One object per user-month under expenses/year=/month=/; which ones is known per record. "
            "Receipts: DeleteObject only, of <sub>/receipts/<id> named by a TTL-expired trash item.",
        )
        fn.add_event_source(
            sources.DynamoEventSource(
                table,
                starting_position=lambda_.StartingPosition(LAKE_STREAM.starting_position),
                batch_size=LAKE_STREAM.batch_size,
                bisect_batch_on_error=LAKE_STREAM.bisect_batch_on_error,
                retry_attempts=LAKE_STREAM.retry_attempts,
                max_record_age=(
                    None
                    if LAKE_STREAM.max_record_age_s is None
                    else Duration.seconds(LAKE_STREAM.max_record_age_s)
                ),
                report_batch_item_failures=LAKE_STREAM.report_batch_item_failures,
                on_failure=sources.SqsDlq(self.failures),
            )
        )
