"""Recurring rules: the stored/returned rule, its request bodies and what a run reports.

Import-light (the API stack and the OpenAPI generator read these): nothing here touches boto3.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import ConfigDict, Field, ValidationInfo, field_serializer, field_validator

from outlay.logic.money import money_text
from outlay.models.expenses import _no_null_in_schema
from outlay.models.fields import (
    ID_PATTERN,
    AmountInput,
    CamelModel,
    CategoryName,
    Currency,
    Description,
    IsoDate,
    RequestModel,
    StoredAmount,
    Tags,
    Vendor,
)

Unit = Literal["day", "week", "month"]
Status = Literal["active", "paused", "ended"]
MAX_EVERY = 366

_DAY_OF_MONTH = (
    "Months only: the day of the month (1-31; default the start date's day). A month without that "
    "day uses its last day (31 -> 30 April, 28 or 29 February)"
)


class CreateRecurringRequest(RequestModel):
    every: int = Field(1, ge=1, le=MAX_EVERY, description="Repeat every N units")
    unit: Unit
    day_of_month: int | None = Field(None, ge=1, le=31, description=_DAY_OF_MONTH)
    start_date: IsoDate = Field(description="The first occurrence is on or after this date")
    end_date: IsoDate | None = Field(None, description="Last possible occurrence date (inclusive)")
    amount: AmountInput
    currency: Currency | None = Field(None, description="Default: the profile's currency, else USD")
    category: CategoryName
    vendor: Vendor = ""
    description: Description = ""
    tags: Tags = Field(default_factory=list)

    # Field validators (not a model validator), so an error names the field it is about.
    @field_validator("day_of_month")
    @classmethod
    def _months_only(cls, value: int | None, info: ValidationInfo) -> int | None:
        if value is not None and info.data.get("unit") not in (None, "month"):
            raise ValueError("dayOfMonth is only for monthly rules (unit 'month')")
        return value

    @field_validator("end_date")
    @classmethod
    def _not_before_start(cls, value: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("start_date")
        if value is not None and start is not None and value < start:
            raise ValueError("endDate must not be before startDate")
        return value


class UpdateRecurringRequest(RequestModel):
    """Partial update of a rule; only future occurrences change. `null` is refused except for
    `endDate` and `dayOfMonth` (null clears them)."""

    model_config = ConfigDict(json_schema_extra=_no_null_in_schema)

    every: int | None = Field(None, ge=1, le=MAX_EVERY)
    unit: Unit | None = None
    day_of_month: int | None = Field(None, ge=1, le=31, description=_DAY_OF_MONTH)
    start_date: IsoDate | None = None
    end_date: IsoDate | None = None
    amount: AmountInput | None = None
    currency: Currency | None = None
    category: CategoryName | None = None
    vendor: Vendor | None = None
    description: Description | None = None
    tags: Tags | None = None

    @field_validator("*", mode="before")
    @classmethod
    def _no_null(cls, value: Any, info: Any) -> Any:
        if value is None and info.field_name not in ("end_date", "day_of_month"):
            raise ValueError("must not be null (leave the field out to keep its value)")
        return value

    def changes(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.model_fields_set}


class RecurringRule(CamelModel):
    """A rule as stored and returned. `nextDue` is the next occurrence a run will write (null once
    the rule has ended); `status` paused means runs skip it."""

    id: str = Field(pattern=ID_PATTERN)
    every: int = Field(ge=1, le=MAX_EVERY)
    unit: Unit
    day_of_month: int | None = Field(None, ge=1, le=31)
    start_date: IsoDate
    end_date: IsoDate | None = None
    amount: StoredAmount
    currency: Currency
    category: CategoryName
    vendor: Vendor = ""
    description: Description = ""
    tags: Tags = Field(default_factory=list)
    status: Status = "active"
    next_due: IsoDate | None = None
    created_at: datetime
    updated_at: datetime

    @field_serializer("amount", when_used="json")
    def _amount_out(self, amount: Decimal) -> str:
        return money_text(amount, self.currency)


class RecurringPage(CamelModel):
    items: list[RecurringRule]
    next: str | None = None


class RecurringRunResult(CamelModel):
    """What a run did: occurrences written now, already there (a repeated run), or left out because
    the user deleted them."""

    rules: int
    created: int
    existing: int
    dismissed: int
    failed: int = 0
