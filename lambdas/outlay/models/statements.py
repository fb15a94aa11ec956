"""Bank-statement import: request bodies, the analysis shown before a commit, runs and queue messages.

Columns are 0-based indexes into a row (a header may repeat or omit names). Import-light: the API
stack and the OpenAPI generator import these models.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field, model_validator

from outlay.logic.statement_csv import MAX_COLUMNS, DateFormat, Decimal_, Delimiter
from outlay.models.fields import CamelModel, CategoryName, Currency, RequestModel

MAX_STATEMENT_BYTES = 5 * 1024 * 1024  # ~50,000 rows of a typical statement
MAX_REPORTED = 500  # bad rows / duplicates listed in one answer (counts are always complete)
UPLOAD_ID_PATTERN = r"^[0-9a-f]{32}$"
RUN_ID_PATTERN = r"^[0-9]{14}-[0-9a-f]{8}$"

Column = int


class StatementUpload(CamelModel):
    """Where the browser POSTs the file (a presigned S3 POST: url + form fields)."""

    upload_id: str
    url: str
    fields: dict[str, str]
    max_bytes: int
    expires_in: int


class ColumnMapping(RequestModel):
    delimiter: Delimiter
    has_header: bool
    date: Column = Field(ge=0, lt=MAX_COLUMNS)
    amount: Column = Field(ge=0, lt=MAX_COLUMNS)
    vendor: Column | None = Field(None, ge=0, lt=MAX_COLUMNS)
    description: Column | None = Field(None, ge=0, lt=MAX_COLUMNS)
    currency: Column | None = Field(None, ge=0, lt=MAX_COLUMNS, description="Column with ISO codes")
    fixed_currency: Currency | None = Field(None, description="Every row's currency, when no column has it")
    date_format: DateFormat
    decimal: Decimal_
    spending: Literal["negative", "positive"] = Field(
        "negative", description="Sign of spending in the file; rows of the other sign are credits (skipped)"
    )
    category: CategoryName = "Other"

    @model_validator(mode="after")
    def _consistent(self) -> ColumnMapping:
        if self.currency is None and self.fixed_currency is None:
            raise ValueError("map a currency column or give a fixed currency (fixedCurrency)")
        used = [
            c for c in (self.date, self.amount, self.vendor, self.description, self.currency) if c is not None
        ]
        if len(used) != len(set(used)):
            raise ValueError("each column can be mapped once")
        return self


class AnalyzeRequest(RequestModel):
    mapping: ColumnMapping | None = Field(None, description="Default: the remembered or detected mapping")


class CommitRequest(RequestModel):
    mapping: ColumnMapping
    file_name: str = Field("statement.csv", min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f/\\]+$")
    keep: list[int] = Field(
        default_factory=list, max_length=50_000, description="Lines of likely duplicates to import anyway"
    )


class BadRow(CamelModel):
    line: int
    field: str
    reason: str


class DuplicateMatch(CamelModel):
    id: str
    date: date
    amount: str
    currency: str
    vendor: str


class Duplicate(CamelModel):
    line: int
    date: date
    amount: str
    currency: str
    vendor: str
    matches: list[DuplicateMatch]


class RowCounts(CamelModel):
    total: int = 0  # data rows in the file
    valid: int = 0  # rows that would be imported (duplicates included until skipped)
    credits: int = 0  # rows of the other sign: money in, skipped
    bad: int = 0
    duplicates: int = 0


class StatementAnalysis(CamelModel):
    upload_id: str
    file_hash: str
    layout_signature: str
    headers: list[str]
    preview: list[list[str]] = Field(description="The first rows as in the file (header included)")
    detected: ColumnMapping | None = Field(None, description="What the file looks like, when it could tell")
    mapping: ColumnMapping | None = Field(None, description="The mapping the counts below use")
    remembered: bool = Field(description="The mapping is the one used last time for this file layout")
    counts: RowCounts
    bad_rows: list[BadRow]
    duplicates: list[Duplicate]


RunStatus = Literal["queued", "running", "succeeded", "failed"]


class ChunkResult(CamelModel):
    rows: int = 0
    created: int = 0
    updated: int = 0  # imported before; fields the user had not changed were brought up to date
    unchanged: int = 0  # already imported (a second upload of the same file)
    kept_user_edits: int = 0
    dismissed_skipped: int = 0  # the user deleted them; never brought back
    duplicates_skipped: int = 0
    credits_skipped: int = 0
    bad: int = 0
    bad_rows: list[BadRow] = Field(default_factory=list)


class StatementRun(ChunkResult):
    run_id: str
    upload_id: str
    file_name: str
    file_hash: str
    status: RunStatus
    total: int
    done: int = Field(0, description="Rows processed so far (progress = done / total)")
    chunks: int
    chunks_done: int = 0
    started_at: str
    finished_at: str | None = None


class StatementRunPage(CamelModel):
    items: list[StatementRun]
    next: str | None = None


class ChunkMessage(CamelModel):
    """One chunk of a committed statement: rows [first, first + size) of the file's data rows."""

    user_id: str
    run_id: str = Field(pattern=RUN_ID_PATTERN)
    chunk: int = Field(ge=0)
    first: int = Field(ge=0)
    size: int = Field(gt=0)
