"""CSV export rows: fixed columns, exact amounts, and a guard against spreadsheet formula injection.

Pure and streaming: `csv_chunks` turns an iterator of expenses into an iterator of encoded lines, so
the writer upstream decides how much is ever held in memory.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from outlay.logic.money import money_text
from outlay.models.expenses import Expense

COLUMNS = ("id", "date", "amount", "currency", "category", "vendor", "description", "tags", "source")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def guard_cell(value: str) -> str:
    """Cells a spreadsheet would run as a formula get a leading apostrophe (OWASP CSV injection)."""
    return "'" + value if value.startswith(_FORMULA_START) else value


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
