"""scheduler: the monthly AWS cost import. Schedule -> dispatcher -> SQS (one message per user) -> worker.
Also the daily recurring run (`RecurringSchedule`)."""

from __future__ import annotations

from typing import Any

from aws_cdk import Duration, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_sqs as sqs
from constructs import Construct
from outlay.event_sources import DISPATCHER, IMPORT_QUEUE
from outlay.tables import CREDENTIALS_TABLE, EXPENSES_TABLE

from stacks.config import EnvironmentConfig
from stacks.constructs import grants
from stacks.constructs.envelope_keeper import EnvelopeKeeper
from stacks.constructs.fx_rates import FxRatesFetcher
from stacks.constructs.nag import acknowledge, acknowledge_findings
from stacks.constructs.python_function import OutlayFunction
from stacks.constructs.queues import encrypted_queue
from stacks.constructs.recurring_schedule import RecurringSchedule
from stacks.data_stack import DataStack

WORKER_TIMEOUT = Duration.seconds(IMPORT_QUEUE.worker_timeout_s)
# Import workers polling the queue at once (the SQS event source's maximum concurrency).
WORKER_MAX_CONCURRENCY = IMPORT_QUEUE.max_concurrency
# 1st of the month: import last month. 8th: re-import it once Cost Explorer has finalized the bill.
SCHEDULES = {
    "Monthly": ("cron(0 9 1 * ? *)", "monthly"),
    "Finalize": ("cron(0 9 8 * ? *)", "finalize"),
}


class SchedulerStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvironmentConfig,
        data: DataStack,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        cap = config.reserved_concurrency("background")
        if cap is not None and cap < WORKER_MAX_CONCURRENCY:
            raise ValueError(
                f"reservedConcurrency.background {cap} < {WORKER_MAX_CONCURRENCY} import workers"
            )
        self.dead_letters = encrypted_queue(
            self, "ImportDeadLetters", retention_period=Duration.days(IMPORT_QUEUE.dlq_retention_days)
        )
        self.queue = encrypted_queue(
            self,
            "ImportQueue",
            # SQS re-delivers only after this; 6x the worker timeout covers retries inside a batch.
            visibility_timeout=Duration.seconds(IMPORT_QUEUE.visibility_timeout_s),
            dead_letter_queue=sqs.DeadLetterQueue(
                queue=self.dead_letters, max_receive_count=IMPORT_QUEUE.max_receive_count
            ),
        )
        # Failed scheduled invocations (EventBridge delivery or the async Lambda call) land here.
        self.dispatch_failures = encrypted_queue(
            self, "DispatchFailures", retention_period=Duration.days(DISPATCHER.failure_retention_days)
        )
        for dead_letters in (self.dead_letters, self.dispatch_failures):
            acknowledge(
                dead_letters.node.default_child,  # type: ignore[arg-type]
                "Serverless-SQSRedrivePolicy",
                "A dead-letter queue: what fails here is kept for inspection, not redriven again.",
            )

        self.dispatcher = OutlayFunction(
            self,
            "Dispatcher",
            name="cost_import_dispatcher",
            config=config,
            timeout=Duration.seconds(DISPATCHER.timeout_s),
            dead_letter_queue=self.dispatch_failures,
            environment={
                "CREDENTIALS_TABLE": data.credentials_table.table_name,
                "IMPORT_QUEUE_URL": self.queue.queue_url,
            },
        )
        self.dispatcher.function.configure_async_invoke(
            retry_attempts=DISPATCHER.retry_attempts,
            max_event_age=Duration.seconds(DISPATCHER.max_event_age_s),
        )
        acknowledge(
            self.dispatcher.function.node.find_child("EventInvokeConfig").node.default_child,  # type: ignore[arg-type]
            "Serverless-LambdaAsyncFailureDestination",
            "Async invocations that exhaust their retries go to the function's dead-letter queue "
            "(DispatchFailures), the same queue as the schedules' failed deliveries.",
        )
        # Who has a connection, never what it holds: no KMS permission at all.
        grants.table_access(
            self.dispatcher.function, data.credentials_table, CREDENTIALS_TABLE, write=False, scan=True
        )
        self.queue.grant_send_messages(self.dispatcher.function)

        for rule_id, (expression, kind) in SCHEDULES.items():
            events.Rule(
                self,
                f"{rule_id}Import",
                schedule=events.Schedule.expression(expression),
                targets=[
                    targets.LambdaFunction(
                        self.dispatcher.function,
                        event=events.RuleTargetInput.from_object({"kind": kind}),
                        dead_letter_queue=self.dispatch_failures,
                        retry_attempts=DISPATCHER.schedule_retry_attempts,
                        max_event_age=Duration.seconds(DISPATCHER.schedule_max_event_age_s),
                    )
                ],
            )

        # Here, not in the (stateful) data stack next to its key: the worker below and the API stack's
        # costs function, both built after this, are its only callers.
        self.envelope = EnvelopeKeeper(self, "Envelope", config=config, key=data.key)

        self.worker = OutlayFunction(
            self,
            "Worker",
            name="cost_import_worker",
            config=config,
            timeout=WORKER_TIMEOUT,
            no_dlq_reason="Polled synchronously by the SQS event source: a message that keeps failing "
            f"goes to the import queue's DLQ (maxReceiveCount {IMPORT_QUEUE.max_receive_count}), "
            "not to a function DLQ.",
            environment={
                "EXPENSES_TABLE": data.expenses_table.table_name,
                "RECEIPTS_BUCKET": data.receipts_bucket.bucket_name,
                "CREDENTIALS_TABLE": data.credentials_table.table_name,
            },
        )
        self.envelope.grant_invoke(self.worker)
        grants.removes_receipts(self.worker.function, data, data.receipts_bucket)
        grants.table_access(self.worker.function, data.expenses_table, EXPENSES_TABLE, write=True)
        grants.table_access(self.worker.function, data.credentials_table, CREDENTIALS_TABLE, write=False)
        grants.assume_user_roles(self.worker.function)
        acknowledge_findings(
            self.worker.role.node.find_child("DefaultPolicy"),
            "AwsSolutions-IAM5",
            [grants.ASSUME_ROLE_FINDING],
            grants.ASSUME_ROLE_REASON,
        )
        self.worker.function.add_event_source(
            sources.SqsEventSource(
                self.queue,
                batch_size=IMPORT_QUEUE.batch_size,
                max_batching_window=Duration.seconds(IMPORT_QUEUE.max_batching_window_s),
                max_concurrency=IMPORT_QUEUE.max_concurrency,
                report_batch_item_failures=IMPORT_QUEUE.report_batch_item_failures,
            )
        )
        for child in self.worker.function.node.children:
            if isinstance(child, lambda_.EventSourceMapping):
                acknowledge(
                    child,
                    "Serverless-LambdaEventSourceMappingDestination",
                    "SQS event sources take no on-failure destination; the queue's redrive policy "
                    f"moves failing messages to its DLQ after {IMPORT_QUEUE.max_receive_count} receives.",
                )

        # ECB reference rates for base-currency totals (daily; stacks/constructs/fx_rates.py).
        self.fx_rates = FxRatesFetcher(self, "FxRates", config=config, data=data)
        self.recurring = RecurringSchedule(self, "Recurring", config=config, table=data.expenses_table)
