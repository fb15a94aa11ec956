"""The import runner over fake ports: statuses, what is recorded, and which errors stop a run."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from outlay.logic.aws_errors import CostDataUnavailableError
from outlay.logic.cost_import import ExpenseDraft
from outlay.logic.errors import CredentialsRejectedError, UpstreamUnavailableError
from outlay.logic.import_runner import ImportOutcome, run_import
from outlay.models.cost_import import ImportRun

from .conftest import ce_group, ce_result


class Source:
    account_id = "111122223333"

    def __init__(self, answers: dict[str, Any]) -> None:
        self.answers = answers
        self.asked: list[str] = []

    def cost_and_usage_pages(self, month: str) -> list[dict[str, Any]]:
        self.asked.append(month)
        answer = self.answers[month]
        if isinstance(answer, Exception):
            raise answer
        return [ce_result(f"{month}-01", f"{month}-28", answer)]


class Writer:
    def __init__(self, fail_on: str | None = None) -> None:
        self.rows: dict[str, ExpenseDraft] = {}
        self.fail_on = fail_on
        self.stale_calls: list[tuple[str, set[str], set[str]]] = []  # month, accounts, kept ids

    def upsert(self, sub: str, draft: ExpenseDraft) -> str:
        if self.fail_on and self.fail_on in draft.vendor:
            raise RuntimeError("dynamodb exploded")
        old = self.rows.get(draft.id)
        self.rows[draft.id] = draft
        return "created" if old is None else ("unchanged" if old == draft else "updated")

    def remove_stale(self, sub: str, accounts: set[str], month: str, keep_ids: set[str]) -> int:
        self.stale_calls.append((month, accounts, keep_ids))
        return 0


class Runs:
    def __init__(self) -> None:
        self.saved: list[ImportRun] = []

    def put(self, sub: str, run: ImportRun) -> None:
        self.saved.append(run)


def go(source: Any, writer: Writer, runs: Runs, months: list[str]) -> ImportOutcome:
    return run_import(
        sub="u1",
        months=months,
        trigger="schedule",
        connect=lambda: source,
        writer=writer,
        runs=runs,
        now=lambda: "2026-11-01T09:00:00.000Z",
        run_id="run-1",
    )


LAMBDA = [ce_group("AWS Lambda", "Usage", "1.50")]


def test_success_counts_totals_and_records() -> None:
    runs, writer = Runs(), Writer()
    outcome = go(Source({"2026-09": LAMBDA, "2026-10": LAMBDA}), writer, runs, ["2026-09", "2026-10"])
    assert outcome.error is None and not outcome.transient
    run = outcome.run
    assert run.status == "succeeded" and run.expenses_created == 2 and run.account_id == "111122223333"
    assert [t.model_dump() for t in run.totals] == [{"currency": "USD", "total": "3.00"}]
    assert runs.saved == [run]
    own = {"111122223333"}
    assert [(m, a) for m, a, _ in writer.stale_calls] == [("2026-09", own), ("2026-10", own)]
    assert "Imported 2026-09, 2026-10" in run.message


def test_a_month_without_data_makes_the_run_partial_and_the_others_continue() -> None:
    runs = Runs()
    source = Source({"2026-09": CostDataUnavailableError("no data"), "2026-10": LAMBDA})
    outcome = go(source, Writer(), runs, ["2026-09", "2026-10"])
    assert source.asked == ["2026-09", "2026-10"]
    assert outcome.run.status == "partial" and outcome.run.failed_months == ["2026-09"]
    assert outcome.run.error_code == "aws_cost_data_unavailable" and not outcome.transient


def test_a_denied_month_stops_the_run_and_marks_the_rest_failed() -> None:
    runs = Runs()
    source = Source(
        {"2026-08": LAMBDA, "2026-09": CredentialsRejectedError("Access denied: x"), "2026-10": LAMBDA}
    )
    outcome = go(source, Writer(), runs, ["2026-08", "2026-09", "2026-10"])
    assert source.asked == ["2026-08", "2026-09"]
    assert outcome.run.status == "partial" and outcome.run.failed_months == ["2026-09", "2026-10"]
    assert outcome.run.error == "Access denied: x" and not outcome.transient


def test_connect_failure_is_a_failed_run() -> None:
    runs = Runs()

    def refuse() -> Any:
        raise UpstreamUnavailableError("AWS is throttling")

    outcome = run_import(
        sub="u1",
        months=["2026-10"],
        trigger="manual",
        connect=refuse,
        writer=Writer(),
        runs=runs,
        now=lambda: "2026-11-01T09:00:00.000Z",
        run_id="r",
    )
    assert outcome.run.status == "failed" and outcome.transient and runs.saved[0].status == "failed"


def test_unreadable_cost_data_is_transient() -> None:
    bad = [{"Keys": ["S3", "Usage"], "Metrics": {"UnblendedCost": {"Amount": "x", "Unit": "USD"}}}]
    outcome = go(Source({"2026-10": bad}), Writer(), Runs(), ["2026-10"])
    assert outcome.run.status == "failed" and outcome.transient


def test_storage_failure_is_recorded_then_raised() -> None:
    runs = Runs()
    groups = [ce_group("AWS Lambda", "Usage", "1"), ce_group("Amazon S3", "Usage", "2")]
    with pytest.raises(RuntimeError, match="exploded"):
        go(Source({"2026-10": groups}), Writer(fail_on="Amazon S3"), runs, ["2026-10"])
    assert runs.saved[0].status == "failed" and runs.saved[0].error_code == "upstream_unavailable"
    assert "dynamodb" not in (runs.saved[0].error or "")  # internal detail stays in the logs


def test_rerun_is_unchanged() -> None:
    writer = Writer()
    go(Source({"2026-10": LAMBDA}), writer, Runs(), ["2026-10"])
    again = go(Source({"2026-10": LAMBDA}), writer, Runs(), ["2026-10"])
    assert (again.run.expenses_created, again.run.expenses_unchanged) == (0, 1)
    assert next(iter(writer.rows.values())).amount == Decimal("1.50")
