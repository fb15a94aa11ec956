"""The daily ECB reference-rates function: schedule -> function -> rates table (writes it, alone).

Reads nothing of users', holds no grant on the expenses table; reaches ECB's public HTTPS files.
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from constructs import Construct
from outlay.event_sources import FX_RATES, FX_RATES_SCHEDULE

from stacks.config import EnvironmentConfig
from stacks.constructs import grants
from stacks.constructs.nag import acknowledge
from stacks.constructs.python_function import OutlayFunction
from stacks.constructs.queues import encrypted_queue
from stacks.data_stack import DataStack


class FxRatesFetcher(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, config: EnvironmentConfig, data: DataStack
    ) -> None:
        super().__init__(scope, construct_id)
        self.failures = encrypted_queue(
            self, "Failures", retention_period=Duration.days(FX_RATES.failure_retention_days)
        )
        acknowledge(
            self.failures.node.default_child,  # type: ignore[arg-type]
            "Serverless-SQSRedrivePolicy",
            "A dead-letter queue: what fails here is kept for inspection, not redriven again.",
        )
        self.function = OutlayFunction(
            self,
            "Fetcher",
            name="fx_rates",
            config=config,
            timeout=Duration.seconds(FX_RATES.timeout_s),
            dead_letter_queue=self.failures,
            environment={"RATES_TABLE": data.rates_table.table_name},
        )
        self.function.function.configure_async_invoke(
            retry_attempts=FX_RATES.retry_attempts,
            max_event_age=Duration.seconds(FX_RATES.max_event_age_s),
        )
        acknowledge(
            self.function.function.node.find_child("EventInvokeConfig").node.default_child,  # type: ignore[arg-type]
            "Serverless-LambdaAsyncFailureDestination",
            "Async invocations that exhaust their retries go to the function's dead-letter queue.",
        )
        # Latest day (Query) and the day's items (one TransactWriteItems of PutItems); no delete.
        grants.table_actions(self.function.function, data.rates_table, ["dynamodb:Query", "dynamodb:PutItem"])
        self.rule = events.Rule(
            self,
            "Daily",
            schedule=events.Schedule.expression(FX_RATES_SCHEDULE),
            targets=[
                targets.LambdaFunction(
                    self.function.function,
                    dead_letter_queue=self.failures,
                    retry_attempts=FX_RATES.schedule_retry_attempts,
                    max_event_age=Duration.seconds(FX_RATES.schedule_max_event_age_s),
                )
            ],
        )
