"""Field types every Outlay model shares: ids, dates, money (ISO 4217 minor units), currencies,
text without control characters, tags; and the camelCase base models. Import-light on purpose: the
CDK API stack and the OpenAPI generator import these, so nothing here touches boto3.
"""

from __future__ import annotations

import re
from datetime import date as Date
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    WithJsonSchema,
)
from pydantic.alias_generators import to_camel

from outlay.logic.currencies import MAX_MINOR_UNITS, PAYABLE
from outlay.logic.money import MoneyError, check_currency, money_text, parse_decimal, to_money
from outlay.logic.months import MONTH_PATTERN
from outlay.models.text import (
    NO_CONTROLS_BUT_TAB_NEWLINE_PATTERN,
    NO_CONTROLS_BUT_TAB_PATTERN,
    NOT_BLANK_PATTERN,
    check_multiline_text,
    check_text,
)

# Expense ids: uuid4 hex for manual expenses; importers choose deterministic ids from the same
# alphabet. '#' is excluded because ids are embedded in DynamoDB sort keys.
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$"
_ID_RE = re.compile(ID_PATTERN)
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
# What the document states (the validator also checks the day exists in that month: format "date").
DATE_IN_RANGE_PATTERN = r"^(19[0-9]{2}|2[0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
RECEIPT_CONTENT_TYPES = ("image/jpeg", "image/png", "image/webp", "image/heic", "application/pdf")
ReceiptContentType = Literal["image/jpeg", "image/png", "image/webp", "image/heic", "application/pdf"]

MAX_VENDOR = 200
MAX_DESCRIPTION = 500
MAX_TAGS = 10
MAX_TAG = 40
MAX_CATEGORY = 40
MAX_QUERY = 200


def is_valid_id(value: str) -> bool:
    return bool(_ID_RE.match(value))


def _amount_input(value: Any) -> Decimal:
    """User input: > 0, at most 1e9, string or exact number (never a float), at most 4 decimals (the
    most any currency has); the service then holds it to its currency's minor units."""
    try:
        return to_money(value)
    except MoneyError as exc:
        raise ValueError(f"amount {exc}") from exc


def signed_amount(value: Any) -> Decimal:
    """Stored amount: sign checked against `source` by the Expense model validator."""
    try:
        return to_money(value, allow_negative=True, allow_zero=True)
    except MoneyError as exc:
        raise ValueError(f"amount {exc}") from exc


def plain_decimal(value: Any) -> Decimal:
    try:
        return parse_decimal(value)
    except MoneyError as exc:
        raise ValueError(str(exc)) from exc


def _currency(value: Any) -> str:
    try:
        return check_currency(value)
    except MoneyError as exc:
        raise ValueError(f"currency {exc}") from exc


def _iso_date(value: Any) -> Any:
    """Dates are ISO 8601 calendar dates (YYYY-MM-DD) only: no timestamps, no numbers."""
    if isinstance(value, Date) and not isinstance(value, datetime):
        result = value
    elif isinstance(value, str) and re.match(DATE_PATTERN, value):
        try:
            result = Date.fromisoformat(value)
        except ValueError as exc:
            raise ValueError("must be a real calendar date (YYYY-MM-DD)") from exc
    else:
        raise ValueError("must be an ISO date YYYY-MM-DD")
    if not 1900 <= result.year <= 2999:
        raise ValueError("year must be between 1900 and 2999")
    return result


def _clean_text(value: str) -> str:
    """One line: a tab is kept (as before), any other control character is refused."""
    return check_text(value, allow="\t").strip()


def _clean_multiline(value: str) -> str:
    return check_multiline_text(value).strip()


def _category_name(value: str) -> str:
    value = " ".join(check_text(value).split())
    if not value:
        raise ValueError("must not be empty")
    return value


