"""Operations: the alarms an operator must hear about, the topic they go to, and an optional dashboard.

Alarms (all notify the same SNS topic; `alarmActions: false` keeps them silent in an environment):
- API: 5XX responses per period >= `api5xxThreshold`
- each Lambda function: Errors > 0
- each dead-letter queue: ApproximateNumberOfMessagesVisible > 0 (anything parked there needs a look)
- the scheduled cost import: the worker's `ImportsFailed` metric (Powertools EMF) > 0

The topic's policy lets only this account's alarms publish and denies non-TLS requests. It has no
server-side encryption, on purpose (recorded on the topic; docs/COSTS.md): CloudWatch can publish to
an encrypted topic only through a customer managed key whose policy lets it (the AWS managed
`alias/aws/sns` key's policy cannot be changed, so alarms could never publish), that key would cost
$1/month per environment, and an alarm notification carries the alarm's name, metric and state, no
user data. The e-mail subscription exists only when `alarmEmail` is configured.

The dashboard ($3.00/month beyond the account's 3 free ones) exists only where `dashboard` is on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from aws_cdk import ArnFormat, Duration, Stack
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from stacks.config import EnvironmentConfig
from stacks.constructs import deliberate as record
from stacks.constructs.nag import acknowledge

# The Powertools metrics the handlers emit: `service` dimension set in each handler, namespace per
# environment (EnvironmentConfig.metrics_namespace, given to every function by OutlayFunction).


@dataclass(frozen=True)
class AppMetric:
    name: str
    service: str

    def metric(self, namespace: str, period: Duration, statistic: str = "Sum") -> cw.Metric:
        return cw.Metric(
            namespace=namespace,
            metric_name=self.name,
            dimensions_map={"service": self.service},
            statistic=statistic,
            period=period,
        )


EXPENSES_CREATED = AppMetric("ExpensesCreated", "expenses")
IMPORTS_SUCCEEDED = AppMetric("ImportsSucceeded", "cost-import")
IMPORTS_FAILED = AppMetric("ImportsFailed", "cost-import")
USERS_IMPORTED = AppMetric("UsersImported", "cost-import")
USERS_QUEUED = AppMetric("UsersQueued", "cost-import")
LAKE_MONTHS_FAILED = AppMetric("LakeMonthsFailed", "lake-writer")
# The import runs twice a month: a failure must keep the alarm visible for a day, not 5 minutes.
IMPORT_ALARM_PERIOD = Duration.hours(1)


class Operations(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvironmentConfig,
        api: apigw.RestApi,
        functions: Mapping[str, lambda_.IFunction],
        dead_letter_queues: Mapping[str, sqs.IQueue],
    ) -> None:
        super().__init__(scope, construct_id)
        period = Duration.minutes(config.alarm_period_minutes)
        self.topic = sns.Topic(
            self, "AlarmTopic", display_name=f"Outlay {config.name} alarms", enforce_ssl=True
        )
        record.deliberate(
            self.topic,
            record.TOPIC_ENCRYPTION,
            "Alarm notifications only (alarm name, metric, state; no user data). CloudWatch can publish "
            "to an encrypted topic only through a customer managed key ($1/month); the AWS managed "
            "aws/sns key's policy cannot let CloudWatch use it. Publishing is TLS-only.",
            nag=["AwsSolutions-SNS2"],
        )
        # enforce_ssl writes a topic policy, which replaces SNS's default "account may publish" one:
        # say explicitly that this account's CloudWatch alarms may publish, and nobody else.
        self.topic.add_to_resource_policy(
            iam.PolicyStatement(
                sid="CloudWatchAlarmsOfThisAccount",
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["sns:Publish"],
                resources=[self.topic.topic_arn],
                conditions={
                    "ArnLike": {
                        "aws:SourceArn": Stack.of(self).format_arn(
                            service="cloudwatch",
                            resource="alarm",
                            resource_name="*",
                            arn_format=ArnFormat.COLON_RESOURCE_NAME,
                        )
                    },
                    "StringEquals": {"aws:SourceAccount": Stack.of(self).account},
                },
            )
        )
        if config.alarm_email:
            subscription = self.topic.add_subscription(subscriptions.EmailSubscription(config.alarm_email))
            acknowledge(
                subscription.node.default_child,  # type: ignore[arg-type]
                "Serverless-SNSRedrivePolicy",
                "Alarm e-mails: an undelivered one leaves the alarm in ALARM on the dashboard and in the "
                "console; a dead-letter queue for e-mails would itself need someone to watch it.",
            )
        action = cw_actions.SnsAction(self.topic)
        self.alarms: dict[str, cw.Alarm] = {}

        def alarm(alarm_id: str, metric: cw.IMetric, threshold: float, description: str) -> None:
            created = cw.Alarm(
                self,
                alarm_id,
                metric=metric,
                threshold=threshold,
                evaluation_periods=1,
                comparison_operator=cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                treat_missing_data=cw.TreatMissingData.NOT_BREACHING,
                actions_enabled=config.alarm_actions,
                alarm_description=f"Outlay {config.name}: {description}",
            )
            created.add_alarm_action(action)
            self.alarms[alarm_id] = created

        alarm(
            "Api5xx",
            api.metric_server_error(period=period, statistic="Sum"),
            config.api_5xx_threshold,
            f"the API answered 5XX at least {config.api_5xx_threshold} time(s) in {period.to_minutes()} min",
        )
        for name, fn in functions.items():
            alarm(
                f"{_camel(name)}Errors",
                fn.metric_errors(period=period, statistic="Sum"),
                1,
                f"the {name} function raised an error",
            )
        for name, queue in dead_letter_queues.items():
            alarm(
                f"{_camel(name)}NotEmpty",
                queue.metric_approximate_number_of_messages_visible(period=period, statistic="Maximum"),
                1,
                f"messages are waiting in the {name} dead-letter queue",
            )
        alarm(
            "ImportFailed",
            IMPORTS_FAILED.metric(config.metrics_namespace, IMPORT_ALARM_PERIOD),
            1,
            "a user's scheduled (or on-demand) AWS cost import failed; see the worker's logs",
        )

        self.dashboard = (
            self._dashboard(config, period, api, functions, dead_letter_queues) if config.dashboard else None
        )

    def _dashboard(
        self,
        config: EnvironmentConfig,
        period: Duration,
        api: apigw.RestApi,
        functions: Mapping[str, lambda_.IFunction],
        dead_letter_queues: Mapping[str, sqs.IQueue],
    ) -> cw.Dashboard:
        dashboard = cw.Dashboard(self, "Dashboard", default_interval=Duration.days(7))
        # cfn-lint's schema (1.51) has no Tags on AWS::CloudWatch::Dashboard yet (E3002); the stage's
        # app/environment tags stay on everything else.
        dashboard.node.default_child.add_property_deletion_override("Tags")  # type: ignore[union-attr]
        dashboard.add_widgets(
            cw.GraphWidget(
                title="API requests and errors",
                left=[
                    api.metric_count(period=period, statistic="Sum"),
                    api.metric_client_error(period=period, statistic="Sum"),
                    api.metric_server_error(period=period, statistic="Sum"),
                ],
                width=12,
            ),
            cw.GraphWidget(
                title="API latency (ms)",
                left=[
                    api.metric_latency(period=period, statistic="p50"),
                    api.metric_latency(period=period, statistic="p90"),
                    api.metric_integration_latency(period=period, statistic="p90"),
                ],
                width=12,
            ),
        )
        dashboard.add_widgets(
            cw.GraphWidget(
                title="Lambda errors and throttles",
                left=[fn.metric_errors(period=period, label=f"{n} errors") for n, fn in functions.items()],
                right=[
                    fn.metric_throttles(period=period, label=f"{n} throttles") for n, fn in functions.items()
                ],
                width=12,
            ),
            cw.GraphWidget(
                title="Lambda duration p90 (ms)",
                left=[
                    fn.metric_duration(period=period, statistic="p90", label=n) for n, fn in functions.items()
                ],
                width=12,
            ),
        )
        dashboard.add_widgets(
            cw.GraphWidget(
                title="Dead-letter queue depth",
                left=[
                    q.metric_approximate_number_of_messages_visible(
                        period=period, statistic="Maximum", label=n
                    )
                    for n, q in dead_letter_queues.items()
                ],
                width=12,
            ),
            cw.GraphWidget(
                title="Cost imports and expenses",
                left=[
                    m.metric(config.metrics_namespace, IMPORT_ALARM_PERIOD)
                    for m in (IMPORTS_SUCCEEDED, IMPORTS_FAILED, USERS_IMPORTED, USERS_QUEUED)
                ],
                right=[
                    EXPENSES_CREATED.metric(config.metrics_namespace, IMPORT_ALARM_PERIOD),
                    LAKE_MONTHS_FAILED.metric(config.metrics_namespace, IMPORT_ALARM_PERIOD),
                ],
                width=12,
            ),
        )
        dashboard.add_widgets(
            cw.AlarmStatusWidget(title="Alarms", alarms=list(self.alarms.values()), width=24),
        )
        return dashboard


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.replace("-", "_").split("_"))
