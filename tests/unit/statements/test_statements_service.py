"""The statement import over moto: mapping memory, duplicates skipped unless kept, idempotent commits
that keep user edits and deletions, chunked runs with progress and bad lines."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from outlay import tables
from outlay.dal.expenses_repo import ExpensesRepository
from outlay.logic import statements_service as svc_mod
from outlay.logic.errors import NotFoundError
from outlay.logic.expenses import utc_now
from outlay.logic.statement_csv import file_hash
from outlay.logic.statements import row_id
from outlay.logic.statements_service import StatementsService
from outlay.models.expenses import Expense
from outlay.models.queries import ListQuery
from outlay.models.statements import ColumnMapping, CommitRequest

from tests.unit.statements.conftest import InlineQueue

SUB = "user-1"
CSV = (
    "Date;Amount;Payee;Memo\n"
    "31.12.2026;-1.234,56;Möbelhaus;Sofa\n"
    "32.12.2026;-3,50;Bäckerei;Brot\n"
    "30.12.2026;-12,00;Shell 0042;Fuel\n"
    "29.12.2026;2.000,00;Employer;Salary\n"
)


def _upload(service: StatementsService, s3: Any, bucket: str, text: str) -> str:
    upload_id = service.start_upload(SUB).upload_id
    s3.put_object(Bucket=bucket, Key=tables.statement_key(SUB, upload_id), Body=text.encode())
    return upload_id


def _drain(service: StatementsService) -> None:
    queue: InlineQueue = service.queue  # type: ignore[assignment]
    for message in list(queue.sent):
        service.process_chunk(message)
    queue.sent.clear()


def _repo(dynamodb_client: Any, table: str) -> ExpensesRepository:
    return ExpensesRepository(table, dynamodb_client=dynamodb_client)


def _statement_expenses(repo: ExpensesRepository) -> list[Expense]:
    return [e for e in repo.page(SUB, ListQuery(), limit=100).items if e.source == "statement"]


def test_analyze_detects_the_layout_and_reports_bad_rows_by_line(
    service: StatementsService, s3_client: Any, receipts_bucket: str
) -> None:
    analysis = service.analyze(SUB, _upload(service, s3_client, receipts_bucket, CSV), None)
    mapping = analysis.mapping
    assert mapping is not None and not analysis.remembered
    assert (mapping.delimiter, mapping.decimal, mapping.date_format) == (";", ",", "DD.MM.YYYY")
    assert (mapping.date, mapping.amount, mapping.vendor, mapping.description) == (0, 1, 2, 3)
    assert analysis.counts.model_dump() == {"total": 4, "valid": 2, "credits": 1, "bad": 1, "duplicates": 0}
    assert [(b.line, b.field) for b in analysis.bad_rows] == [(3, "date")]


def test_mapping_is_remembered_per_layout_and_proposed_next_time(
    service: StatementsService, s3_client: Any, receipts_bucket: str
) -> None:
    first = _upload(service, s3_client, receipts_bucket, CSV)
    detected = service.analyze(SUB, first, None).mapping
    assert detected is not None
    chosen = detected.model_copy(update={"vendor": 3, "description": 2, "category": "Housing"})
    service.commit(SUB, first, CommitRequest(mapping=chosen))
    same_layout = CSV.split("\n")[0] + "\n01.01.2027;-9,99;Kiosk;Zeitung\n"
    again = service.analyze(SUB, _upload(service, s3_client, receipts_bucket, same_layout), None)
    assert again.remembered and again.mapping == chosen


def test_commit_writes_good_rows_once_and_a_second_upload_writes_nothing_new(
    service: StatementsService,
    s3_client: Any,
    receipts_bucket: str,
    dynamodb_client: Any,
    expenses_table: str,
) -> None:
    upload = _upload(service, s3_client, receipts_bucket, CSV)
    mapping = service.analyze(SUB, upload, None).mapping
    assert mapping is not None
    run = service.commit(SUB, upload, CommitRequest(mapping=mapping))
    assert (run.status, run.total, run.chunks) == ("queued", 4, 1)
    _drain(service)
    done = service.run(SUB, run.run_id)
    assert (done.status, done.done, done.created, done.credits_skipped, done.bad) == ("succeeded", 4, 2, 1, 1)
    assert [(b.line, b.field) for b in done.bad_rows] == [(3, "date")]
    repo = _repo(dynamodb_client, expenses_table)
    saved = _statement_expenses(repo)
    digest = file_hash(CSV.encode())
    assert sorted(e.id for e in saved) == sorted([row_id(digest, 2), row_id(digest, 4)])
    assert {e.amount for e in saved} == {Decimal("1234.56"), Decimal("12.00")}
    summary = repo.summary(SUB, "2026-12", "2026-12")

    second = service.commit(
        SUB, _upload(service, s3_client, receipts_bucket, CSV), CommitRequest(mapping=mapping)
    )
    _drain(service)
    again = service.run(SUB, second.run_id)
    assert (again.created, again.unchanged) == (0, 2)
    assert len(_statement_expenses(repo)) == 2
    assert repo.summary(SUB, "2026-12", "2026-12") == summary


def test_reimport_keeps_user_edits_and_never_resurrects_a_deleted_row(
    service: StatementsService,
    s3_client: Any,
    receipts_bucket: str,
    dynamodb_client: Any,
    expenses_table: str,
) -> None:
    upload = _upload(service, s3_client, receipts_bucket, CSV)
    mapping = service.analyze(SUB, upload, None).mapping
    assert mapping is not None
    service.commit(SUB, upload, CommitRequest(mapping=mapping))
    _drain(service)
    repo = _repo(dynamodb_client, expenses_table)
    digest = file_hash(CSV.encode())
    repo.update(SUB, row_id(digest, 2), {"category": "Housing", "vendor": "IKEA"})
    repo.delete(SUB, row_id(digest, 4), trash_at=utc_now())

    run = service.commit(
        SUB, _upload(service, s3_client, receipts_bucket, CSV), CommitRequest(mapping=mapping)
    )
    _drain(service)
    result = service.run(SUB, run.run_id)
    assert (result.created, result.dismissed_skipped) == (0, 1)
    kept = repo.get(SUB, row_id(digest, 2))
    assert (kept.category, kept.vendor) == ("Housing", "IKEA")
    with pytest.raises(NotFoundError):
        repo.get(SUB, row_id(digest, 4))


def test_likely_duplicates_are_shown_and_skipped_unless_kept(
    service: StatementsService,
    s3_client: Any,
    receipts_bucket: str,
    dynamodb_client: Any,
    expenses_table: str,
) -> None:
    repo = _repo(dynamodb_client, expenses_table)
    now = datetime(2026, 12, 31, tzinfo=UTC)
    manual = Expense(
        id="manual-fuel",
        date=date(2026, 12, 30),
        amount=Decimal("12.00"),
        currency="EUR",
        category="Transport",
        vendor="SHELL",
        created_at=now,
        updated_at=now,
    )
    repo.create(SUB, manual)
    upload = _upload(service, s3_client, receipts_bucket, CSV)
    detected = service.analyze(SUB, upload, None)
    assert detected.mapping is not None and detected.mapping.fixed_currency == "USD"  # the profile's default
    assert detected.counts.duplicates == 0  # the manual expense is in EUR
    in_euro = detected.mapping.model_copy(update={"fixed_currency": "EUR"})
    analysis = service.analyze(SUB, upload, in_euro)
    assert analysis.counts.duplicates == 1
    [dup] = analysis.duplicates
    assert (dup.line, [m.id for m in dup.matches]) == (4, ["manual-fuel"])
    assert analysis.mapping is not None

    run = service.commit(SUB, upload, CommitRequest(mapping=analysis.mapping))
    _drain(service)
    assert (service.run(SUB, run.run_id).created, service.run(SUB, run.run_id).duplicates_skipped) == (1, 1)

    kept = service.commit(SUB, upload, CommitRequest(mapping=analysis.mapping, keep=[4]))
    _drain(service)
    assert service.run(SUB, kept.run_id).created == 1
    assert row_id(file_hash(CSV.encode()), 4) in {e.id for e in _statement_expenses(repo)}


def test_large_files_run_in_chunks_with_progress_and_a_redelivered_chunk_changes_nothing(
    service: StatementsService,
    s3_client: Any,
    receipts_bucket: str,
    monkeypatch: pytest.MonkeyPatch,
    dynamodb_client: Any,
    expenses_table: str,
) -> None:
    monkeypatch.setattr(svc_mod, "CHUNK_ROWS", 3)
    lines = [f"2026-11-{day:02d},-{day}.00,Shop {day},USD" for day in range(1, 8)]
    text = "date,amount,vendor,currency\n" + "\n".join(lines) + "\n"
    upload = _upload(service, s3_client, receipts_bucket, text)
    mapping = service.analyze(SUB, upload, None).mapping
    assert mapping is not None and mapping.currency == 3
    run = service.commit(SUB, upload, CommitRequest(mapping=mapping))
    queue: InlineQueue = service.queue  # type: ignore[assignment]
    assert [(m.chunk, m.first) for m in queue.sent] == [(0, 0), (1, 3), (2, 6)]
    service.process_chunk(queue.sent[0])
    partial = service.run(SUB, run.run_id)
    assert (partial.status, partial.done, partial.total, partial.chunks_done) == ("running", 3, 7, 1)
    service.process_chunk(queue.sent[0])  # SQS redelivers the first chunk
    _drain(service)
    done = service.run(SUB, run.run_id)
    # The redelivered chunk's result replaces the first attempt's: its 3 rows now read "unchanged".
    assert (done.status, done.done, done.created, done.unchanged) == ("succeeded", 7, 4, 3)
    assert len(_statement_expenses(_repo(dynamodb_client, expenses_table))) == 7


def test_commit_refuses_an_unknown_category_by_field(
    service: StatementsService, s3_client: Any, receipts_bucket: str
) -> None:
    upload = _upload(service, s3_client, receipts_bucket, CSV)
    mapping = service.analyze(SUB, upload, None).mapping
    assert isinstance(mapping, ColumnMapping)
    with pytest.raises(Exception) as error:
        service.commit(SUB, upload, CommitRequest(mapping=mapping.model_copy(update={"category": "Nope"})))
    assert getattr(error.value, "details", None) == [
        {"field": "mapping.category", "message": "not one of your categories"}
    ]


def test_analyze_of_a_missing_upload_is_not_found(service: StatementsService) -> None:
    with pytest.raises(NotFoundError):
        service.analyze(SUB, "0" * 32, None)
