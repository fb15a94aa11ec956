"""Expense service models: the stored/returned `Expense`, request bodies, query strings and responses.

JSON uses camelCase (aliases); Python uses snake_case. Amounts are Decimal and serialize as strings
with their currency's ISO 4217 minor units ("12.50" USD, "1200" JPY, "1.234" KWD): a model that holds
an amount and its currency serializes the pair together. Import-light on purpose: the CDK API stack
and the OpenAPI generator import these models, so nothing here touches boto3.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_serializer,
    field_validator,
    model_validator,
)

from outlay.logic.money import money_text
from outlay.models.fields import (
    ID_PATTERN,
    AmountInput,
    CamelModel,
    CategoryName,
    Currency,
    Description,
    IsoDate,
    Month,
    ReceiptContentType,
    RequestModel,
    StoredAmount,
    Tags,
    Total,
    Vendor,
    money_out,
    plain_decimal,
)
from outlay.models.fx import BaseCurrency, ConvertedSummary
from outlay.models.text import (
    PlainText,
)


class AwsImportMeta(CamelModel):
    """Where an imported expense came from (set by the cost importer, never by users)."""

    account_id: str = Field(pattern=r"^\d{12}$")
    account_name: str | None = Field(None, description="the AWS account's name in its organization")
    month: Month
    line: str = Field(description="AWS service name, or the record type for credits/refunds/tax")
    record_type: str = "Usage"
    amortized_amount: Annotated[Decimal, BeforeValidator(plain_decimal), money_out] | None = None


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
    source: Literal["manual", "aws", "recurring", "statement"] = "manual"
    created_at: datetime
    updated_at: datetime
    receipt_content_type: ReceiptContentType | None = None
    aws: AwsImportMeta | None = None
    # Imported lines only: fields the user changed (imports never overwrite them), what AWS reports
    # now where that differs from the user's value, and whether Cost Explorer still estimates it.
    user_edited: list[UserEditable] = Field(default_factory=list)
    aws_reported: AwsReported | None = None
    estimated: bool = False
    # Occurrences of a recurring rule: the rule that wrote it (editing the expense leaves the rule be).
    recurring_rule_id: str | None = Field(None, pattern=ID_PATTERN)

    @model_validator(mode="after")
    def _sign_matches_source(self) -> Expense:
        if self.source != "aws" and self.amount <= 0:
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


def _profile_schema(schema: dict[str, Any]) -> None:
    """The document says what the validator does: at least one field; only baseCurrency may be null."""
    schema["minProperties"] = 1
    default = schema.get("properties", {}).get("defaultCurrency", {})
    options = default.pop("anyOf", None)
    if isinstance(options, list):
        default.update(next(o for o in options if o != {"type": "null"}))
    default.pop("default", None)


class UpdateProfileRequest(RequestModel):
    """Either field or both; a field left out stays as it is, `baseCurrency: null` turns conversion off."""

    model_config = ConfigDict(json_schema_extra=_profile_schema)

    default_currency: Currency | None = None
    base_currency: BaseCurrency | None = None

    @model_validator(mode="after")
    def _something(self) -> UpdateProfileRequest:
        if not self.model_fields_set:
            raise ValueError("send defaultCurrency and/or baseCurrency")
        if "default_currency" in self.model_fields_set and self.default_currency is None:
            raise ValueError("defaultCurrency cannot be null")
        return self


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
    # With a base currency in the profile: the same totals converted at ECB rates, next to these
    # (absent without one, so responses stay as they were for users who never turn it on).
    converted: ConvertedSummary | None = Field(None, exclude_if=lambda value: value is None)


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
    ecb_rate: bool = Field(
        False,
        description="EUR or a currency ECB publishes a daily reference rate for: can be a base currency",
    )


class CurrencyList(CamelModel):
    """Every currency an expense can be recorded in, from the ISO 4217 table published on `published`."""

    published: str
    items: list[CurrencyEntry]


class Profile(CamelModel):
    default_currency: str
    # Summaries also show totals converted to this currency (ECB rates); absent = off.
    base_currency: str | None = Field(None, exclude_if=lambda value: value is None)


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
    model_config = ConfigDict(defer_build=True)  # the OpenAPI document's; no request builds it

    error: str
    message: str
    details: list[dict[str, Any]] = Field(default_factory=list)
