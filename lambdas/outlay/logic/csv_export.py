"""CSV export rows: fixed columns, exact amounts, and a guard against spreadsheet formula injection.

Pure and streaming: `csv_chunks` turns an iterator of expenses into an iterator of encoded lines, so
the writer upstream decides how much is ever held in memory.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator

from outlay.logic.money import money_text
from outlay.models.expenses import Expense

COLUMNS = (
    "id",
    "date",
    "amount",
    "currency",
    "category",
    "vendor",
    "description",
    "tags",
    "source",
    "awsAccountId",  # the AWS account of an imported line; empty for other expenses
)
# What starts a formula (ASCII and the full-width forms some spreadsheets also read), and what a
# spreadsheet may split a cell on: ';' (European locales, and our tag separator), ',', '|', tab, line breaks.
FORMULA_CHARS = "=+-@\uff1d\uff0b\uff0d\uff20"
SEPARATORS = ",;|\t\r\n"
# Ignorable before a formula character: whitespace and control characters (a leading NUL is skipped).
_IGNORABLE = "\\s\\x00-\\x1f\\x7f-\\x9f"
_FORMULA_AHEAD = re.compile(
    rf"(?:^|(?<=[{re.escape(SEPARATORS)}]))(?=[{_IGNORABLE}]*[{re.escape(FORMULA_CHARS)}])"
)


def guard_cell(value: str) -> str:
    """OWASP CSV injection: an apostrophe goes before anything a spreadsheet could run as a formula,
    at the start of the cell and at the start of every piece it could be split into. A cell starting
    with a control character (tab, CR, NUL, ...) is guarded too. Only apostrophes are ever added."""
    guarded = _FORMULA_AHEAD.sub("'", value)
    if guarded and guarded[0] != "'" and unicodedata.category(guarded[0]) == "Cc":
        guarded = "'" + guarded
    return guarded


def expense_row(expense: Expense) -> list[str]:
    return [
        expense.id,
        expense.date.isoformat(),
        # Amounts stay numbers a spreadsheet can sum: a negative AWS credit is "-1.50", not guarded.
        money_text(expense.amount, expense.currency),
        expense.currency,
        guard_cell(expense.category),
        guard_cell(expense.vendor),
        guard_cell(expense.description),
        guard_cell(";".join(expense.tags)),
        expense.source,
        expense.aws.account_id if expense.aws else "",
    ]


def csv_chunks(expenses: Iterable[Expense], counter: list[int] | None = None) -> Iterator[bytes]:
    """Header then one encoded line per expense (UTF-8, CRLF as RFC 4180 says). `counter[0]` counts rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def take() -> bytes:
        data = buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()
        return data

    writer.writerow(COLUMNS)
    yield take()
    for expense in expenses:
        writer.writerow(expense_row(expense))
        if counter is not None:
            counter[0] += 1
        yield take()
