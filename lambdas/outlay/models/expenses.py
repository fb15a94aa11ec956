"""Expense service models: the stored/returned `Expense`, request bodies, query strings and responses.

JSON uses camelCase (aliases); Python uses snake_case. Amounts are Decimal with exactly 2 decimal
places and serialize as strings ("12.50"). Import-light on purpose: the CDK API stack and the OpenAPI
generator import these models, so nothing here touches boto3.
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
    field_serializer,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel

from outlay.logic.money import MoneyError, check_currency, money_text, parse_decimal, to_money
from outlay.logic.months import MONTH_PATTERN, first_day, last_day

# Expense ids: uuid4 hex for manual expenses; importers choose deterministic ids from the same
# alphabet. '#' is excluded because ids are embedded in DynamoDB sort keys.
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$"
_ID_RE = re.compile(ID_PATTERN)
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
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
    """User input: > 0, at most 2 decimals, at most 1e9; string or exact number, never a float."""
    try:
        return to_money(value)
    except MoneyError as exc:
        raise ValueError(f"amount {exc}") from exc


def _signed_amount(value: Any) -> Decimal:
    """Stored amount: sign checked against `source` by the Expense model validator."""
    try:
        return to_money(value, allow_negative=True, allow_zero=True)
    except MoneyError as exc:
        raise ValueError(f"amount {exc}") from exc


def _plain_decimal(value: Any) -> Decimal:
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
    value = value.strip()
    if any(ord(ch) < 32 and ch not in "\t" for ch in value):
        raise ValueError("must not contain control characters")
    return value


def _category_name(value: str) -> str:
    value = " ".join(value.split())
    if not value:
        raise ValueError("must not be empty")
    if any(ord(ch) < 32 for ch in value):
        raise ValueError("must not contain control characters")
    return value


def _dedupe_tags(tags: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for tag in tags:
        cleaned = " ".join(tag.split())
        if not cleaned:
            raise ValueError("tags must not be empty strings")
        if len(cleaned) > MAX_TAG:
            raise ValueError(f"each tag must be at most {MAX_TAG} characters")
        seen.setdefault(cleaned.casefold(), cleaned)
    return list(seen.values())


_money_out = PlainSerializer(money_text, return_type=str, when_used="json")
AmountInput = Annotated[
    Decimal,
    BeforeValidator(_amount_input),
    _money_out,
    WithJsonSchema(
        {
            "anyOf": [{"type": "string", "pattern": r"^\s*\+?(\d+(\.\d*)?|\.\d+)\s*$"}, {"type": "number"}],
            "description": "Decimal > 0, at most 2 decimal places, at most 1,000,000,000 (string or number)",
        }
    ),
]
StoredAmount = Annotated[
    Decimal,
    BeforeValidator(_signed_amount),
    _money_out,
    WithJsonSchema({"type": "string", "pattern": r"^-?\d+\.\d{2}$", "description": "Exact decimal"}),
]
Currency = Annotated[
    str,
    BeforeValidator(_currency),
    WithJsonSchema({"type": "string", "pattern": "^[A-Za-z]{3}$", "description": "ISO 4217 code"}),
]
Vendor = Annotated[str, AfterValidator(_clean_text), Field(max_length=MAX_VENDOR)]
Description = Annotated[str, AfterValidator(_clean_text), Field(max_length=MAX_DESCRIPTION)]
CategoryName = Annotated[str, AfterValidator(_category_name), Field(min_length=1, max_length=MAX_CATEGORY)]
Tags = Annotated[list[str], Field(max_length=MAX_TAGS), AfterValidator(_dedupe_tags)]
Month = Annotated[str, Field(pattern=MONTH_PATTERN)]
IsoDate = Annotated[
    Date,
    BeforeValidator(_iso_date),
    WithJsonSchema({"type": "string", "pattern": DATE_PATTERN, "description": "ISO date YYYY-MM-DD"}),
]


class CamelModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, defer_build=True)


class RequestModel(CamelModel):
    """Request bodies: unknown fields are an error (400 naming the field), not silently dropped."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", defer_build=True
    )


# ---------------------------------------------------------------------------------------- stored


class AwsImportMeta(CamelModel):
    """Where an imported expense came from (set by the cost importer, never by users)."""

    account_id: str = Field(pattern=r"^\d{12}$")
    month: Month
    line: str = Field(description="AWS service name, or the record type for credits/refunds/tax")
    record_type: str = "Usage"
    amortized_amount: Annotated[Decimal, BeforeValidator(_plain_decimal), _money_out] | None = None


class Expense(CamelModel):
    """An expense as stored and returned. Amount has exactly 2 decimals; negative only for AWS credits."""

    id: str = Field(pattern=ID_PATTERN)
    date: IsoDate
    amount: StoredAmount
    currency: Currency
    category: CategoryName
    vendor: Vendor = ""
    description: Description = ""
    tags: Tags = Field(default_factory=list)
    source: Literal["manual", "aws"] = "manual"
    created_at: datetime
    updated_at: datetime
    receipt_content_type: ReceiptContentType | None = None
    aws: AwsImportMeta | None = None

    @model_validator(mode="after")
    def _sign_matches_source(self) -> Expense:
        if self.source == "manual" and self.amount <= 0:
            raise ValueError("amount must be greater than 0 (only imported AWS credits may be negative)")
        return self

    @property
    def month(self) -> str:
        return self.date.isoformat()[:7]


# ---------------------------------------------------------------------------------------- requests


class CreateExpenseRequest(RequestModel):
    amount: AmountInput
    currency: Currency | None = Field(None, description="Default: the profile's currency, else USD")
    date: IsoDate | None = Field(None, description="ISO date; default today (UTC)")
    category: CategoryName
    vendor: Vendor = ""
    description: Description = ""
    tags: Tags = Field(default_factory=list)


