"""Expense service models: the stored/returned `Expense`, request bodies, query strings and responses.

JSON uses camelCase (aliases); Python uses snake_case. Amounts are Decimal and serialize as strings
with their currency's ISO 4217 minor units ("12.50" USD, "1200" JPY, "1.234" KWD): a model that holds
an amount and its currency serializes the pair together. Import-light on purpose: the CDK API stack
and the OpenAPI generator import these models, so nothing here touches boto3.
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
    ValidationInfo,
    WithJsonSchema,
    field_serializer,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel

from outlay.logic.currencies import MAX_MINOR_UNITS, PAYABLE
from outlay.logic.money import MoneyError, check_currency, money_text, parse_decimal, to_money
from outlay.logic.months import MONTH_PATTERN, first_day, last_day
from outlay.models.text import (
    NO_CONTROLS_BUT_TAB_NEWLINE_PATTERN,
    NO_CONTROLS_BUT_TAB_PATTERN,
    NOT_BLANK_PATTERN,
    PlainText,
    QueryInt,
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
_money_out = PlainSerializer(money_text, return_type=str, when_used="json")
_AMOUNT_TEXT = r"^-?[0-9]+(\.[0-9]{1,4})?$"
AmountInput = Annotated[
    Decimal,
    BeforeValidator(_amount_input),
    _money_out,
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
    BeforeValidator(_signed_amount),
    _money_out,
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
    BeforeValidator(_plain_decimal),
    _money_out,
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


class AwsImportMeta(CamelModel):
    """Where an imported expense came from (set by the cost importer, never by users)."""

    account_id: str = Field(pattern=r"^\d{12}$")
    month: Month
    line: str = Field(description="AWS service name, or the record type for credits/refunds/tax")
    record_type: str = "Usage"
    amortized_amount: Annotated[Decimal, BeforeValidator(_plain_decimal), _money_out] | None = None


def _amount_text(model: Any, amount: Decimal) -> str:
    return money_text(amount, model.currency)


# What a user can change on an imported line; the names are the API's (camelCase) field names.
UserEditable = Literal["amount", "currency", "date", "category", "vendor", "description", "tags", "receipt"]


class AwsReported(CamelModel):
    """What AWS reports now for AWS-owned fields the user changed (only those that differ)."""

    amount: StoredAmount | None = None
    currency: str | None = None
    date: IsoDate | None = None


class Expense(CamelModel):
    """An expense as stored and returned. Amount in the currency's minor units; negative only for
    AWS credits."""

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
    # Imported lines only: fields the user changed (imports never overwrite them), what AWS reports
    # now where that differs from the user's value, and whether Cost Explorer still estimates it.
    user_edited: list[UserEditable] = Field(default_factory=list)
    aws_reported: AwsReported | None = None
    estimated: bool = False

    @model_validator(mode="after")
    def _sign_matches_source(self) -> Expense:
        if self.source == "manual" and self.amount <= 0:
            raise ValueError("amount must be greater than 0 (only imported AWS credits may be negative)")
        return self

    @field_serializer("amount", when_used="json")
    def _amount_out(self, amount: Decimal) -> str:
        return _amount_text(self, amount)

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


def _no_null_in_schema(schema: dict[str, Any]) -> None:
    """The document says what the validator does: a field may be left out, never sent as null."""
    for prop in schema.get("properties", {}).values():
        options = prop.get("anyOf")
        if isinstance(options, list) and {"type": "null"} in options:
            rest = [option for option in options if option != {"type": "null"}]
            del prop["anyOf"]
            if len(rest) == 1:
                prop.update(rest[0])
            else:
                prop["anyOf"] = rest
        prop.pop("default", None)


class UpdateExpenseRequest(RequestModel):
    """Partial update: only the fields present change. `null` is refused for every field."""

    model_config = ConfigDict(json_schema_extra=_no_null_in_schema)

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
    file_name: PlainText | None = Field(None, max_length=200)


class CreateCategoryRequest(RequestModel):
    name: CategoryName


class UpdateProfileRequest(RequestModel):
    default_currency: Currency


# ---------------------------------------------------------------------------------------- queries


def _present(value: Any) -> Any:
    """A query parameter that is given must have a value: `?to=` is refused, not read as absent."""
    if value == "":
        raise ValueError("must not be empty (leave the parameter out instead)")
    return value


AmountFilter = Annotated[
    Decimal,
    BeforeValidator(_signed_amount),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^[+-]?0*([0-9]{1,9}(\.[0-9]{0,2})?|1000000000(\.0{0,2})?|\.[0-9]{1,2})$",
            "description": "Decimal, at most 2 decimal places, magnitude at most 1,000,000,000",
        }
    ),
]
FilterText = Annotated[PlainText, Field(min_length=1)]


class ExpenseFilters(CamelModel):
    """Filters shared by the list and the CSV export, all optional and combined with AND. A list
    returns full pages of matches, newest first, while matches remain: every filter except min/max
    is answered from index entries written with each expense, so a page reads about what it returns
    whatever the total. `next` continues with the same filters; a page may come back short only when
    several filters are combined or min/max rejects many candidates, and then carries `next`."""

    # An unknown parameter is refused by name (a misspelt filter must not silently match everything).
    model_config = ConfigDict(populate_by_name=True, extra="forbid")

    from_: IsoDate | None = Field(None, alias="from")
    to: IsoDate | None = Field(None, description="Not before `from`")
    month: Month | None = Field(
        None, description="A calendar month YYYY-MM: shorthand for from/to (not together with them)"
    )
    category: FilterText | None = Field(
        None, max_length=MAX_CATEGORY, description="Exact category, case- and accent-insensitive"
    )
    tag: FilterText | None = Field(
        None, max_length=MAX_TAG, description="Exact tag, case- and accent-insensitive"
    )
    vendor: FilterText | None = Field(
        None, max_length=MAX_VENDOR, description="Prefix of the vendor, case- and accent-insensitive"
    )
    min: AmountFilter | None = None
    max: AmountFilter | None = Field(None, description="Not less than `min`")
    currency: Currency | None = None
    q: FilterText | None = Field(
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
    def _given_means_not_empty(cls, value: Any) -> Any:
        return _present(value)

    @field_validator("to")
    @classmethod
    def _to_not_before_from(cls, value: Date | None, info: ValidationInfo) -> Date | None:
        start = info.data.get("from_")
        if value is not None and start is not None and start > value:
            raise ValueError("must not be before from")
        return value

    @field_validator("max")
    @classmethod
    def _max_not_below_min(cls, value: Decimal | None, info: ValidationInfo) -> Decimal | None:
        low = info.data.get("min")
        if value is not None and low is not None and low > value:
            raise ValueError("must not be less than min")
        return value

    @field_validator("month")
    @classmethod
    def _month_alone(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None and (info.data.get("from_") or info.data.get("to")):
            raise ValueError("month replaces from/to: give one or the other")
        return value

    @model_validator(mode="after")
    def _month_is_a_range(self) -> ExpenseFilters:
        if self.month is not None:
            self.from_, self.to = first_day(self.month), last_day(self.month)
        return self

    @property
    def has_filters(self) -> bool:
        return any(
            v is not None
            for v in (self.category, self.tag, self.vendor, self.min, self.max, self.currency, self.q)
        )


class ListQuery(ExpenseFilters):
    __doc__ = ExpenseFilters.__doc__

    limit: QueryInt = Field(50, ge=1, le=100)
    next: str | None = Field(None, max_length=2048)


class TrashQuery(CamelModel):
    model_config = ConfigDict(populate_by_name=True, extra="forbid")

    limit: QueryInt = Field(50, ge=1, le=100)
    next: str | None = Field(None, max_length=2048)


class SummaryQuery(CamelModel):
    """The summary covers whole months and, optionally, one category and/or one currency (exact,
    from the monthly aggregates). Vendor, tag, q and amount filters do not apply to it."""

    model_config = ConfigDict(populate_by_name=True, extra="forbid")

    from_: Month | None = Field(None, alias="from", description="Default: 11 months before `to`")
    to: Month | None = Field(
        None, description="Not before `from`, at most 120 months after it; default: this month"
    )
    category: FilterText | None = Field(
        None, max_length=MAX_CATEGORY, description="Only this category (case- and accent-insensitive)"
    )
    currency: Currency | None = Field(None, description="Only this currency")

    @field_validator("*", mode="before")
    @classmethod
    def _given_means_not_empty(cls, value: Any) -> Any:
        return _present(value)


# ---------------------------------------------------------------------------------------- responses


class ExpensePage(CamelModel):
    items: list[Expense]
    next: str | None = None


class TrashedExpense(Expense):
    """A deleted expense, kept `TRASH_DAYS` days: restore brings back the same id with its receipt."""

    deleted_at: datetime
    expires_at: datetime


class TrashPage(CamelModel):
    """Trashed expenses in key order (by id); each says when it was deleted and when it expires."""

    items: list[TrashedExpense]
    next: str | None = None


class EmptyTrashResult(CamelModel):
    deleted: int


class DismissedLine(CamelModel):
    """An imported line the user deleted: imports skip it until the user restores it."""

    expense: Expense
    dismissed_at: datetime


class DismissedPage(CamelModel):
    items: list[DismissedLine]
    next: str | None = None


class SummaryItem(CamelModel):
    month: str
    category: str
    currency: str
    total: Total
    count: int

    @field_serializer("total", when_used="json")
    def _total_out(self, total: Decimal) -> str:
        return _amount_text(self, total)


class CurrencyTotal(CamelModel):
    """One currency's total, never converted (summaries, import runs); `total` is always its exact
    text in the currency's minor units, e.g. "12.50" USD or "1200" JPY, in Python dumps as in JSON."""

    currency: str
    total: Total

    @field_serializer("total")
    def _total_text(self, total: Decimal) -> str:
        return _amount_text(self, total)


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


class CurrencyEntry(CamelModel):
    code: str
    name: str
    minor_units: int = Field(description="Decimals an amount has: JPY 0, USD 2, KWD 3 (ISO 4217)")
    withdrawn: bool = Field(False, description="No longer in ISO 4217 List One; kept for old expenses")


class CurrencyList(CamelModel):
    """Every currency an expense can be recorded in, from the ISO 4217 table published on `published`."""

    published: str
    items: list[CurrencyEntry]


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
