"""Bank-statement import: the statements API function, the chunk queue (+ DLQ) and its worker.

commit -> SQS (one message per 500-row chunk, STATEMENT_QUEUE) -> worker writes the chunk's rows.
Both functions read the uploaded file from the receipts bucket (keys <sub>/statements/...); only the
API function signs uploads (PutObject); neither touches the credentials table or the KMS key.
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_sqs as sqs
from constructs import Construct
from outlay.event_sources import STATEMENT_QUEUE
from outlay.tables import EXPENSES_TABLE

from stacks.config import EnvironmentConfig
from stacks.constructs import grants
from stacks.constructs.cdk_providers import imported_arn
from stacks.constructs.nag import acknowledge, acknowledge_findings
from stacks.constructs.python_function import OutlayFunction
from stacks.constructs.queues import encrypted_queue
from stacks.data_stack import DataStack

_KEYS_REASON = (
    "Uploaded statements live under <sub>/statements/ in the receipts bucket; the sub is known only "
    "per request (or per queued chunk), and the function builds every key from the verified sub."
)


class StatementImport(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvironmentConfig,
        data: DataStack,
        allowed_origins: str,
        sync_reason: str,
    ) -> None:
        super().__init__(scope, construct_id)
        self.dead_letters = encrypted_queue(
            self, "DeadLetters", retention_period=Duration.days(STATEMENT_QUEUE.dlq_retention_days)
        )
        acknowledge(
            self.dead_letters.node.default_child,  # type: ignore[arg-type]
            "Serverless-SQSRedrivePolicy",
            "A dead-letter queue: what fails here is kept for inspection, not redriven again.",
        )
        self.queue = encrypted_queue(
            self,
            "Queue",
            visibility_timeout=Duration.seconds(STATEMENT_QUEUE.visibility_timeout_s),
            dead_letter_queue=sqs.DeadLetterQueue(
                queue=self.dead_letters, max_receive_count=STATEMENT_QUEUE.max_receive_count
            ),
        )

        self.api = OutlayFunction(
            self,
            "Api",
            name="statements",
            config=config,
            no_dlq_reason=sync_reason,
            environment={
                "EXPENSES_TABLE": data.expenses_table.table_name,
                "RECEIPTS_BUCKET": data.receipts_bucket.bucket_name,
                "STATEMENT_QUEUE_URL": self.queue.queue_url,
                "ALLOWED_ORIGINS": allowed_origins,
            },
        )
        grants.table_access(self.api.function, data.expenses_table, EXPENSES_TABLE, write=True)
        grants.objects(self.api.function, data.receipts_bucket, "", ["s3:GetObject", "s3:PutObject"])
        self.queue.grant_send_messages(self.api.function)
        self._acknowledge_keys(self.api, data)

        self.worker = OutlayFunction(
            self,
            "Worker",
            name="statement_import_worker",
            config=config,
            timeout=Duration.seconds(STATEMENT_QUEUE.worker_timeout_s),
            no_dlq_reason="Polled synchronously by the SQS event source: a chunk that keeps failing goes "
            f"to the statement queue's DLQ (maxReceiveCount {STATEMENT_QUEUE.max_receive_count}).",
            environment={
                "EXPENSES_TABLE": data.expenses_table.table_name,
                "RECEIPTS_BUCKET": data.receipts_bucket.bucket_name,
            },
        )
        grants.table_access(self.worker.function, data.expenses_table, EXPENSES_TABLE, write=True)
        grants.objects(self.worker.function, data.receipts_bucket, "", ["s3:GetObject"])
        self._acknowledge_keys(self.worker, data)
        self.worker.function.add_event_source(
            sources.SqsEventSource(
                self.queue,
                batch_size=STATEMENT_QUEUE.batch_size,
                max_batching_window=Duration.seconds(STATEMENT_QUEUE.max_batching_window_s),
                max_concurrency=STATEMENT_QUEUE.max_concurrency,
                report_batch_item_failures=STATEMENT_QUEUE.report_batch_item_failures,
            )
        )
        for child in self.worker.function.node.children:
            if isinstance(child, lambda_.EventSourceMapping):
                acknowledge(
                    child,
                    "Serverless-LambdaEventSourceMappingDestination",
                    "SQS event sources take no on-failure destination; the queue's redrive policy moves "
                    f"failing chunks to its DLQ after {STATEMENT_QUEUE.max_receive_count} receives.",
                )

    @staticmethod
    def _acknowledge_keys(function: OutlayFunction, data: DataStack) -> None:
        acknowledge_findings(
            function.role.node.find_child("DefaultPolicy"),
            "AwsSolutions-IAM5",
            [f"Resource::{imported_arn(data, data.receipts_bucket.bucket_arn)}/*"],
            _KEYS_REASON,
        )
