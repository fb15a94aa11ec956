"""Optional QuickSight over Athena (config `quicksight: true`): a data source and an RLS-protected dataset.

Row-level security is tag-based, keyed on `userId`: a reader sees only rows whose `userId` equals the
session tag `userId`. Outlay's users are Cognito users, not QuickSight users, so a permissions
dataset (QuickSight user name -> userId) would need a QuickSight user per Outlay user and a table
of names nobody knows at deploy time. Tag-based RLS needs neither: whoever embeds the dashboard
(GenerateEmbedUrlForAnonymousUser) sets the tag to the caller's verified Cognito `sub`. With the
tag rule enabled, a session without the tag sees no rows, so the default is "nothing", not "all".

The configured principal (a QuickSight user or group ARN) owns both resources. QuickSight's own
service role must be allowed (in the QuickSight console) to use Athena and read the lake and the
Athena results buckets; a subscription is a prerequisite, which is why this is off by default.
"""

from __future__ import annotations

from aws_cdk import Aws
from aws_cdk import aws_athena as athena
from aws_cdk import aws_quicksight as quicksight
from constructs import Construct

from stacks.config import EnvironmentConfig
from stacks.constructs.nag import acknowledge

RLS_TAG = "userId"
# Lake columns QuickSight can read (`tags` is array<string>, which QuickSight datasets cannot map).
DATASET_COLUMNS = (
    ("userId", "STRING"),
    ("id", "STRING"),
    ("date", "STRING"),
    ("amount", "DECIMAL"),
    ("currency", "STRING"),
    ("category", "STRING"),
    ("vendor", "STRING"),
    ("description", "STRING"),
    ("source", "STRING"),
    ("awsAccountId", "STRING"),
    ("awsAccountName", "STRING"),
    ("year", "STRING"),
    ("month", "STRING"),
)
DATA_SOURCE_ACTIONS = (
    "quicksight:DescribeDataSource",
    "quicksight:DescribeDataSourcePermissions",
    "quicksight:PassDataSource",
    "quicksight:UpdateDataSource",
    "quicksight:DeleteDataSource",
    "quicksight:UpdateDataSourcePermissions",
)
DATA_SET_ACTIONS = (
    "quicksight:DescribeDataSet",
    "quicksight:DescribeDataSetPermissions",
    "quicksight:PassDataSet",
    "quicksight:DescribeIngestion",
    "quicksight:ListIngestions",
    "quicksight:UpdateDataSet",
    "quicksight:DeleteDataSet",
    "quicksight:CreateIngestion",
    "quicksight:CancelIngestion",
    "quicksight:UpdateDataSetPermissions",
)


class QuickSightAnalytics(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvironmentConfig,
        workgroup: athena.CfnWorkGroup,
        database: str,
        table: str,
    ) -> None:
        super().__init__(scope, construct_id)
        principal = config.quicksight_principal_arn
        if not principal.startswith("arn:"):
            raise ValueError(
                f"{config.name}: quicksight is on but quicksightPrincipalArn is not a QuickSight user/group "
                "ARN (arn:aws:quicksight:<region>:<account>:user/default/<name>)"
            )
        # QuickSight ids are account-wide names: derived from the environment so environments coexist.
        self.data_source = quicksight.CfnDataSource(
            self,
            "Athena",
            aws_account_id=Aws.ACCOUNT_ID,
            data_source_id=f"outlay-{config.name}-athena",
            name=f"Outlay {config.name} (Athena)",
            type="ATHENA",
            data_source_parameters=quicksight.CfnDataSource.DataSourceParametersProperty(
                athena_parameters=quicksight.CfnDataSource.AthenaParametersProperty(work_group=workgroup.name)
            ),
            ssl_properties=quicksight.CfnDataSource.SslPropertiesProperty(disable_ssl=False),
            permissions=[
                quicksight.CfnDataSource.ResourcePermissionProperty(
                    principal=principal, actions=list(DATA_SOURCE_ACTIONS)
                )
            ],
        )
        self.data_source.add_resource_dependency(workgroup)
        self.data_set = quicksight.CfnDataSet(
            self,
            "Expenses",
            aws_account_id=Aws.ACCOUNT_ID,
            data_set_id=f"outlay-{config.name}-expenses",
            name=f"Outlay {config.name} expenses",
            # Direct query: Athena prunes year/month partitions per visual; nothing copied into SPICE.
            import_mode="DIRECT_QUERY",
            physical_table_map={
                "expenses": quicksight.CfnDataSet.PhysicalTableProperty(
                    relational_table=quicksight.CfnDataSet.RelationalTableProperty(
                        data_source_arn=self.data_source.attr_arn,
                        catalog="AwsDataCatalog",
                        schema=database,
                        name=table,
                        input_columns=[
                            quicksight.CfnDataSet.InputColumnProperty(name=n, type=t)
                            for n, t in DATASET_COLUMNS
                        ],
                    )
                )
            },
            row_level_permission_tag_configuration=quicksight.CfnDataSet.RowLevelPermissionTagConfigurationProperty(
                status="ENABLED",
                tag_rules=[
                    quicksight.CfnDataSet.RowLevelPermissionTagRuleProperty(
                        tag_key=RLS_TAG, column_name="userId"
                    )
                ],
            ),
            permissions=[
                quicksight.CfnDataSet.ResourcePermissionProperty(
                    principal=principal, actions=list(DATA_SET_ACTIONS)
                )
            ],
        )
        acknowledge(
            self.data_set,
            "CloudFormation-Validate::W9009",
            "RowLevelPermissionTagConfiguration is deprecated in favour of SemanticModelConfiguration, which "
            "needs a full DataPrepConfiguration graph; the property is still accepted and is the one "
            "documented way to get tag-based RLS on a single-table dataset.",
        )
