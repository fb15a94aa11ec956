"""CSV export: content, injection guard, tagging, and memory bounded by construction."""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlparse

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from outlay.dal.export_store import MIN_PART_BYTES, ExportStore, MultipartWriter
from outlay.logic.csv_export import COLUMNS, FORMULA_CHARS, SEPARATORS, csv_chunks, expense_row, guard_cell
from outlay.models.expenses import Expense

from tests.unit.expenses.expense_events import Call

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish")
BUCKET = "outlay-test-receipts"


def read_export(s3_client: Any, url: str) -> tuple[str, list[dict[str, str]]]:
    key = urlparse(url).path.lstrip("/")
    text = s3_client.get_object(Bucket=BUCKET, Key=key)["Body"].read().decode()
    return key, list(csv.DictReader(io.StringIO(text)))


def test_export_writes_filtered_csv_with_guard_and_tag(call: Call, s3_client: Any) -> None:
    call(
        "POST",
        "/expenses",
        body={
            "amount": "5.10",
            "category": "Food",
            "date": "2026-01-02",
            "vendor": '=HYPERLINK("http://evil")',
            "description": "+1 call",
            "tags": ["@team", "x"],
        },
    )
    call(
        "POST",
        "/expenses",
        body={"amount": "7.00", "category": "Travel", "date": "2026-01-03", "vendor": "Air"},
    )
    reply = call("GET", "/expenses/export", query={"category": "Food"})
    assert reply.status == 200
    body = reply.json
    assert body["rows"] == 1 and body["expiresIn"] == 300 and "Expires=" in body["url"]
    key, rows = read_export(s3_client, body["url"])
    assert key.startswith("alice/exports/") and key.endswith(".csv")
    assert list(rows[0]) == list(COLUMNS)
    assert rows[0]["amount"] == "5.10" and rows[0]["currency"] == "USD" and rows[0]["source"] == "manual"
    assert rows[0]["vendor"] == '\'=HYPERLINK("http://evil")' and rows[0]["description"] == "'+1 call"
    assert rows[0]["tags"] == "'@team;x"
    tags = s3_client.get_object_tagging(Bucket=BUCKET, Key=key)["TagSet"]
    assert {"Key": "kind", "Value": "export"} in tags


def test_empty_export_has_header_only(call: Call, s3_client: Any) -> None:
    body = call("GET", "/expenses/export").json
    assert body["rows"] == 0
    assert read_export(s3_client, body["url"])[1] == []


def test_export_rejects_bad_filters(call: Call) -> None:
    reply = call("GET", "/expenses/export", query={"to": "2026-02-31"})
    assert reply.status == 400 and reply.json["details"][0]["field"] == "to"


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx"])
def test_guard_cell_neutralizes_formulas(cell: str) -> None:
    assert guard_cell(cell) == "'" + cell
    assert guard_cell("plain") == "plain"


def synthetic(n: int, produced: list[int]) -> Iterator[Expense]:
    """n expenses built one at a time; produced[0] counts how many the exporter has pulled so far."""
    now = datetime(2026, 1, 1, tzinfo=UTC)
    start = date(2026, 1, 1)
    for i in range(n):
        produced[0] += 1
        yield Expense.model_construct(
            id=f"exp{i:08d}",
            date=start + timedelta(days=i % 365),
            amount=Decimal(i % 100_000) / 100 + 1,
            currency="USD",
            category="Food",
            vendor=f"Vendor {i % 97}",
            description="d" * 120,
            tags=["a", "b"],
            source="manual",
            created_at=now,
            updated_at=now,
        )