class UpdateExpenseRequest(RequestModel):
    """Partial update: only the fields present change. `null` is refused for every field."""

    amount: AmountInput | None = None
    currency: Currency | None = None
    date: IsoDate | None = None
    category: CategoryName | None = None
    vendor: Vendor | None = None
    description: Description | None = None
    tags: Tags | None = None

    @field_validator("*", mode="before")
    @classmethod
    def _no_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("must not be null (leave the field out to keep its value)")
        return value

    def changes(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.model_fields_set}


class ReceiptUploadRequest(RequestModel):
    content_type: ReceiptContentType
    file_name: str | None = Field(None, max_length=200)


class CreateCategoryRequest(RequestModel):
    name: CategoryName


class UpdateProfileRequest(RequestModel):
    default_currency: Currency


# ---------------------------------------------------------------------------------------- queries


def _optional_text(value: Any) -> Any:
    return None if value == "" else value


class ExpenseFilters(CamelModel):
    """Filters shared by the list and the CSV export, all optional and combined with AND. A list
    returns full pages of matches, newest first, while matches remain: every filter except min/max
    is answered from index entries written with each expense, so a page reads about what it returns
    whatever the total. `next` continues with the same filters; a page may come back short only when
    several filters are combined or min/max rejects many candidates, and then carries `next`."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    from_: IsoDate | None = Field(None, alias="from")
    to: IsoDate | None = None
    month: Month | None = Field(
        None, description="A calendar month YYYY-MM: shorthand for from/to (not together with them)"
    )
    category: str | None = Field(
        None, max_length=MAX_CATEGORY, description="Exact category, case- and accent-insensitive"
    )
    tag: str | None = Field(None, max_length=MAX_TAG, description="Exact tag, case- and accent-insensitive")
    vendor: str | None = Field(
        None, max_length=MAX_VENDOR, description="Prefix of the vendor, case- and accent-insensitive"
    )
    min: Annotated[Decimal, BeforeValidator(_plain_decimal)] | None = None
    max: Annotated[Decimal, BeforeValidator(_plain_decimal)] | None = None
    currency: Currency | None = None
    q: str | None = Field(
        None,
        max_length=MAX_QUERY,
        description=(
            "Free text, case- and accent-insensitive: every word must match a word of the vendor, the "
            "tags or the description; a word of 3+ characters matches words starting with it "
            "('lisb' finds 'Trip to Lisbon'), a shorter word matches whole words. The first 16 "
            "distinct word starts of an expense (vendor, then tags, then description) are searchable."
        ),
    )

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_absent(cls, value: Any) -> Any:
        return _optional_text(value)

    @model_validator(mode="after")
    def _ranges(self) -> ExpenseFilters:
        if self.month is not None:
            if self.from_ or self.to:
                raise ValueError("month replaces from/to: give one or the other")
            self.from_, self.to = first_day(self.month), last_day(self.month)
        if self.from_ and self.to and self.from_ > self.to:
            raise ValueError("from must not be after to")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("min must not be greater than max")
        return self

    @property
    def has_filters(self) -> bool:
        return any(
            v is not None
            for v in (self.category, self.tag, self.vendor, self.min, self.max, self.currency, self.q)
        )


class ListQuery(ExpenseFilters):
    __doc__ = ExpenseFilters.__doc__

    limit: int = Field(50, ge=1, le=100)
    next: str | None = Field(None, max_length=2048)


class SummaryQuery(CamelModel):
    """The summary covers whole months and, optionally, one category and/or one currency (exact,
    from the monthly aggregates). Vendor, tag, q and amount filters do not apply to it."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    from_: Month | None = Field(None, alias="from")
    to: Month | None = None
    category: str | None = Field(
        None, max_length=MAX_CATEGORY, description="Only this category (case- and accent-insensitive)"
    )
    currency: Currency | None = Field(None, description="Only this currency")

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_absent(cls, value: Any) -> Any:
        return _optional_text(value)


# ---------------------------------------------------------------------------------------- responses


class ExpensePage(CamelModel):
    items: list[Expense]
    next: str | None = None


class SummaryItem(CamelModel):
    month: str
    category: str
    currency: str
    total: StoredAmount
    count: int


class CurrencyTotal(CamelModel):
    """One currency's total, never converted (summaries, import runs); `total` is always its exact
    text, e.g. "12.50", in Python dumps as in JSON."""

    currency: str
    total: StoredAmount

    @field_serializer("total")
    def _total_text(self, total: Decimal) -> str:
        return money_text(total)


class Summary(CamelModel):
    """Totals of whole months `from`..`to`; `category`/`currency` say which the totals are limited
    to (null: all). Vendor, tag, q and amount filters never apply to a summary."""

    from_: str = Field(alias="from")
    to: str
    category: str | None = None
    currency: str | None = None
    items: list[SummaryItem]
    totals: list[CurrencyTotal]


class Category(CamelModel):
    name: str
    builtin: bool


class CategoryList(CamelModel):
    items: list[Category]


class Profile(CamelModel):
    default_currency: str


class ReceiptUpload(CamelModel):
    """POST `fields` (plus the file as `file`) to `url` within `expiresIn` seconds."""

    url: str
    fields: dict[str, str]
    key: str
    expires_in: int
    max_bytes: int


class ReceiptLink(CamelModel):
    url: str
    expires_in: int
    content_type: str


class ExportResult(CamelModel):
    url: str
    rows: int
    expires_in: int


class ErrorBody(BaseModel):
    error: str
    message: str
    details: list[dict[str, Any]] = Field(default_factory=list)
