"""Query strings of the expenses API: list/export filters, trash paging and the summary's scope."""

from __future__ import annotations

from datetime import date as Date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from outlay.logic.months import first_day, last_day
from outlay.models.fields import (
    MAX_CATEGORY,
    MAX_QUERY,
    MAX_TAG,
    MAX_VENDOR,
    CamelModel,
    Currency,
    IsoDate,
    Month,
    signed_amount,
)
from outlay.models.text import (
    PlainText,
    QueryInt,
)


def _present(value: Any) -> Any:
    """A query parameter that is given must have a value: `?to=` is refused, not read as absent."""
    if value == "":
        raise ValueError("must not be empty (leave the parameter out instead)")
    return value


AmountFilter = Annotated[
    Decimal,
    BeforeValidator(signed_amount),
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
