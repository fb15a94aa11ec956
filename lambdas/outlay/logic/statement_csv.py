"""Bank-statement CSV: layout detection (delimiter, header, date and decimal format), column guessing and
row parsing. Pure Python (csv, re, datetime); no AWS.

Line numbers are the file's physical line numbers (1 = the first line, the header when there is one),
so "line 7" in a report is line 7 in the user's editor. Amounts follow the statement's sign convention:
with `spending="negative"` (most banks: debits are negative) a negative amount is spending and is
imported as a positive expense, a positive amount is money coming in (a credit) and is skipped and
counted, never imported; `spending="positive"` flips that for statements that list debits as positive.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Literal

Decimal_ = Literal[".", ","]
Delimiter = Literal[",", ";", "\t", "|"]
DELIMITERS: tuple[Delimiter, ...] = (",", ";", "\t", "|")
SAMPLE_ROWS = 50  # rows looked at to detect the layout
MOSTLY = 0.6  # share of sampled values a column's format must fit
MAX_COLUMNS = 200

# strptime formats, most specific first; the first that parses every sampled value wins.
DATE_FORMATS: dict[str, str] = {
    "YYYY-MM-DD": "%Y-%m-%d",
    "DD.MM.YYYY": "%d.%m.%Y",
    "MM/DD/YYYY": "%m/%d/%Y",
    "DD/MM/YYYY": "%d/%m/%Y",
    "YYYY/MM/DD": "%Y/%m/%d",
    "DD-MM-YYYY": "%d-%m-%Y",
    "YYYYMMDD": "%Y%m%d",
    "DD.MM.YY": "%d.%m.%y",
    "MM/DD/YY": "%m/%d/%y",
    "DD/MM/YY": "%d/%m/%y",
}
DateFormat = Literal[
    "YYYY-MM-DD",
    "DD.MM.YYYY",
    "MM/DD/YYYY",
    "DD/MM/YYYY",
    "YYYY/MM/DD",
    "DD-MM-YYYY",
    "YYYYMMDD",
    "DD.MM.YY",
    "MM/DD/YY",
    "DD/MM/YY",
]

_SYMBOLS = re.compile(r"[$€£¥₹₩₽¤]|^[A-Za-z]{3}(?=[\s\d+\-(])|(?<=[\d\s)])[A-Za-z]{3}$")
_SPACES = re.compile(r"[\s\u00a0\u202f']")
_DIGITS = re.compile(r"^[0-9]*$")
# Strict shapes used only to *detect* the decimal mark (parsing is more lenient).
_COMMA_DECIMAL = re.compile(r"^[+-]?(\d{1,3}(\.\d{3})+|\d+),\d{1,4}[+-]?$")
_DOT_DECIMAL = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)\.\d{1,4}[+-]?$")

HEADER_WORDS: dict[str, tuple[str, ...]] = {
    "date": ("date", "datum", "fecha", "data", "booking", "buchung", "posted", "transaction date"),
    "amount": ("amount", "betrag", "montant", "importe", "importo", "value", "sum", "debit"),
    "vendor": ("payee", "vendor", "merchant", "name", "empfänger", "beneficiary", "counterparty"),
    "description": ("description", "memo", "details", "verwendungszweck", "narrative", "reference", "text"),
    "currency": ("currency", "währung", "devise", "moneda", "ccy"),
}


class RowError(ValueError):
    """One field of one row is unusable; `field` names it."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


@dataclass(frozen=True)
class Layout:
    delimiter: Delimiter
    has_header: bool
    headers: list[str]
    columns: int
    date_format: DateFormat | None
    decimal: Decimal_
    signature: str  # identifies the file layout (header row + delimiter): the key of a remembered mapping


@dataclass(frozen=True)
class Guess:
    date: int | None
    amount: int | None
    vendor: int | None
    description: int | None
    currency: int | None


def file_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252, the usual export encodings of banks."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def read_rows(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) of every non-blank record; a quoted cell may span lines."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    start = 1
    for cells in reader:
        if any(cell.strip() for cell in cells):
            yield start, [cell.strip() for cell in cells]
        start = reader.line_num + 1