def _dedupe_tags(tags: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for position, tag in enumerate(tags, start=1):
        try:
            check_text(tag)
        except ValueError as exc:
            raise ValueError(f"tag {position} {exc}") from None
        cleaned = " ".join(tag.split())
        if not cleaned:
            raise ValueError("tags must not be empty strings")
        if len(cleaned) > MAX_TAG:
            raise ValueError(f"each tag must be at most {MAX_TAG} characters")
        seen.setdefault(cleaned.casefold(), cleaned)
    return list(seen.values())


# Amounts without their currency at hand (request bodies, amortized cost) serialize as exact digits.
_SPACE = r"[ \t\n\r\f\v]*"
# money.parse_decimal's text as to_money accepts it: > 0, at most 1,000,000,000, ASCII digits, at most
# MAX_MINOR_UNITS decimals (the currency's own minor units are checked by the validator, naming `amount`).
_AMOUNT_INPUT_TEXT = (
    rf"^{_SPACE}\+?0*([1-9][0-9]{{0,8}}(\.[0-9]{{0,{MAX_MINOR_UNITS}}})?|1000000000(\.0{{0,{MAX_MINOR_UNITS}}})?"
    rf"|0?\.(?=[0-9]{{0,{MAX_MINOR_UNITS - 1}}}[1-9])[0-9]{{1,{MAX_MINOR_UNITS}}}){_SPACE}$"
)
money_out = PlainSerializer(money_text, return_type=str, when_used="json")
_AMOUNT_TEXT = r"^-?[0-9]+(\.[0-9]{1,4})?$"
AmountInput = Annotated[
    Decimal,
    BeforeValidator(_amount_input),
    money_out,
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": _AMOUNT_INPUT_TEXT},
                {"type": "integer", "minimum": 1, "maximum": 1_000_000_000},
            ],
            "description": (
                'Decimal > 0, at most 1,000,000,000: a string like "12.50" or a whole JSON number (a JSON'
                " number with decimals is accepted too), with at most the currency's ISO 4217 minor units"
                " of decimals: JPY 0 (1200), USD/EUR 2 (12.50), KWD/BHD/OMR 3 (1.234); more is a 400"
                " naming `amount`"
            ),
        }
    ),
]
StoredAmount = Annotated[
    Decimal,
    BeforeValidator(signed_amount),
    money_out,
    WithJsonSchema(
        {
            "type": "string",
            "pattern": _AMOUNT_TEXT,
            "description": "Exact decimal with the currency's ISO 4217 minor units (12.50 USD, 1200 JPY)",
        }
    ),
]
# A sum of stored amounts: exact, in the currency's minor units, not bounded by the 1,000,000,000
# limit of one amount.
Total = Annotated[
    Decimal,
    BeforeValidator(plain_decimal),
    money_out,
    WithJsonSchema(
        {
            "type": "string",
            "pattern": _AMOUNT_TEXT,
            "description": "Exact decimal in the currency's ISO 4217 minor units",
        }
    ),
]
Currency = Annotated[
    str,
    BeforeValidator(_currency),
    WithJsonSchema(
        {
            "type": "string",
            "enum": sorted(PAYABLE),
            "description": "ISO 4217 code (lower case is accepted and upper-cased)",
        }
    ),
]
Vendor = Annotated[
    str,
    AfterValidator(_clean_text),
    Field(max_length=MAX_VENDOR, json_schema_extra={"pattern": NO_CONTROLS_BUT_TAB_PATTERN}),
]
Description = Annotated[
    str,
    AfterValidator(_clean_multiline),
    Field(
        max_length=MAX_DESCRIPTION,
        description="Tabs and line breaks allowed; no other control characters",
        json_schema_extra={"pattern": NO_CONTROLS_BUT_TAB_NEWLINE_PATTERN},
    ),
]
CategoryName = Annotated[
    str,
    AfterValidator(_category_name),
    Field(min_length=1, max_length=MAX_CATEGORY, json_schema_extra={"pattern": NOT_BLANK_PATTERN}),
]
# Checked as a list by _dedupe_tags, so every error names `tags` (the field a form shows it on);
# the item schema only documents those checks.
Tag = Annotated[
    str, Field(json_schema_extra={"minLength": 1, "maxLength": MAX_TAG, "pattern": NOT_BLANK_PATTERN})
]
Tags = Annotated[list[Tag], Field(max_length=MAX_TAGS), AfterValidator(_dedupe_tags)]
Month = Annotated[str, Field(pattern=MONTH_PATTERN)]
IsoDate = Annotated[
    Date,
    BeforeValidator(_iso_date),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date",
            "pattern": DATE_IN_RANGE_PATTERN,
            "description": "A real calendar date YYYY-MM-DD, years 1900-2999",
        }
    ),
]


class CamelModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, defer_build=True)


class RequestModel(CamelModel):
    """Request bodies: unknown fields are an error (400 naming the field), not silently dropped."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", defer_build=True
    )


# ---------------------------------------------------------------------------------------- stored
