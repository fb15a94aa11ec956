"""The data lake's shape: which user-months a stream batch touched, and one user-month as JSON lines.

The lake is derived, never patched: every change to a user's month re-reads that month from DynamoDB
(the source of truth) and rewrites one object, so retries, duplicates and reordering are harmless.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from outlay import tables
from outlay.logic.money import money_text
from outlay.models.expenses import Expense

_DATE = re.compile(r"^(\d{4})-(\d{2})-\d{2}$")

# Column order of each JSON line (the Glue table over the lake declares the same columns).
LAKE_COLUMNS = (
    "userId",
    "id",
    "date",
    "timestamp",
    "amount",
    "currency",
    "category",
    "vendor",
    "description",
    "tags",
    "source",
    "awsAccountId",
    "awsAccountName",
)


@dataclass(frozen=True, order=True)
class UserMonth:
    sub: str
    year: str
    month: str


def _string(image: Mapping[str, Any], name: str) -> str | None:
    value = image.get(name)
    if isinstance(value, dict) and isinstance(value.get("S"), str):
        return str(value["S"])
    return None


def user_month_of(image: Mapping[str, Any] | None) -> UserMonth | None:
    """The user-month an expense image (DynamoDB JSON) belongs to; None for non-expense items."""
    if not image:
        return None
    pk, sk, day = _string(image, "pk"), _string(image, "sk"), _string(image, "date")
    if not pk or not sk or not day or not pk.startswith("USER#") or not sk.startswith("EXPENSE#"):
        return None
    match = _DATE.match(day)
    if not match:
        return None
    return UserMonth(pk[len("USER#") :], match.group(1), match.group(2))


def affected_months(records: Iterable[Mapping[str, Any]]) -> dict[UserMonth, list[str]]:
    """Each touched user-month -> the sequence numbers of the records that touched it (old and new
    images both count: moving an expense to another month changes two objects)."""
    touched: dict[UserMonth, list[str]] = {}
    for record in records:
        change = record.get("dynamodb") or {}
        sequence = str(change.get("SequenceNumber", ""))
        for image in (change.get("OldImage"), change.get("NewImage")):
            key = user_month_of(image)
            if key is not None:
                sequences = touched.setdefault(key, [])
                if sequence not in sequences:
                    sequences.append(sequence)
    return touched


def lake_line(sub: str, expense: Expense) -> str:
    """One JSON object; amount is an exact JSON number with its currency's minor units (Athena
    DECIMAL(16,4) holds every currency's digits: KWD 1.234 stays 1.234)."""
    fields: dict[str, Any] = {
        "userId": sub,
        "id": expense.id,
        "date": expense.date.isoformat(),
        "timestamp": expense.updated_at.isoformat().replace("+00:00", "Z"),
        "amount": None,
        "currency": expense.currency,
        "category": expense.category,
        "vendor": expense.vendor,
        "description": expense.description,
        "tags": list(expense.tags),
        "source": expense.source,
        # The AWS account an imported line belongs to (null for other expenses).
        "awsAccountId": expense.aws.account_id if expense.aws else None,
        "awsAccountName": expense.aws.account_name if expense.aws else None,
    }
    text = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
    # json has no Decimal: splice the exact digits in place of the placeholder.
    return text.replace('"amount":null', f'"amount":{money_text(expense.amount, expense.currency)}', 1)


def lake_object(sub: str, expenses: Iterable[Expense]) -> bytes:
    return "".join(lake_line(sub, e) + "\n" for e in expenses).encode("utf-8")


class MonthSource(Protocol):
    def month_expenses(self, sub: str, year: str, month: str) -> list[Expense]: ...


class LakeObjects(Protocol):
    def put(self, key: str, body: bytes) -> None: ...
    def delete(self, key: str) -> None: ...


@dataclass
class LakeSync:
    """Keeps the lake equal to DynamoDB, one user-month at a time."""

    expenses: MonthSource
    lake: LakeObjects

    def rewrite_month(self, key: UserMonth) -> int:
        """Make the lake object of one user-month equal to DynamoDB; returns the expense count."""
        expenses = self.expenses.month_expenses(key.sub, key.year, key.month)
        object_key = tables.lake_key(key.year, key.month, key.sub)
        if expenses:
            self.lake.put(object_key, lake_object(key.sub, expenses))
        else:
            self.lake.delete(object_key)
        return len(expenses)