def _sample(text: str, delimiter: str, limit: int = SAMPLE_ROWS) -> list[list[str]]:
    rows: list[list[str]] = []
    try:
        for _, cells in read_rows(text, delimiter):
            rows.append(cells)
            if len(rows) >= limit:
                break
    except csv.Error:
        return []
    return rows


def detect_delimiter(text: str) -> Delimiter:
    """The delimiter that splits the sample into the most consistent rows, then the most columns:
    `31.12.2026;1.234,56;Shop` is 3 columns by ';' but 2 by ','."""
    best: tuple[float, int, int] = (-1.0, 0, 0)
    chosen: Delimiter = ","
    for rank, candidate in enumerate(DELIMITERS):
        rows = _sample(text, candidate)
        if not rows:
            continue
        counts = Counter(len(r) for r in rows)
        columns, hits = counts.most_common(1)[0]
        if columns < 2:
            continue
        score = (hits / len(rows), columns, -rank)
        if score > best:
            best, chosen = score, candidate
    return chosen


def parse_date(value: str, date_format: str) -> date:
    text = value.strip().split("T")[0].split(" ")[0]
    try:
        return datetime.strptime(text, DATE_FORMATS[date_format]).date()
    except (ValueError, KeyError):
        raise RowError("date", f"not a date in the format {date_format}") from None


def parse_amount(value: str, decimal: Decimal_) -> Decimal:
    """A statement amount as an exact Decimal: `1.234,56` (decimal ','), `1,234.56` (decimal '.'),
    a currency symbol or code, `(12.00)` and a trailing minus `12,00-` as negatives."""
    text = _SYMBOLS.sub("", value.strip())
    text = _SPACES.sub("", text)
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1]
    if text.endswith("-") or text.endswith("+"):
        negative ^= text.endswith("-")
        text = text[:-1]
    if text.startswith("-") or text.startswith("+"):
        negative ^= text.startswith("-")
        text = text[1:]
    thousands = "," if decimal == "." else "."
    whole, _, fraction = text.partition(decimal)
    if thousands in whole:
        groups = whole.split(thousands)
        if not (1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])):
            raise RowError("amount", f"not an amount with '{decimal}' as the decimal mark")
        whole = "".join(groups)
    if not _DIGITS.match(whole) or not _DIGITS.match(fraction) or not (whole or fraction):
        raise RowError("amount", f"not an amount with '{decimal}' as the decimal mark")
    try:
        amount = Decimal(f"{whole or '0'}.{fraction or '0'}")
    except InvalidOperation:
        raise RowError("amount", "not an amount") from None
    return -amount if negative else amount


def _is_date(value: str) -> bool:
    return any(_parses_date(value, f) for f in DATE_FORMATS)


def _parses_date(value: str, fmt: str) -> bool:
    try:
        parse_date(value, fmt)
    except RowError:
        return False
    return True


def _is_amount(value: str) -> bool:
    return bool(_COMMA_DECIMAL.match(_SPACES.sub("", value)) or _DOT_DECIMAL.match(_SPACES.sub("", value)))


def _mostly(values: Sequence[str], test: Callable[[str], bool]) -> bool:
    """Most sampled values pass (a few bad rows must not hide the layout; they are reported later)."""
    present = [v for v in values if v]
    return bool(present) and sum(map(test, present)) >= max(1, MOSTLY * len(present))


def detect_date_format(values: Sequence[str]) -> DateFormat | None:
    """The first format (most specific first) that parses most sampled values."""
    best: tuple[int, str] | None = None
    present = [v for v in values if v]
    for name in DATE_FORMATS:
        hits = sum(_parses_date(v, name) for v in present)
        if present and hits >= max(1, MOSTLY * len(present)) and (best is None or hits > best[0]):
            best = (hits, name)
    return best[1] if best else None  # type: ignore[return-value]


