"""Backfills run through the import queue: POST answers 202 with a run id at once, one message per
month goes to the worker, GET /aws-cost-import/runs/{id} shows the progress month by month, and a
failed month is recorded without losing the others."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import boto3
from botocore.exceptions import ClientError
from outlay.dal.aws_sessions import AwsSessions
from outlay.dal.import_queue import ImportQueue
from outlay.handlers import cost_import_worker
from outlay.logic import months as month_rules
from outlay.logic.costs_service import CostsService

from .conftest import MOTO_DEFAULT_ACCOUNT, FakeContext, Moto, call, ce_group, ce_result

LAMBDA = [ce_group("AWS Lambda", "Usage", "1.00")]
YEAR = [month_rules.add_months("2026-10", -i) for i in range(11, -1, -1)]  # 2025-11 .. 2026-10


def queued(moto_aws: Moto) -> list[dict[str, Any]]:
    """Every message on the import queue, removed from it, as SQS records for the worker."""
    records = []
    while True:
        got = moto_aws.sqs.receive_message(QueueUrl=moto_aws.queue_url, MaxNumberOfMessages=10)
        if not got.get("Messages"):
            return records
        for m in got["Messages"]:
            records.append(
                {
                    "messageId": m["MessageId"],
                    "receiptHandle": m["ReceiptHandle"],
                    "body": m["Body"],
                    "attributes": {"ApproximateReceiveCount": "1"},
                    "messageAttributes": {},
                    "md5OfBody": m["MD5OfBody"],
                    "eventSource": "aws:sqs",
                    "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:imports",
                    "awsRegion": "us-east-1",
                }
            )
            moto_aws.sqs.delete_message(QueueUrl=moto_aws.queue_url, ReceiptHandle=m["ReceiptHandle"])


def work(records: list[dict[str, Any]], batch: int = 5) -> list[dict[str, Any]]:
    failures = []
    for i in range(0, len(records), batch):
        result = cost_import_worker.handler({"Records": records[i : i + batch]}, FakeContext())
        failures.extend(result["batchItemFailures"])
    return failures


def test_a_twelve_month_backfill_answers_202_and_completes_through_the_queue(
    connected: Moto, service: CostsService
) -> None:
    connected.queue_ce(
        [ce_result(f"{m}-01", month_rules.next_first_day(m).isoformat(), LAMBDA) for m in YEAR],
        account_id=MOTO_DEFAULT_ACCOUNT,
    )
    status, run = call("POST", "/aws-cost-import", body={"from": YEAR[0], "to": YEAR[-1]})
    assert status == 202 and run["status"] == "running" and run["runId"]
    assert [(p["month"], p["status"]) for p in run["progress"]] == [(m, "pending") for m in YEAR]
    assert connected.expense_items("user-a") == []  # nothing imported inside the request

    records = queued(connected)
    bodies = [json.loads(r["body"]) for r in records]
    assert sorted(b["months"][0] for b in bodies) == YEAR
    assert {(b["runId"], b["userId"], b["kind"], len(b["months"])) for b in bodies} == {
        (run["runId"], "user-a", "backfill", 1)
    }

    cost_import_worker.service.use(service)
    assert work(records[:5]) == []
    status, partway = call("GET", f"/aws-cost-import/runs/{run['runId']}")
    assert status == 200 and partway["status"] == "running"
    assert sum(p["status"] == "succeeded" for p in partway["progress"]) == 5
    assert sum(p["status"] == "pending" for p in partway["progress"]) == 7

    assert work(records[5:]) == []
    status, done = call("GET", f"/aws-cost-import/runs/{run['runId']}")
    assert status == 200 and done["status"] == "succeeded" and done["finishedAt"]
    assert [p["status"] for p in done["progress"]] == ["succeeded"] * 12
    assert done["expensesCreated"] == 12 and done["finalMonths"] == YEAR
    assert done["totals"] == [{"currency": "USD", "total": "12.00"}]
    assert len(connected.expense_items("user-a")) == 12
    # The history shows the same run, once, with the same progress.
    history = call("GET", "/aws-cost-import/history")[1]["items"]
    assert [h["runId"] for h in history] == [run["runId"]] and history[0]["status"] == "succeeded"


def test_a_redelivered_month_is_not_counted_twice(connected: Moto, service: CostsService) -> None:
    months = ["2026-09", "2026-10"]
    connected.queue_ce(
        [ce_result(f"{m}-01", month_rules.next_first_day(m).isoformat(), LAMBDA) for m in months],
        account_id=MOTO_DEFAULT_ACCOUNT,
    )
    run = call("POST", "/aws-cost-import", body={"from": months[0], "to": months[1]})[1]
    records = queued(connected)
    cost_import_worker.service.use(service)
    work(records)
    work(records[:1])  # SQS delivers at least once
    done = call("GET", f"/aws-cost-import/runs/{run['runId']}")[1]
    assert (done["expensesCreated"], done["expensesUnchanged"]) in {(2, 0), (1, 1)}
    assert [p["status"] for p in done["progress"]] == ["succeeded", "succeeded"]


def _ce_failing_for(month: str, code: str) -> AwsSessions:
    """Cost Explorer (moto) except for `month`, which answers with the error `code`."""
    real = boto3.session.Session()

    class OneMonthFails:
        def __init__(self, client: Any) -> None:
            self._client = client

        def __getattr__(self, name: str) -> Any:
            return getattr(self._client, name)

        def get_cost_and_usage(self, **kwargs: Any) -> Any:
            if kwargs["TimePeriod"]["Start"] == f"{month}-01":
                raise ClientError({"Error": {"Code": code, "Message": "no"}}, "GetCostAndUsage")
            return self._client.get_cost_and_usage(**kwargs)

    def factory(service_name: str, **kwargs: Any) -> Any:
        client = real.client(service_name, **kwargs)
        return OneMonthFails(client) if service_name == "ce" else client

    return AwsSessions(client_factory=factory)


def test_a_failed_month_is_recorded_and_the_others_complete(
    connected: Moto, make_service: Callable[..., CostsService]
) -> None:
    months = ["2026-08", "2026-09", "2026-10"]
    connected.queue_ce(
        [ce_result(f"{m}-01", month_rules.next_first_day(m).isoformat(), LAMBDA) for m in months],
        account_id=MOTO_DEFAULT_ACCOUNT,
    )
    status, run = call("POST", "/aws-cost-import", body={"from": months[0], "to": months[-1]})
    assert status == 202
    cost_import_worker.service.use(
        make_service(sessions=_ce_failing_for("2026-09", "DataUnavailableException"))
    )
    assert work(queued(connected)) == []  # no data for a month is permanent: not retried
    done = call("GET", f"/aws-cost-import/runs/{run['runId']}")[1]
    assert done["status"] == "partial" and done["failedMonths"] == ["2026-09"]
    assert {p["month"]: p["status"] for p in done["progress"]} == {
        "2026-08": "succeeded",
        "2026-09": "failed",
        "2026-10": "succeeded",
    }
    assert done["expensesCreated"] == 2 and len(connected.expense_items("user-a")) == 2
    assert next(p for p in done["progress"] if p["month"] == "2026-09")["error"]


def test_a_throttled_month_is_retried_then_recorded_as_done(
    connected: Moto, make_service: Callable[..., CostsService], service: CostsService
) -> None:
    months = ["2026-09", "2026-10"]
    connected.queue_ce(
        [ce_result(f"{m}-01", month_rules.next_first_day(m).isoformat(), LAMBDA) for m in months],
        account_id=MOTO_DEFAULT_ACCOUNT,
    )
    run = call("POST", "/aws-cost-import", body={"from": months[0], "to": months[1]})[1]
    records = sorted(queued(connected), key=lambda r: json.loads(r["body"])["months"][0])
    cost_import_worker.service.use(make_service(sessions=_ce_failing_for("2026-09", "ThrottlingException")))
    failures = work(records)
    assert failures == [{"itemIdentifier": records[0]["messageId"]}]  # back to the queue
    assert call("GET", f"/aws-cost-import/runs/{run['runId']}")[1]["status"] == "partial"
    cost_import_worker.service.use(service)
    assert work(records[:1]) == []  # the redelivery succeeds
    done = call("GET", f"/aws-cost-import/runs/{run['runId']}")[1]
    assert done["status"] == "succeeded" and done["failedMonths"] == []


def test_runs_are_private_and_unknown_ids_are_404(connected: Moto) -> None:
    run = call("POST", "/aws-cost-import", body={"from": "2026-09", "to": "2026-10"})[1]
    assert call("GET", f"/aws-cost-import/runs/{run['runId']}", sub="user-b")[0] == 404
    assert call("GET", "/aws-cost-import/runs/nope")[0] == 404


def test_one_month_still_imports_at_once(connected: Moto) -> None:
    connected.queue_ce([ce_result("2026-10-01", "2026-11-01", LAMBDA)], account_id=MOTO_DEFAULT_ACCOUNT)
    status, run = call("POST", "/aws-cost-import", body={"month": "2026-10"})
    assert status == 200 and run["status"] == "succeeded" and run.get("progress") is None
    assert call("GET", f"/aws-cost-import/runs/{run['runId']}")[1]["expensesCreated"] == 1


class RefusesSecondEntry:
    """SendMessageBatch that refuses entry "1" as malformed (a sender fault: never retried)."""

    def send_message_batch(self, QueueUrl: str, Entries: list[dict[str, str]]) -> dict[str, Any]:
        return {
            "Successful": [{"Id": e["Id"]} for e in Entries if e["Id"] != "1"],
            "Failed": [{"Id": "1", "SenderFault": True, "Code": "InvalidMessageContents"}],
        }


def test_a_month_that_cannot_be_queued_is_failed_at_once_and_the_others_wait(
    connected: Moto, service: CostsService
) -> None:
    service.queue = ImportQueue("url", sqs_client=RefusesSecondEntry(), sleep=lambda _s: None)
    status, run = call("POST", "/aws-cost-import", body={"from": "2026-08", "to": "2026-10"})
    assert status == 202 and run["status"] == "running"
    assert {p["month"]: p["status"] for p in run["progress"]} == {
        "2026-08": "pending",
        "2026-09": "failed",
        "2026-10": "pending",
    }
    assert run["failedMonths"] == ["2026-09"]