def test_100k_rows_stream_in_bounded_parts(s3_client: Any, receipts_bucket: str) -> None:
    """Memory is bounded by construction: the S3 side receives fixed-size parts, and rows are pulled
    from the source lazily: when part k is uploaded only ~k parts' worth of rows have been read."""
    parts: list[tuple[int, int]] = []  # (part size, rows pulled when it was uploaded)
    produced = [0]
    rows = [0]

    def record(params: dict[str, Any], **_: Any) -> None:
        parts.append((len(params["Body"]), produced[0]))

    s3_client.meta.events.register("provide-client-params.s3.UploadPart", record)
    store = ExportStore(receipts_bucket, s3_client)
    total = store.write(
        "alice/exports/big.csv", csv_chunks(synthetic(100_000, produced), rows), file_name="big.csv"
    )

    assert rows[0] == 100_000
    assert total == sum(size for size, _ in parts) > 3 * MIN_PART_BYTES
    assert len(parts) == math.ceil(total / MIN_PART_BYTES)
    assert all(size == MIN_PART_BYTES for size, _ in parts[:-1]) and 0 < parts[-1][0] <= MIN_PART_BYTES
    row_bytes = total / 100_000
    for number, (_, pulled) in enumerate(parts[:-1], start=1):
        # Never more than the rows of the parts uploaded so far + one part's worth in the buffer.
        assert pulled <= (number + 1) * MIN_PART_BYTES / row_bytes
    head = s3_client.head_object(Bucket=receipts_bucket, Key="alice/exports/big.csv")
    assert head["ContentLength"] == total


def test_multipart_writer_aborts_on_failure(s3_client: Any, receipts_bucket: str) -> None:
    def broken() -> Iterator[bytes]:
        yield b"id\r\n"
        raise RuntimeError("source failed")

    with pytest.raises(RuntimeError):
        ExportStore(receipts_bucket, s3_client).write("alice/exports/x.csv", broken(), file_name="x.csv")
    assert s3_client.list_multipart_uploads(Bucket=receipts_bucket).get("Uploads", []) == []
    assert s3_client.list_objects_v2(Bucket=receipts_bucket).get("KeyCount") == 0


def test_part_size_below_s3_minimum_is_refused(s3_client: Any, receipts_bucket: str) -> None:
    with pytest.raises(ValueError, match="5 MB"):
        MultipartWriter(s3_client, receipts_bucket, "k", part_size=1024)


@pytest.mark.parametrize(
    ("cell", "guarded"),
    [
        ("ok;=1+1", "ok;'=1+1"),
        ("ok,+cmd", "ok,'+cmd"),
        ("a|@SUM(1)", "a|'@SUM(1)"),
        ("line\n-2+3", "line\n'-2+3"),
        ("x; =1+1", "x;' =1+1"),
        ("\x00=1+1", "'\x00=1+1"),
        ("\x00plain", "'\x00plain"),
        ("\uff1d1+1", "'\uff1d1+1"),
        ("semi;colon;plain", "semi;colon;plain"),
    ],
)
def test_guard_covers_a_leading_nul_and_every_piece_after_a_separator(cell: str, guarded: str) -> None:
    assert guard_cell(cell) == guarded


_SPLIT = re.compile(f"[{re.escape(SEPARATORS)}]")
_IGNORABLE = re.compile(r"^[\s\x00-\x1f\x7f-\x9f]*")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab =+-@;,|\t\r\n\x00\x1f'\uff1d")), max_size=30))
def test_no_piece_of_a_guarded_cell_starts_a_formula(cell: str) -> None:
    guarded = guard_cell(cell)
    assert guarded.replace("'", "") == cell.replace("'", "")  # only apostrophes are added
    for piece in _SPLIT.split(guarded):
        rest = _IGNORABLE.sub("", piece)
        assert piece.startswith("'") or not rest or rest[0] not in FORMULA_CHARS, (cell, guarded, piece)


def test_export_row_guards_each_joined_tag(call: Call) -> None:
    expense = call("POST", "/expenses", body={"amount": "1", "category": "Food", "tags": ["ok", "=1+1"]}).json
    row = expense_row(Expense.model_validate(expense))
    assert row[COLUMNS.index("tags")] == "ok;'=1+1"
