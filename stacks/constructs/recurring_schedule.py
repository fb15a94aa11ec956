"""The daily recurring run: an EventBridge schedule -> the recurring runner, which reads the due rules
from the expenses table's sparse `byDue` index and writes their occurrences (same table)."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from constructs import Construct
from outlay.event_sources import RECURRING_RUN, RECURRING_SCHEDULE
from outlay.tables import EXPENSES_TABLE

from stacks.config import EnvironmentConfig
from stacks.constructs import grants
from stacks.constructs.nag import acknowledge
from stacks.constructs.python_function import OutlayFunction
from stacks.constructs.queues import encrypted_queue


class RecurringSchedule(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, config: EnvironmentConfig, table: dynamodb.ITable
    ) -> None:
        super().__init__(scope, construct_id)
        # Failed scheduled invocations (EventBridge delivery or the async Lambda call) land here.
        self.failures = encrypted_queue(
            self, "Failures", retention_period=Duration.days(RECURRING_RUN.failure_retention_days)
        )
        acknowledge(
            self.failures.node.default_child,  # type: ignore[arg-type]
            "Serverless-SQSRedrivePolicy",
            "A dead-letter queue: what fails here is kept for inspection, not redriven again.",
        )
        self.runner = OutlayFunction(
            self,
            "Runner",
            name="recurring_runner",
            config=config,
            timeout=Duration.seconds(RECURRING_RUN.timeout_s),
            dead_letter_queue=self.failures,
            environment={"EXPENSES_TABLE": table.table_name},
        )
        self.runner.function.configure_async_invoke(
            retry_attempts=RECURRING_RUN.retry_attempts,
            max_event_age=Duration.seconds(RECURRING_RUN.max_event_age_s),
        )
        acknowledge(
            self.runner.function.node.find_child("EventInvokeConfig").node.default_child,  # type: ignore[arg-type]
            "Serverless-LambdaAsyncFailureDestination",
            "Async invocations that exhaust their retries go to the function's dead-letter queue, the "
            "same queue as the schedule's failed deliveries.",
        )
        # Rules and occurrences: the expenses table and its indexes (byDue), nothing else.
        grants.table_access(self.runner.function, table, EXPENSES_TABLE, write=True)
        self.rule = events.Rule(
            self,
            "Daily",
            schedule=events.Schedule.expression(RECURRING_SCHEDULE),
            targets=[
                targets.LambdaFunction(
                    self.runner.function,
                    dead_letter_queue=self.failures,
                    retry_attempts=RECURRING_RUN.schedule_retry_attempts,
                    max_event_age=Duration.seconds(RECURRING_RUN.schedule_max_event_age_s),
                )
            ],
        )
