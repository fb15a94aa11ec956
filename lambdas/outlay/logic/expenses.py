"""Expense rules: categories, defaults, partial updates and idempotency fingerprints. No AWS here."""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from outlay.logic.errors import InvalidInputError
from outlay.logic.money import DEFAULT_CURRENCY, MoneyError, in_currency
from outlay.models.expenses import CreateExpenseRequest, Expense
from outlay.models.fields import is_valid_id

STARTER_CATEGORIES: tuple[str, ...] = (
    "Food",
    "Transport",
    "Housing",
    "Utilities",
    "Software",
    "Travel",
    "Health",
    "Entertainment",
    "Other",
)
_STARTER_BY_FOLD = {name.casefold(): name for name in STARTER_CATEGORIES}

IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60
_IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

# Fields whose change is a real change of the expense (bookkeeping fields excluded).
CONTENT_FIELDS = (
    "date",
    "amount",
    "currency",
    "category",
    "vendor",
    "description",
    "tags",
    "source",
    "aws",
    "user_edited",
    "aws_reported",
    "estimated",
)


def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def new_expense_id() -> str:
    return uuid.uuid4().hex


def starter_category(name: str) -> str | None:
    return _STARTER_BY_FOLD.get(name.casefold())


def resolve_category(name: str, user_categories: Iterable[str]) -> str:
    """The canonical spelling of a known category ("food" -> "Food"), else 400 naming `category`."""
    starter = starter_category(name)
    if starter:
        return starter
    for own in user_categories:
        if own.casefold() == name.casefold():
            return own
    raise InvalidInputError(
        "Unknown category: add it under categories first",
        [{"field": "category", "message": "not one of the starter categories or your own"}],
    )


def check_expense_id(expense_id: str) -> bool:
    return is_valid_id(expense_id)


def check_idempotency_key(key: str) -> str:
    if not _IDEMPOTENCY_KEY.match(key):
        raise InvalidInputError(
            "Idempotency-Key must be 1-128 characters of letters, digits, '.', '_', ':' or '-'",
            [{"field": "Idempotency-Key", "message": "invalid format"}],
        )
    return key


def request_fingerprint(request: CreateExpenseRequest) -> str:
    """A stable hash of what the client asked for: a retry with the same key must send the same body."""
    data = request.model_dump(mode="json", by_alias=True, exclude_unset=True)
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def amount_in_currency(amount: Decimal, currency: str, field: str = "amount") -> Decimal:
    """The amount with exactly its currency's ISO 4217 minor units; more decimals than the currency
    has (5.50 JPY) is a 400 naming `field`."""
    try:
        return in_currency(amount, currency)
    except MoneyError as exc:
        subject = "amount" if field == "amount" else "the expense's amount"
        raise InvalidInputError(
            f"{subject} {exc}", [{"field": field, "message": f"{subject} {exc}", "type": "minor_units"}]
        ) from exc


def build_expense(
    request: CreateExpenseRequest,
    *,
    category: str,
    default_currency: str | None,
    now: datetime,
    expense_id: str | None = None,
) -> Expense:
    """A new manual expense from a validated request; defaults: profile currency (else USD), today UTC.
    The amount must fit the (possibly defaulted) currency's minor units."""
    currency = request.currency or default_currency or DEFAULT_CURRENCY
    return Expense(
        id=expense_id or new_expense_id(),
        date=request.date or now.date(),
        amount=amount_in_currency(request.amount, currency),
        currency=currency,
        category=category,
        vendor=request.vendor,
        description=request.description,
        tags=request.tags,
        source="manual",
        created_at=now,
        updated_at=now,
    )


def apply_changes(expense: Expense, changes: Mapping[str, Any], now: datetime) -> Expense:
    """The expense with `changes` (snake_case field -> validated value) applied, re-validated. A new
    amount or currency must agree with the currency's minor units (400 naming the changed field)."""
    data = expense.model_dump()
    data.update(changes)
    data["updated_at"] = now
    if "amount" in changes or "currency" in changes:
        field = "amount" if "amount" in changes else "currency"
        data["amount"] = amount_in_currency(data["amount"], data["currency"], field)
    return Expense.model_validate(data)


def same_content(a: Expense, b: Expense) -> bool:
    return all(getattr(a, name) == getattr(b, name) for name in CONTENT_FIELDS)
