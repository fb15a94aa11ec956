"""Glue database + table over the lake's JSON lines, partitioned by year/month with partition projection.

Projection means Athena computes partitions from the key layout (`outlay.tables.lake_key`), so no
crawler and no MSCK REPAIR: a new month is queryable the moment the lake writer puts its first object.
"""

from __future__ import annotations

import re

from aws_cdk import Aws
from aws_cdk import aws_glue as glue
from aws_cdk import aws_s3 as s3
from constructs import Construct

LAKE_PREFIX = "expenses/"
COLUMNS = (
    ("userId", "string"),
    ("id", "string"),
    ("timestamp", "string"),
    ("date", "string"),
    ("amount", "decimal(14,4)"),  # 10 integer digits (1e9) + the most minor units (CLF 4)
    ("currency", "string"),
    ("category", "string"),
    ("vendor", "string"),
    ("description", "string"),
    ("tags", "array<string>"),
    ("source", "string"),
    ("awsAccountId", "string"),
    ("awsAccountName", "string"),
)
PARTITIONS = ("year", "month")


class GlueCatalog(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, lake: s3.IBucket, database_name: str) -> None:
        super().__init__(scope, construct_id)
        # Athena wants lowercase letters, digits and underscores: an env named "eu-prod" must still work.
        database_name = re.sub(r"[^a-z0-9_]", "_", database_name.lower())
        location = f"s3://{lake.bucket_name}/{LAKE_PREFIX}"
        self.database = glue.CfnDatabase(
            self,
            "Database",
            catalog_id=Aws.ACCOUNT_ID,
            database_input=glue.CfnDatabase.DatabaseInputProperty(
                name=database_name, description="Outlay expenses data lake"
            ),
        )
        self.database_name = database_name
        self.table_name = "expenses"
        self.table = glue.CfnTable(
            self,
            "ExpensesTable",
            catalog_id=Aws.ACCOUNT_ID,
            database_name=database_name,
            table_input=glue.CfnTable.TableInputProperty(
                name=self.table_name,
                description="One JSON line per expense; one object per user-month",
                table_type="EXTERNAL_TABLE",
                parameters={
                    "classification": "json",
                    "projection.enabled": "true",
                    "projection.year.type": "integer",
                    "projection.year.range": "2000,2099",
                    "projection.month.type": "integer",
                    "projection.month.range": "01,12",
                    "projection.month.digits": "2",
                    "storage.location.template": f"{location}year=${{year}}/month=${{month}}/",
                },
                partition_keys=[glue.CfnTable.ColumnProperty(name=p, type="string") for p in PARTITIONS],
                storage_descriptor=glue.CfnTable.StorageDescriptorProperty(
                    location=location,
                    input_format="org.apache.hadoop.mapred.TextInputFormat",
                    output_format="org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
                    serde_info=glue.CfnTable.SerdeInfoProperty(
                        serialization_library="org.openx.data.jsonserde.JsonSerDe",
                        parameters={"case.insensitive": "false"},
                    ),
                    columns=[glue.CfnTable.ColumnProperty(name=n, type=t) for n, t in COLUMNS],
                ),
            ),
        )
        self.table.add_resource_dependency(self.database)
