"""Statement layout detection, amount/date parsing, row outcomes and the duplicate rule (pure)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from outlay.logic.statement_csv import RowError, detect, parse_amount, parse_date, similar_vendor
from outlay.logic.statements import (
    Credit,
    Row,
    is_duplicate,
    match_duplicates,
    parse_rows,
    row_id,
    to_expense,
)
from outlay.models.statements import BadRow, ColumnMapping

EUROPEAN = (
    "Buchungstag;Betrag;Empfänger;Verwendungszweck\n"
    "31.12.2026;-1.234,56;Möbelhaus;Sofa\n"
    "30.12.2026;-3,50;Bäckerei;Brot\n"
)
US = 'Date,Amount,Payee\n12/31/2026,"-1,234.56",Home Depot\n12/30/2026,-3.50,Starbucks\n'
ISO_NO_HEADER = "2026-12-31,-12.00,Shell\n2026-12-30,-7.25,Aldi\n"


def test_detects_semicolon_comma_decimal_and_day_first_dates() -> None:
    layout, rows = detect(EUROPEAN)
    assert (layout.delimiter, layout.decimal, layout.date_format) == (";", ",", "DD.MM.YYYY")
    assert layout.has_header and layout.headers[0] == "Buchungstag"
    assert rows[1] == ["31.12.2026", "-1.234,56", "Möbelhaus", "Sofa"]


def test_detects_comma_delimiter_dot_decimal_and_month_first_dates() -> None:
    layout, _ = detect(US)
    assert (layout.delimiter, layout.decimal, layout.date_format, layout.has_header) == (
        ",",
        ".",
        "MM/DD/YYYY",
        True,
    )


def test_detects_iso_dates_without_a_header() -> None:
    layout, _ = detect(ISO_NO_HEADER)
    assert (layout.has_header, layout.date_format, layout.columns) == (False, "YYYY-MM-DD", 3)
    assert layout.headers == ["Column 1", "Column 2", "Column 3"]


def test_layout_signature_depends_on_the_header_not_the_rows() -> None:
    other_rows = EUROPEAN.split("\n")[0] + "\n01.01.2027;-9,99;Kiosk;Zeitung\n"
    assert detect(EUROPEAN)[0].signature == detect(other_rows)[0].signature
    assert detect(EUROPEAN)[0].signature != detect(US)[0].signature


@pytest.mark.parametrize(
    ("text", "decimal", "expected"),
    [
        ("1.234,56", ",", "1234.56"),
        ("-1.234,56", ",", "-1234.56"),
        ("1,234.56", ".", "1234.56"),
        ("(12.00)", ".", "-12.00"),
        ("12,00-", ",", "-12.00"),
        ("€ 1 234,56", ",", "1234.56"),
        ("-5 EUR", ".", "-5.0"),
        ("USD -7.10", ".", "-7.10"),
    ],
)
def test_parses_statement_amounts_exactly(text: str, decimal: str, expected: str) -> None:
    assert parse_amount(text, decimal) == Decimal(expected)  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["abc", "1.23.4,5", "12,34,5", "1e5", "١٢"])
def test_refuses_what_is_not_an_amount(text: str) -> None:
    with pytest.raises(RowError) as error:
        parse_amount(text, ",")
    assert error.value.field == "amount"


def test_parses_dates_in_the_chosen_format_only() -> None:
    assert parse_date("31.12.2026", "DD.MM.YYYY") == date(2026, 12, 31)
    assert parse_date("2026-12-31T10:00:00", "YYYY-MM-DD") == date(2026, 12, 31)
    with pytest.raises(RowError):
        parse_date("12/31/2026", "DD/MM/YYYY")


def _mapping(**overrides: object) -> ColumnMapping:
    base: dict[str, object] = {
        "delimiter": ";",
        "hasHeader": True,
        "date": 0,
        "amount": 1,
        "vendor": 2,
        "description": 3,
        "fixedCurrency": "EUR",
        "dateFormat": "DD.MM.YYYY",
        "decimal": ",",
    }
    return ColumnMapping.model_validate(base | overrides)


def test_rows_become_spending_credits_or_bad_rows_by_line() -> None:
    text = EUROPEAN + "29.12.2026;+50,00;Arbeitgeber;Gehalt\n32.12.2026;-1,00;X;Y\n28.12.2026;-1,005;Z;W\n"
    outcomes = list(parse_rows(text, _mapping()))
    assert outcomes[0] == Row(2, date(2026, 12, 31), Decimal("1234.56"), "EUR", "Möbelhaus", "Sofa")
    assert outcomes[2] == Credit(4)
    assert outcomes[3] == BadRow(line=5, field="date", reason="not a date in the format DD.MM.YYYY")
    assert outcomes[4].field == "amount" and "2 decimal" in outcomes[4].reason  # type: ignore[union-attr]


def test_positive_spending_convention_flips_credits() -> None:
    outcomes = list(parse_rows(EUROPEAN, _mapping(spending="positive")))
    assert outcomes == [Credit(2), Credit(3)]


def test_mapping_needs_a_currency_and_distinct_columns() -> None:
    with pytest.raises(ValueError, match="currency"):
        _mapping(fixedCurrency=None)
    with pytest.raises(ValueError, match="once"):
        _mapping(vendor=0)


def test_vendor_similarity() -> None:
    assert similar_vendor("AMAZON MKTPLACE PMTS", "Amazon")
    assert similar_vendor("Shell 1234", "SHELL")
    assert not similar_vendor("Shell", "Aldi Süd")


def test_duplicate_rule_same_date_amount_currency_similar_vendor_not_own_rows() -> None:
    now = datetime(2027, 1, 1, tzinfo=UTC)
    row = Row(2, date(2026, 12, 31), Decimal("3.50"), "EUR", "STARBUCKS 123", "")
    existing = to_expense(Row(9, row.date, row.amount, "EUR", "Starbucks", ""), "b" * 64, "Food", now)
    own = to_expense(row, "a" * 64, "Food", now)
    other_day = existing.model_copy(update={"date": date(2026, 12, 30), "id": "x1"})
    other_currency = existing.model_copy(update={"currency": "USD", "id": "x2"})
    assert is_duplicate(row, existing, "st-" + "a" * 20 + "-")
    assert not is_duplicate(row, own, "st-" + "a" * 20 + "-")
    found = match_duplicates([row], [existing, own, other_day, other_currency], "st-" + "a" * 20 + "-")
    assert [e.id for e in found[2]] == [existing.id]


def test_row_ids_are_deterministic_per_file_and_line() -> None:
    assert row_id("ab" * 32, 7) == row_id("ab" * 32, 7) == "st-" + "ab" * 10 + "-7"
    assert row_id("ab" * 32, 7) != row_id("cd" * 32, 7)