def detect_decimal(values: Sequence[str]) -> Decimal_:
    cleaned = [_SPACES.sub("", _SYMBOLS.sub("", v)).strip("()") for v in values if v]
    comma = sum(bool(_COMMA_DECIMAL.match(v)) for v in cleaned)
    dot = sum(bool(_DOT_DECIMAL.match(v)) for v in cleaned)
    return "," if comma > dot else "."


def signature(delimiter: str, header: Sequence[str] | None, columns: int) -> str:
    """The layout's identity: the normalized header row (or the column count without one)."""
    basis = "\x1f".join(h.casefold() for h in header) if header is not None else f"#{columns}"
    return hashlib.sha256(f"{delimiter}\x1e{basis}".encode()).hexdigest()[:32]


def detect(text: str) -> tuple[Layout, list[list[str]]]:
    """The file's layout and its first rows (header included when there is one)."""
    delimiter = detect_delimiter(text)
    rows = _sample(text, delimiter)
    if not rows:
        raise RowError("file", "no rows")
    columns = Counter(len(r) for r in rows).most_common(1)[0][0]
    first = rows[0]
    has_header = len(rows) > 1 and not any(_is_date(c) or _is_amount(c) for c in first)
    data = rows[1:] if has_header else rows
    guess = guess_columns(first if has_header else None, data, columns)
    date_values = [r[guess.date] for r in data if guess.date is not None and guess.date < len(r)]
    amount_values = [r[guess.amount] for r in data if guess.amount is not None and guess.amount < len(r)]
    header = first if has_header else None
    layout = Layout(
        delimiter=delimiter,
        has_header=has_header,
        headers=list(first) if has_header else [f"Column {i + 1}" for i in range(columns)],
        columns=columns,
        date_format=detect_date_format(date_values),
        decimal=detect_decimal(amount_values),
        signature=signature(delimiter, header, columns),
    )
    return layout, rows


def guess_columns(header: Sequence[str] | None, data: Sequence[Sequence[str]], columns: int) -> Guess:
    """Columns by header words first, then by content (the first date-like and amount-like columns)."""
    found: dict[str, int] = {}
    if header is not None:
        for role, words in HEADER_WORDS.items():
            for index, name in enumerate(header):
                folded = name.casefold()
                if index not in found.values() and any(w in folded for w in words):
                    found.setdefault(role, index)
    for index in range(min(columns, MAX_COLUMNS)):
        values = [r[index] for r in data if index < len(r) and r[index]]
        if not values or index in found.values():
            continue
        if "date" not in found and _mostly(values, _is_date):
            found["date"] = index
        elif "amount" not in found and _mostly(values, _is_amount):
            found["amount"] = index
    if "vendor" not in found and "description" not in found:
        for index in range(min(columns, MAX_COLUMNS)):
            values = [r[index] for r in data if index < len(r) and r[index]]
            if index not in found.values() and values and not all(_is_amount(v) for v in values):
                found["vendor"] = index
                break
    return Guess(
        date=found.get("date"),
        amount=found.get("amount"),
        vendor=found.get("vendor"),
        description=found.get("description"),
        currency=found.get("currency"),
    )


_WORD = re.compile(r"[^\W_]+")


def vendor_words(vendor: str) -> set[str]:
    return {w for w in _WORD.findall(vendor.casefold()) if len(w) > 1 and not w.isdigit()}


def similar_vendor(a: str, b: str) -> bool:
    """Likely the same payee: both blank, one contained in the other, or half their words shared
    ("AMAZON MKTPLACE PMTS" ~ "Amazon"; "Shell 1234" ~ "SHELL")."""
    fa, fb = " ".join(sorted(vendor_words(a))), " ".join(sorted(vendor_words(b)))
    if not fa or not fb:
        return not fa and not fb
    wa, wb = set(fa.split()), set(fb.split())
    if a.casefold().strip() in b.casefold() or b.casefold().strip() in a.casefold():
        return True
    return len(wa & wb) * 2 >= min(len(wa), len(wb)) and bool(wa & wb)
