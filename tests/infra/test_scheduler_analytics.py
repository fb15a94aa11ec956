"""Monthly import plumbing and the data lake: schedules, queues, stream mapping, Glue/Athena."""

from __future__ import annotations

import json

import pytest

from stacks.analytics_stack import quicksight_manifest
from stacks.constructs.glue_catalog import COLUMNS
from stacks.scheduler_stack import WORKER_TIMEOUT
from tests.infra.conftest import Synthesized, resources

pytestmark = pytest.mark.infra


def test_schedules_fire_the_dispatcher_with_their_kind(synth: Synthesized) -> None:
    template = synth.json("prod", "scheduler")
    rules = {
        r["Properties"]["ScheduleExpression"]: r["Properties"]["Targets"][0]
        for logical_id, r in resources(template, "AWS::Events::Rule").items()
        # the ECB rates and recurring schedules: tests/infra/test_fx_rates.py, test_recurring_schedule.py
        if not logical_id.startswith(("FxRates", "Recurring"))
    }
    assert set(rules) == {"cron(0 9 1 * ? *)", "cron(0 9 8 * ? *)"}
    assert json.loads(rules["cron(0 9 1 * ? *)"]["Input"]) == {"kind": "monthly"}
    assert json.loads(rules["cron(0 9 8 * ? *)"]["Input"]) == {"kind": "finalize"}
    dispatcher = next(k for k in resources(template, "AWS::Lambda::Function") if k.startswith("Dispatcher"))
    for target in rules.values():
        assert target["Arn"] == {"Fn::GetAtt": [dispatcher, "Arn"]}
        assert "Arn" in target["DeadLetterConfig"]


def test_import_queue_redrives_and_outlives_the_worker(synth: Synthesized) -> None:
    template = synth.json("dev", "scheduler")
    queues = resources(template, "AWS::SQS::Queue")
    work = next(v for k, v in queues.items() if k.startswith("ImportQueue"))["Properties"]
    assert work["VisibilityTimeout"] >= 6 * WORKER_TIMEOUT.to_seconds()
    assert work["RedrivePolicy"]["maxReceiveCount"] == 3
    for queue in queues.values():
        assert queue["Properties"]["SqsManagedSseEnabled"] is True
    for policy in resources(template, "AWS::SQS::QueuePolicy").values():
        statement = policy["Properties"]["PolicyDocument"]["Statement"][0]
        assert statement["Effect"] == "Deny"
        assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    mapping = next(iter(resources(template, "AWS::Lambda::EventSourceMapping").values()))["Properties"]
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    worker = next(
        v for k, v in resources(template, "AWS::Lambda::Function").items() if k.startswith("Worker")
    )
    assert mapping["FunctionName"] == {
        "Ref": next(k for k in resources(template, "AWS::Lambda::Function") if k.startswith("Worker"))
    }
    variables = set(worker["Properties"]["Environment"]["Variables"])
    assert variables >= {"EXPENSES_TABLE", "CREDENTIALS_TABLE", "ENVELOPE_FUNCTION"}
    assert "KMS_KEY_ID" not in variables  # the envelope function holds the key, not the worker


def test_lake_writer_reads_the_stream_with_retries_and_a_failure_queue(synth: Synthesized) -> None:
    template = synth.json("dev", "analytics")
    mapping = next(iter(resources(template, "AWS::Lambda::EventSourceMapping").values()))["Properties"]
    assert mapping["StartingPosition"] == "TRIM_HORIZON"
    assert mapping["BatchSize"] == 100
    assert mapping["BisectBatchOnFunctionError"] is True
    assert mapping["MaximumRetryAttempts"] == 10
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    failures = next(k for k in resources(template, "AWS::SQS::Queue") if k.startswith("LakeWriterFailures"))
    assert mapping["DestinationConfig"]["OnFailure"]["Destination"] == {"Fn::GetAtt": [failures, "Arn"]}
    assert "StreamArn" in json.dumps(mapping["EventSourceArn"])
    writer = next(
        v for k, v in resources(template, "AWS::Lambda::Function").items() if k.startswith("LakeWriter")
    )
    assert set(writer["Properties"]["Environment"]["Variables"]) >= {"EXPENSES_TABLE", "LAKE_BUCKET"}


def test_glue_table_projects_year_month_partitions_over_json(synth: Synthesized) -> None:
    template = synth.json("staging", "analytics")
    table = next(iter(resources(template, "AWS::Glue::Table").values()))["Properties"]["TableInput"]
    storage = table["StorageDescriptor"]
    assert [(c["Name"], c["Type"]) for c in storage["Columns"]] == list(COLUMNS)
    assert ("amount", "decimal(14,4)") in COLUMNS and ("tags", "array<string>") in COLUMNS
    assert [(c["Name"], c["Type"]) for c in table["PartitionKeys"]] == [
        ("year", "string"),
        ("month", "string"),
    ]
    assert storage["SerdeInfo"]["SerializationLibrary"] == "org.openx.data.jsonserde.JsonSerDe"
    params = table["Parameters"]
    assert params["projection.enabled"] == "true"
    assert params["projection.month.range"] == "01,12"
    assert params["projection.month.digits"] == "2"
    template_location = json.dumps(params["storage.location.template"])
    assert "/expenses/year=${year}/month=${month}/" in template_location
    database = next(iter(resources(template, "AWS::Glue::Database").values()))["Properties"]
    assert database["DatabaseInput"]["Name"] == "outlay_staging"
    assert table["Name"] == "expenses"


def test_athena_workgroup_enforces_encrypted_results(synth: Synthesized) -> None:
    template = synth.json("dev", "analytics")
    workgroup = next(iter(resources(template, "AWS::Athena::WorkGroup").values()))["Properties"]
    config = workgroup["WorkGroupConfiguration"]
    assert config["EnforceWorkGroupConfiguration"] is True
    assert config["ResultConfiguration"]["EncryptionConfiguration"] == {"EncryptionOption": "SSE_S3"}
    results = next(k for k in resources(template, "AWS::S3::Bucket") if k.startswith("AthenaResults"))
    assert {"Ref": results} in config["ResultConfiguration"]["OutputLocation"]["Fn::Join"][1]


def test_quicksight_manifest_points_at_the_lake_and_never_prunes_it(synth: Synthesized) -> None:
    lake = synth.stages["dev"].data.lake_bucket
    manifest = quicksight_manifest(lake)
    assert manifest["globalUploadSettings"] == {"format": "JSON"}
    prefix = synth.stages["dev"].data.resolve(manifest["fileLocations"][0]["URIPrefixes"][0])
    assert prefix["Fn::Join"][1][-1] == "/expenses/"
    template = synth.json("dev", "analytics")
    deployment = next(iter(resources(template, "Custom::CDKBucketDeployment").values()))["Properties"]
    assert deployment["Prune"] is False
    assert "Lake" in json.dumps(deployment["DestinationBucketName"])


def test_glue_names_stay_athena_safe_for_any_environment_name() -> None:
    from aws_cdk import App, Stack
    from aws_cdk import aws_s3 as s3

    from stacks.constructs.glue_catalog import GlueCatalog

    stack = Stack(App(), "probe")
    catalog = GlueCatalog(stack, "Catalog", lake=s3.Bucket(stack, "Lake"), database_name="outlay_EU-prod.2")
    assert catalog.database_name == "outlay_eu_prod_2"
