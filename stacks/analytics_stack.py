"""analytics: the lake's catalog (Glue + Athena), the QuickSight manifest, and the lake writer."""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Duration, Stack
from aws_cdk import aws_athena as athena
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from constructs import Construct

from stacks.api_stack import ApiStack
from stacks.config import EnvironmentConfig
from stacks.constructs.athena_queries import AthenaQueries
from stacks.constructs.buckets import secure_bucket
from stacks.constructs.cdk_providers import acknowledge_bucket_deployments, imported_arn
from stacks.constructs.glue_catalog import LAKE_PREFIX, GlueCatalog
from stacks.constructs.lake_writer import LakeWriter
from stacks.constructs.operations import Operations
from stacks.constructs.quicksight import QuickSightAnalytics
from stacks.data_stack import DataStack
from stacks.scheduler_stack import SchedulerStack


def quicksight_manifest(lake: s3.IBucket) -> dict[str, Any]:
    return {
        "fileLocations": [{"URIPrefixes": [f"s3://{lake.bucket_name}/{LAKE_PREFIX}"]}],
        "globalUploadSettings": {"format": "JSON"},
    }


class AnalyticsStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvironmentConfig,
        data: DataStack,
        api: ApiStack,
        scheduler: SchedulerStack,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        lake = data.lake_bucket
        # Glue/Athena names are per environment (derived, never fixed) so environments share an account.
        self.catalog = GlueCatalog(self, "Catalog", lake=lake, database_name=f"outlay_{config.name}")
        self.results_bucket = secure_bucket(
            self,
            "AthenaResults",
            config=config,
            access_logs=data.access_log_bucket,
            no_versions_reason="Athena query results: derived from the lake, re-created by running the "
            "query again, and expired after 30 days.",
            lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(30))],
        )
        self.workgroup = athena.CfnWorkGroup(
            self,
            "WorkGroup",
            name=f"outlay-{config.name}",
            description="Outlay lake queries",
            recursive_delete_option=config.removal_policy == "destroy",
            work_group_configuration=athena.CfnWorkGroup.WorkGroupConfigurationProperty(
                enforce_work_group_configuration=True,
                publish_cloud_watch_metrics_enabled=True,
                result_configuration=athena.CfnWorkGroup.ResultConfigurationProperty(
                    output_location=f"s3://{self.results_bucket.bucket_name}/results/",
                    encryption_configuration=athena.CfnWorkGroup.EncryptionConfigurationProperty(
                        encryption_option="SSE_S3"
                    ),
                ),
            ),
        )
        # QuickSight's S3 data source reads this manifest; prune=False keeps the lake's data untouched.
        s3deploy.BucketDeployment(
            self,
            "QuickSightManifest",
            sources=[s3deploy.Source.json_data("manifest.json", quicksight_manifest(lake))],
            destination_bucket=lake,
            prune=False,
            memory_limit=256,
        )
        lake_arn = imported_arn(data, lake.bucket_arn)
        acknowledge_bucket_deployments(self, [f"Resource::{lake_arn}/*"])
        self.lake_writer = LakeWriter(
            self,
            "LakeWriter",
            config=config,
            table=data.expenses_table,
            lake=lake,
            lake_arn_finding=lake_arn,
            receipts=data.receipts_bucket,
            receipts_arn_finding=imported_arn(data, data.receipts_bucket.bucket_arn),
        )
        self.queries = AthenaQueries(
            self,
            "Queries",
            workgroup=self.workgroup,
            database=self.catalog.database_name,
            table=self.catalog.table_name,
        )
        self.quicksight = (
            QuickSightAnalytics(
                self,
                "QuickSight",
                config=config,
                workgroup=self.workgroup,
                database=self.catalog.database_name,
                table=self.catalog.table_name,
            )
            if config.quicksight
            else None
        )
        self.operations = Operations(
            self,
            "Operations",
            config=config,
            api=api.api,
            functions={
                "expenses": api.expenses.function,
                "costs": api.costs.function,
                "dispatcher": scheduler.dispatcher.function,
                "worker": scheduler.worker.function,
                "lake_writer": self.lake_writer.handler.function,
            },
            dead_letter_queues={
                "import": scheduler.dead_letters,
                "dispatch": scheduler.dispatch_failures,
                "lake_writer": self.lake_writer.failures,
            },
        )
        CfnOutput(self, "AlarmTopic", value=self.operations.topic.topic_arn)
        CfnOutput(self, "GlueDatabase", value=self.catalog.database_name)
        CfnOutput(self, "AthenaWorkGroup", value=self.workgroup.name)
