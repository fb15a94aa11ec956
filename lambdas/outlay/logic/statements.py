"""Statement rows -> expenses, under a column mapping; the duplicate rule. Pure (no AWS).

Ids are deterministic: `st-<first 20 hex of the file's SHA-256>-<line>`, so importing the same file
again addresses the same expenses (the writer then leaves them, and the user's edits and deletions,
alone) and a retried chunk rewrites nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from outlay.logic.money import MoneyError, check_currency, money_text, to_money
from outlay.logic.statement_csv import RowError, parse_amount, parse_date, read_rows, similar_vendor
from outlay.models.expenses import Expense
from outlay.models.fields import MAX_DESCRIPTION, MAX_VENDOR
from outlay.models.statements import BadRow, ColumnMapping

_CONTROLS = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


def id_prefix(file_hash: str) -> str:
    return f"st-{file_hash[:20]}-"


def row_id(file_hash: str, line: int) -> str:
    return f"{id_prefix(file_hash)}{line}"


@dataclass(frozen=True)
class Row:
    """A usable row: spending, as a positive amount in its currency's minor units."""

    line: int
    date: date
    amount: Decimal
    currency: str
    vendor: str
    description: str


@dataclass(frozen=True)
class Credit:
    line: int


Outcome = Row | Credit | BadRow


def _cell(cells: list[str], index: int | None) -> str:
    return cells[index] if index is not None and index < len(cells) else ""


def _text(value: str, limit: int) -> str:
    return _CONTROLS.sub(" ", value).strip()[:limit]


def parse_row(line: int, cells: list[str], mapping: ColumnMapping) -> Outcome:
    try:
        if mapping.date >= len(cells) or not cells[mapping.date]:
            raise RowError("date", "missing")
        when = parse_date(cells[mapping.date], mapping.date_format)
        if mapping.amount >= len(cells) or not cells[mapping.amount]:
            raise RowError("amount", "missing")
        raw = parse_amount(cells[mapping.amount], mapping.decimal)
        if raw == 0:
            raise RowError("amount", "is zero")
        if (raw > 0) == (mapping.spending == "negative"):
            return Credit(line)
        if mapping.currency is not None:
            try:
                currency = check_currency(_cell(cells, mapping.currency))
            except MoneyError as exc:
                raise RowError("currency", str(exc)) from None
        else:
            currency = str(mapping.fixed_currency)
        try:
            amount = to_money(abs(raw), currency=currency)
        except MoneyError as exc:
            raise RowError("amount", str(exc)) from None
    except RowError as exc:
        return BadRow(line=line, field=exc.field, reason=exc.reason)
    description = _text(_cell(cells, mapping.description), MAX_DESCRIPTION)
    vendor = _text(_cell(cells, mapping.vendor), MAX_VENDOR) or description[:MAX_VENDOR]
    return Row(line, when, amount, currency, vendor, description)


def parse_rows(
    text: str, mapping: ColumnMapping, start: int = 0, stop: int | None = None
) -> Iterator[Outcome]:
    """The outcome of data rows [start, stop) in file order (the header, when there is one, is
    skipped); rows before `start` are only split, not parsed (a chunk worker's window)."""
    rows = read_rows(text, mapping.delimiter)
    if mapping.has_header:
        next(rows, None)
    for index, (line, cells) in enumerate(rows):
        if stop is not None and index >= stop:
            return
        if index >= start:
            yield parse_row(line, cells, mapping)


def to_expense(row: Row, file_hash: str, category: str, now: datetime) -> Expense:
    return Expense(
        id=row_id(file_hash, row.line),
        date=row.date,
        amount=row.amount,
        currency=row.currency,
        category=category,
        vendor=row.vendor,
        description=row.description,
        source="statement",
        created_at=now,
        updated_at=now,
    )


def is_duplicate(row: Row, expense: Expense, own_prefix: str) -> bool:
    """Likely the same spending already recorded: same date, amount and currency, similar vendor;
    never one of this file's own rows (those are the same expense, addressed by id)."""
    return (
        not expense.id.startswith(own_prefix)
        and expense.date == row.date
        and expense.amount == row.amount
        and expense.currency == row.currency
        and similar_vendor(row.vendor, expense.vendor)
    )


def match_duplicates(
    rows: Iterable[Row], existing: Iterable[Expense], own_prefix: str
) -> dict[int, list[Expense]]:
    """line -> the existing expenses the row likely duplicates (only lines with a match)."""
    by_key: dict[tuple[date, Decimal, str], list[Expense]] = {}
    for expense in existing:
        by_key.setdefault((expense.date, expense.amount, expense.currency), []).append(expense)
    found: dict[int, list[Expense]] = {}
    for row in rows:
        candidates = by_key.get((row.date, row.amount, row.currency), [])
        matches = [e for e in candidates if is_duplicate(row, e, own_prefix)]
        if matches:
            found[row.line] = matches
    return found


def date_spans(rows: Iterable[Row]) -> dict[str, tuple[date, date]]:
    """currency -> (first, last) date of the rows: the ranges to read existing expenses from."""
    spans: dict[str, tuple[date, date]] = {}
    for row in rows:
        lo, hi = spans.get(row.currency, (row.date, row.date))
        spans[row.currency] = (min(lo, row.date), max(hi, row.date))
    return spans


def amount_text(row: Row | Expense) -> str:
    return money_text(row.amount, row.currency)
