"""Analytics: Glue layout = the lake writer's keys, saved Athena queries, optional QuickSight with RLS."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from aws_cdk import App, Stack
from aws_cdk import aws_athena as athena
from outlay.tables import lake_key

from stacks.analytics_stack import quicksight_manifest
from stacks.config import EnvironmentConfig
from stacks.constructs.glue_catalog import COLUMNS, LAKE_PREFIX
from stacks.constructs.quicksight import DATASET_COLUMNS, RLS_TAG, QuickSightAnalytics
from tests.infra.conftest import ENVIRONMENTS, Synthesized, resources
from tests.infra.delivery_app import ALARM_EMAIL, QUICKSIGHT_PRINCIPAL, delivery

pytestmark = pytest.mark.infra


def _table(template: dict[str, Any]) -> dict[str, Any]:
    (table,) = resources(template, "AWS::Glue::Table").values()
    return table["Properties"]["TableInput"]  # type: ignore[no-any-return]


def test_glue_partitions_are_exactly_where_the_lake_writer_puts_objects(synth: Synthesized) -> None:
    table = _table(synth.json("dev", "analytics"))
    params = table["Parameters"]
    # The writer's key for one user-month, with the partition values as Athena's placeholders:
    written = lake_key("${year}", "${month}", "SUB").removesuffix("SUB.json")
    template = params["storage.location.template"]["Fn::Join"][1]
    assert template[-1] == "/" + written
    assert written.startswith(LAKE_PREFIX)
    assert [k["Name"] for k in table["PartitionKeys"]] == ["year", "month"]
    assert table["StorageDescriptor"]["Location"]["Fn::Join"][1][-1] == "/" + LAKE_PREFIX
    # Projection covers the values the writer produces: 4-digit years, zero-padded months.
    concrete = lake_key("2026", "01", "SUB")
    assert concrete == "expenses/year=2026/month=01/SUB.json"
    low, high = map(int, params["projection.year.range"].split(","))
    assert low <= 2026 <= high and params["projection.year.type"] == "integer"
    assert params["projection.month.range"] == "01,12" and params["projection.month.digits"] == "2"
    assert params["projection.enabled"] == "true"
    assert not resources(synth.json("dev", "analytics"), "AWS::Glue::Crawler")


def _queries(synth: Synthesized, env: str) -> dict[str, dict[str, Any]]:
    template = synth.json(env, "analytics")
    return {
        q["Properties"]["Name"]: q["Properties"]
        for q in resources(template, "AWS::Athena::NamedQuery").values()
    }


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_named_queries_run_in_the_environments_workgroup_and_database(synth: Synthesized, env: str) -> None:
    queries = _queries(synth, env)
    assert set(queries) == {"Outlay: spend by month and category", "Outlay: AWS costs by service"}
    (workgroup,) = resources(synth.json(env, "analytics"), "AWS::Athena::WorkGroup").values()
    for query in queries.values():
        assert query["WorkGroup"] == workgroup["Properties"]["Name"] == f"outlay-{env}"
        assert query["Database"] == f"outlay_{env}"
        assert f'FROM "outlay_{env}"."expenses"' in query["QueryString"]


def test_spend_query_groups_by_month_category_and_currency(synth: Synthesized) -> None:
    sql = _queries(synth, "dev")["Outlay: spend by month and category"]["QueryString"]
    assert "GROUP BY year, month, category, currency" in sql
    assert "SUM(amount)" in sql
    columns = {name for name, _ in COLUMNS} | {"year", "month"}
    assert {"amount", "category", "currency"} <= columns


def test_aws_cost_query_reads_only_imported_aws_lines(synth: Synthesized) -> None:
    sql = _queries(synth, "dev")["Outlay: AWS costs by service"]["QueryString"]
    assert "source = 'aws'" in sql
    assert "vendor LIKE 'AWS - %'" in sql
    assert "substr(vendor, 7)" in sql and len("AWS - ") == 6  # 1-based: the service name after the prefix
    assert "GROUP BY year, month, vendor, currency" in sql


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_quicksight_is_absent_while_the_flag_is_off(synth: Synthesized, env: str) -> None:
    assert synth.config(env).quicksight is False
    template = synth.json(env, "analytics")
    assert not [r for r in template["Resources"].values() if r["Type"].startswith("AWS::QuickSight::")]


def test_quicksight_on_creates_an_athena_source_and_an_rls_dataset() -> None:
    built = delivery()
    template = built.json("dev", "analytics")
    (source_id, source), *_ = resources(template, "AWS::QuickSight::DataSource").items()
    assert len(resources(template, "AWS::QuickSight::DataSource")) == 1
    props = source["Properties"]
    assert props["Type"] == "ATHENA"
    assert props["DataSourceParameters"] == {"AthenaParameters": {"WorkGroup": "outlay-dev"}}
    assert [p["Principal"] for p in props["Permissions"]] == [QUICKSIGHT_PRINCIPAL]
    (data_set,) = resources(template, "AWS::QuickSight::DataSet").values()
    ds = data_set["Properties"]
    (physical,) = ds["PhysicalTableMap"].values()
    table = physical["RelationalTable"]
    assert table["DataSourceArn"] == {"Fn::GetAtt": [source_id, "Arn"]}
    assert (table["Catalog"], table["Schema"], table["Name"]) == ("AwsDataCatalog", "outlay_dev", "expenses")
    lake_columns = {name for name, _ in COLUMNS} | {"year", "month"}
    assert {c["Name"] for c in table["InputColumns"]} <= lake_columns
    assert ds["ImportMode"] == "DIRECT_QUERY"
    rls = ds["RowLevelPermissionTagConfiguration"]
    assert rls["Status"] == "ENABLED"
    assert rls["TagRules"] == [{"TagKey": RLS_TAG, "ColumnName": "userId"}]
    assert "userId" in {c["Name"] for c in table["InputColumns"]}
    assert [p["Principal"] for p in ds["Permissions"]] == [QUICKSIGHT_PRINCIPAL]
    # staging in the same app keeps the flag off
    staging = built.json("staging", "analytics")
    assert not [r for r in staging["Resources"].values() if r["Type"].startswith("AWS::QuickSight::")]


def test_quicksight_on_without_a_principal_is_refused() -> None:
    config = EnvironmentConfig(name="dev", quicksight=True)
    stack = Stack(App(), "probe")
    workgroup = athena.CfnWorkGroup(stack, "WorkGroup", name="outlay-dev")
    with pytest.raises(ValueError, match="quicksightPrincipalArn"):
        QuickSightAnalytics(stack, "QuickSight", config=config, workgroup=workgroup, database="d", table="t")


def test_alarm_email_subscribes_to_the_topic_only_where_configured() -> None:
    built = delivery()
    template = built.json("dev", "analytics")
    (topic,) = resources(template, "AWS::SNS::Topic")
    (subscription,) = resources(template, "AWS::SNS::Subscription").values()
    assert subscription["Properties"] == {
        "Protocol": "email",
        "Endpoint": ALARM_EMAIL,
        "TopicArn": {"Ref": topic},
    }
    assert resources(built.json("staging", "analytics"), "AWS::SNS::Subscription") == {}


def test_manifest_points_at_the_lake_writers_root(synth: Synthesized) -> None:
    stage = synth.stages["dev"]
    (location,) = quicksight_manifest(stage.data.lake_bucket)["fileLocations"]
    (prefix,) = location["URIPrefixes"]
    parts = stage.data.resolve(prefix)["Fn::Join"][1]
    assert parts[0] == "s3://"
    assert parts[1] == stage.data.resolve(stage.data.lake_bucket.bucket_name)
    assert parts[-1] == "/" + lake_key("2026", "01", "SUB").split("year=")[0]


def test_glue_columns_are_the_fields_the_lake_writer_writes() -> None:
    from datetime import UTC, datetime

    from outlay.logic.lake import lake_line
    from outlay.models.expenses import Expense

    now = datetime(2026, 1, 31, 12, tzinfo=UTC)
    expense = Expense.model_validate(
        {
            "id": "e1",
            "date": "2026-01-31",
            "amount": "-3.50",
            "currency": "USD",
            "category": "Software",
            "vendor": "AWS - Credits",
            "tags": ["aws"],
            "source": "aws",
            "created_at": now,
            "updated_at": now,
        }
    )
    line = json.loads(lake_line("SUB", expense), parse_float=Decimal)
    assert set(line) == {name for name, _ in COLUMNS}
    assert line["amount"] == Decimal("-3.50")  # a JSON number: decimal(14,4), never a float string
    assert isinstance(line["tags"], list)  # array<string>
    # What the AWS-costs query filters on is what the importer writes.
    assert line["source"] == "aws" and line["vendor"].startswith("AWS - ")
    quicksight_columns = {name for name, _ in DATASET_COLUMNS}
    assert quicksight_columns <= set(line) | {"year", "month"}
    assert set(line) - quicksight_columns == {"timestamp", "tags"}  # what QuickSight leaves out
