"""Bank-statement import use cases over injected ports (pure: no boto3).

upload (presigned POST to S3) -> analyze (layout, proposed mapping, bad rows, likely duplicates) ->
commit (202 + run id; the file's data rows go to the queue in chunks) -> chunk workers write each row
through the expense writer's idempotent `upsert` -> the run shows rows done / total.

Why the file goes to S3 and not in a request body: API Gateway caps a request at 10 MB and Lambda's
synchronous payload at 6 MB (the API's JSON bodies at 64 KB); a 10,000-row statement is ~1 MB, a year of
a business account more. The browser posts it straight to S3 under the caller's sub, and each chunk
worker reads it from there, so the queue messages carry only (run, chunk, row range).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from pydantic import ValidationError

from outlay.logic.errors import InvalidInputError, NotFoundError, UpstreamUnavailableError
from outlay.logic.expenses import resolve_category, starter_category, utc_now
from outlay.logic.money import DEFAULT_CURRENCY
from outlay.logic.statement_csv import Layout, RowError, decode, detect, file_hash, guess_columns
from outlay.logic.statements import (
    Credit,
    Row,
    amount_text,
    date_spans,
    id_prefix,
    match_duplicates,
    parse_rows,
    to_expense,
)
from outlay.models.expenses import Expense
from outlay.models.queries import ExpenseFilters
from outlay.models.statements import (
    MAX_REPORTED,
    MAX_STATEMENT_BYTES,
    BadRow,
    ChunkMessage,
    ChunkResult,
    ColumnMapping,
    CommitRequest,
    Duplicate,
    DuplicateMatch,
    RowCounts,
    StatementAnalysis,
    StatementRun,
    StatementRunPage,
    StatementUpload,
)

CHUNK_ROWS = 500  # rows per queue message: ~500 small transactions, well inside the worker's timeout
PREVIEW_ROWS = 10


# ------------------------------------------------------------------------------------------ ports
class StatementFileStore(Protocol):
    def presigned_upload(self, sub: str, upload_id: str) -> dict[str, Any]: ...
    def read(self, sub: str, upload_id: str) -> bytes | None: ...


class LayoutMemory(Protocol):
    def get(self, sub: str, signature: str) -> dict[str, Any] | None: ...
    def put(self, sub: str, signature: str, mapping: dict[str, Any]) -> None: ...


class RunStore(Protocol):
    def start(self, sub: str, run: StatementRun, meta: dict[str, Any]) -> None: ...
    def meta(self, sub: str, run_id: str) -> dict[str, Any] | None: ...
    def record_chunk(self, sub: str, run_id: str, chunk: int, result: ChunkResult) -> None: ...
    def get(self, sub: str, run_id: str) -> StatementRun | None: ...
    def page(self, sub: str, limit: int, next_token: str | None) -> StatementRunPage: ...


class ExpenseWriter(Protocol):
    def upsert(self, sub: str, expense: Expense) -> str: ...
    def iter_expenses(self, sub: str, filters: ExpenseFilters) -> Iterator[Expense]: ...
    def find_category(self, sub: str, name: str) -> str | None: ...
    def get_default_currency(self, sub: str) -> str | None: ...


class ChunkQueue(Protocol):
    def send_all(self, messages: Iterable[ChunkMessage]) -> Any: ...


def _bad_file(reason: str) -> InvalidInputError:
    return InvalidInputError(
        f"The statement cannot be read: {reason}", [{"field": "file", "message": reason}]
    )


@dataclass
class Checked:
    counts: RowCounts
    bad: list[BadRow]
    duplicates: dict[int, list[Expense]]
    rows: list[Row]


@dataclass
class StatementsService:
    files: StatementFileStore
    layouts: LayoutMemory
    runs: RunStore
    expenses: ExpenseWriter
    queue: ChunkQueue
    clock: Callable[[], datetime] = field(default=utc_now)
    new_token: Callable[[int], str] = field(default=secrets.token_hex)

    # ------------------------------------------------------------------------------ upload
    def start_upload(self, sub: str) -> StatementUpload:
        upload_id = self.new_token(16)
        return StatementUpload.model_validate(
            {"uploadId": upload_id, **self.files.presigned_upload(sub, upload_id)}
        )

    def _file(self, sub: str, upload_id: str) -> tuple[str, str]:
        """(text, SHA-256 of the bytes) of an uploaded statement; 404 when nothing was uploaded."""
        data = self.files.read(sub, upload_id)
        if data is None:
            raise NotFoundError("No statement was uploaded under this id")
        if len(data) > MAX_STATEMENT_BYTES:
            raise _bad_file(f"larger than {MAX_STATEMENT_BYTES // (1024 * 1024)} MB")
        return decode(data), file_hash(data)

    # ------------------------------------------------------------------------------ analyze
    def analyze(self, sub: str, upload_id: str, mapping: ColumnMapping | None) -> StatementAnalysis:
        text, digest = self._file(sub, upload_id)
        try:
            layout, sample = detect(text)
        except RowError as exc:
            raise _bad_file(exc.reason) from None
        detected = self._detected(sub, layout, sample)
        remembered = self._remembered(sub, layout)
        chosen = mapping or remembered or detected
        if chosen is None:
            total = sum(1 for _ in parse_rows(text, _count_only(layout)))
            checked = Checked(RowCounts(total=total), [], {}, [])
        else:
            checked = self._check(sub, text, digest, chosen, keep=frozenset())
        return StatementAnalysis(
            upload_id=upload_id,
            file_hash=digest,
            layout_signature=layout.signature,
            headers=layout.headers,
            preview=sample[: PREVIEW_ROWS + int(layout.has_header)],
            detected=detected,
            mapping=chosen,
            remembered=chosen is not None and chosen == remembered,
            counts=checked.counts,
            bad_rows=checked.bad[:MAX_REPORTED],
            duplicates=[
                _duplicate(row, checked.duplicates[row.line])
                for row in checked.rows
                if row.line in checked.duplicates
            ][:MAX_REPORTED],
        )

    def _detected(self, sub: str, layout: Layout, sample: list[list[str]]) -> ColumnMapping | None:
        data = sample[1:] if layout.has_header else sample
        guess = guess_columns(sample[0] if layout.has_header else None, data, layout.columns)
        if guess.date is None or guess.amount is None or layout.date_format is None:
            return None
        fixed = (
            None
            if guess.currency is not None
            else (self.expenses.get_default_currency(sub) or DEFAULT_CURRENCY)
        )
        try:
            return ColumnMapping(
                delimiter=layout.delimiter,
                has_header=layout.has_header,
                date=guess.date,
                amount=guess.amount,
                vendor=guess.vendor,
                description=guess.description,
                currency=guess.currency,
                fixed_currency=fixed,
                date_format=layout.date_format,
                decimal=layout.decimal,
            )
        except ValidationError:
            return None

    def _remembered(self, sub: str, layout: Layout) -> ColumnMapping | None:
        stored = self.layouts.get(sub, layout.signature)
        if stored is None:
            return None
        try:
            return ColumnMapping.model_validate(stored)
        except ValidationError:
            return None  # remembered under older rules: propose the detected mapping instead

    def _check(
        self, sub: str, text: str, digest: str, mapping: ColumnMapping, keep: frozenset[int]
    ) -> Checked:
        counts = RowCounts()
        bad: list[BadRow] = []
        rows: list[Row] = []
        for outcome in parse_rows(text, mapping):
            counts.total += 1
            if isinstance(outcome, BadRow):
                counts.bad += 1
                bad.append(outcome)
            elif isinstance(outcome, Credit):
                counts.credits += 1
            else:
                counts.valid += 1
                rows.append(outcome)
        duplicates = self._duplicates(sub, [r for r in rows if r.line not in keep], digest)
        counts.duplicates = len(duplicates)
        return Checked(counts, bad, duplicates, rows)

    def _duplicates(self, sub: str, rows: list[Row], digest: str) -> dict[int, list[Expense]]:
        """Existing expenses read by (currency, date range) from the index items, never the history."""
        existing: list[Expense] = []
        for currency, (first, last) in date_spans(rows).items():
            filters = ExpenseFilters.model_validate({"from": first, "to": last, "currency": currency})
            existing.extend(self.expenses.iter_expenses(sub, filters))
        return match_duplicates(rows, existing, id_prefix(digest)) if existing else {}

    # ------------------------------------------------------------------------------ commit
    def commit(self, sub: str, upload_id: str, request: CommitRequest) -> StatementRun:
        mapping = request.mapping
        own = (
            None if starter_category(mapping.category) else self.expenses.find_category(sub, mapping.category)
        )
        try:
            category = resolve_category(mapping.category, [own] if own else [])
        except InvalidInputError:
            raise InvalidInputError(
                "Unknown category", [{"field": "mapping.category", "message": "not one of your categories"}]
            ) from None
        text, digest = self._file(sub, upload_id)
        try:
            layout, _ = detect(text)
        except RowError as exc:
            raise _bad_file(exc.reason) from None
        total = sum(1 for _ in parse_rows(text, mapping))
        self.layouts.put(sub, layout.signature, mapping.model_dump(mode="json", by_alias=True))
        now = self.clock()
        chunks = -(-total // CHUNK_ROWS)
        run = StatementRun(
            run_id=f"{now:%Y%m%d%H%M%S}-{self.new_token(4)}",
            upload_id=upload_id,
            file_name=request.file_name,
            file_hash=digest,
            status="queued" if chunks else "succeeded",
            total=total,
            chunks=chunks,
            started_at=now.isoformat(),
            finished_at=None if chunks else now.isoformat(),
        )
        meta = {
            "mapping": mapping.model_dump(mode="json", by_alias=True),
            "keep": sorted(set(request.keep)),
            "category": category,
        }
        self.runs.start(sub, run, meta)
        messages = [
            ChunkMessage(user_id=sub, run_id=run.run_id, chunk=n, first=n * CHUNK_ROWS, size=CHUNK_ROWS)
            for n in range(chunks)
        ]
        sent = self.queue.send_all(messages)
        if getattr(sent, "failed", 0):
            raise UpstreamUnavailableError(
                "The import could not be queued completely; commit again (it is safe)"
            )
        return self.runs.get(sub, run.run_id) or run

    # ------------------------------------------------------------------------------ worker
    def process_chunk(self, message: ChunkMessage) -> ChunkResult:
        """Write one chunk's rows. Safe to repeat: each row is one idempotent upsert under its
        deterministic id, and the chunk's result overwrites the previous attempt's."""
        sub = message.user_id
        meta = self.runs.meta(sub, message.run_id)
        if meta is None:
            raise NotFoundError("The run of this chunk is gone")
        text, digest = self._file(sub, meta["uploadId"])
        if digest != meta["fileHash"]:
            raise InvalidInputError("The uploaded file changed after the commit")
        mapping = ColumnMapping.model_validate(meta["mapping"])
        keep = frozenset(int(line) for line in meta.get("keep", []))
        result = ChunkResult()
        rows: list[Row] = []
        for outcome in parse_rows(text, mapping, message.first, message.first + message.size):
            result.rows += 1
            if isinstance(outcome, BadRow):
                result.bad += 1
                if len(result.bad_rows) < MAX_REPORTED:
                    result.bad_rows.append(outcome)
            elif isinstance(outcome, Credit):
                result.credits_skipped += 1
            else:
                rows.append(outcome)
        duplicates = self._duplicates(sub, [r for r in rows if r.line not in keep], digest)
        now = self.clock()
        for row in rows:
            if row.line in duplicates:
                result.duplicates_skipped += 1
                continue
            outcome_name = self.expenses.upsert(sub, to_expense(row, digest, str(meta["category"]), now))
            _count(result, outcome_name)
        self.runs.record_chunk(sub, message.run_id, message.chunk, result)
        return result

    # ------------------------------------------------------------------------------ runs
    def run(self, sub: str, run_id: str) -> StatementRun:
        found = self.runs.get(sub, run_id)
        if found is None:
            raise NotFoundError("No statement import with this id")
        return found

    def page(self, sub: str, limit: int, next_token: str | None) -> StatementRunPage:
        return self.runs.page(sub, limit, next_token)


def _count(result: ChunkResult, outcome: str) -> None:
    counters: Mapping[str, str] = {
        "created": "created",
        "updated": "updated",
        "unchanged": "unchanged",
        "kept_user_edits": "kept_user_edits",
        "dismissed_skipped": "dismissed_skipped",
    }
    name = counters.get(outcome, "unchanged")
    setattr(result, name, getattr(result, name) + 1)


def _count_only(layout: Layout) -> ColumnMapping:
    """A mapping that only walks the rows (for the row count before any mapping exists)."""
    return ColumnMapping(
        delimiter=layout.delimiter,
        has_header=layout.has_header,
        date=0,
        amount=1,
        fixed_currency=DEFAULT_CURRENCY,
        date_format="YYYY-MM-DD",
        decimal=layout.decimal,
    )


def _duplicate(row: Row, matches: list[Expense]) -> Duplicate:
    return Duplicate(
        line=row.line,
        date=row.date,
        amount=amount_text(row),
        currency=row.currency,
        vendor=row.vendor,
        matches=[
            DuplicateMatch(id=e.id, date=e.date, amount=amount_text(e), currency=e.currency, vendor=e.vendor)
            for e in matches[:5]
        ],
    )
