"""Cost Explorer results -> expense drafts. Pure: no boto3, no clock, no I/O.

One GetCostAndUsage request per user-month, grouped by SERVICE and RECORD_TYPE, gives both kinds of
line at once:

- RECORD_TYPE "Usage" groups become one expense per service ("AWS - <Service>");
- every other record type (Credit, Refund, Tax, Support, fees, discounts...) becomes its own expense
  per record type ("AWS - Credits", "AWS - Tax"...), summed across services, negative where AWS says
  so, and never netted into a service's line.

Each expense id is a hash of (user, account, month, line), so a re-run overwrites in place.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from outlay.logic import months
from outlay.logic.money import money_text, round_to_currency

CATEGORY = "Software"
TAGS = ("aws",)
USAGE = "Usage"
UNBLENDED = "UnblendedCost"
AMORTIZED = "AmortizedCost"
MIN_AMOUNT = Decimal("0.005")  # lines whose unblended cost rounds to 0.00 are skipped
ID_PREFIX = "aws-"

# Display names for the non-usage record types (Cost Explorer RECORD_TYPE values).
RECORD_TYPE_NAMES: dict[str, str] = {
    "Credit": "Credits",
    "Refund": "Refunds",
    "Tax": "Tax",
    "Support": "Support",
    "RIFee": "Reserved Instance Fees",
    "DiscountedUsage": "Reserved Instance Usage",
    "SavingsPlanCoveredUsage": "Savings Plan Covered Usage",
    "SavingsPlanNegation": "Savings Plan Negation",
    "SavingsPlanRecurringFee": "Savings Plan Recurring Fees",
    "SavingsPlanUpfrontFee": "Savings Plan Upfront Fees",
    "Upfront": "Upfront Fees",
    "Recurring": "Recurring Fees",
    "Fee": "Fees",
    "BundledDiscount": "Bundled Discounts",
    "Enterprise Discount Program Discount": "Enterprise Discounts",
    "Private Rate Card Discount": "Private Rate Discounts",
    "Distributor Discount": "Distributor Discounts",
    "Solution Provider Program Discount": "Solution Provider Discounts",
    "Other": "Other Charges",
}


def cost_and_usage_request(month: str) -> dict[str, Any]:
    """The one GetCostAndUsage request for a month (page token added by the caller)."""
    return {
        "TimePeriod": months.period(month),  # End = first day of next month (exclusive)
        "Granularity": "MONTHLY",
        "Metrics": [UNBLENDED, AMORTIZED],
        "GroupBy": [
            {"Type": "DIMENSION", "Key": "SERVICE"},
            {"Type": "DIMENSION", "Key": "RECORD_TYPE"},
        ],
    }


def forecast_request(today_iso: str, month: str) -> dict[str, Any]:
    """GetCostForecast for the rest of `month` (Start = today, End = first day of next month)."""
    return {
        "TimePeriod": {"Start": today_iso, "End": months.next_first_day(month).isoformat()},
        "Metric": "UNBLENDED_COST",
        "Granularity": "MONTHLY",
    }


@dataclass(frozen=True)
class CostLine:
    """One expense-to-be: a service's usage, or one non-usage record type, in one currency."""

    line: str  # stable key inside the month: "service:<name>" or "record:<type>" (+ ":<CUR>" rarely)
    name: str  # the service name exactly as Cost Explorer returns it, or the record type's label
    record_type: str
    amount: Decimal  # UnblendedCost, rounded to cents
    amortized: Decimal
    currency: str


@dataclass(frozen=True)
class ExpenseDraft:
    """What the import writes through the expense repository (converted to its Expense model)."""

    id: str
    date: str
    amount: Decimal
    currency: str
    category: str
    vendor: str
    description: str
    tags: tuple[str, ...]
    account_id: str
    month: str
    line: str
    record_type: str
    amortized_amount: Decimal
    source: str = "aws"


class MalformedCostDataError(ValueError):
    """Cost Explorer returned something we cannot read (missing metric, bad amount)."""


def _decimal(raw: Any) -> Decimal:
    try:
        value = Decimal(str(raw))
    except InvalidOperation as exc:
        raise MalformedCostDataError("amount is not a number") from exc
    if not value.is_finite():
        raise MalformedCostDataError("amount is not finite")
    return value


_CURRENCY_RE = re.compile(r"^[A-Z]{3}$")


def _metric(metrics: Mapping[str, Any], name: str) -> tuple[Decimal, str] | None:
    metric = metrics.get(name)
    if not isinstance(metric, Mapping) or "Amount" not in metric:
        return None
    unit = str(metric.get("Unit") or "")
    if not _CURRENCY_RE.match(unit):
        raise MalformedCostDataError(f"{name} unit {unit!r} is not an ISO 4217 currency")
    return _decimal(metric["Amount"]), unit


def lines_from_pages(pages: Iterable[Mapping[str, Any]]) -> list[CostLine]:
    """Fold every page's groups into cost lines, in a stable order (services A-Z, then records)."""
    unblended: dict[tuple[str, str, str, str], Decimal] = {}
    amortized: dict[tuple[str, str, str, str], Decimal] = {}
    for page in pages:
        for result in page.get("ResultsByTime") or []:
            for group in result.get("Groups") or []:
                keys = list(group.get("Keys") or [])
                if len(keys) != 2:
                    raise MalformedCostDataError("expected groups keyed by SERVICE and RECORD_TYPE")
                service, record_type = str(keys[0]), str(keys[1])
                metrics = group.get("Metrics") or {}
                cost = _metric(metrics, UNBLENDED)
                if cost is None:
                    continue
                amount, currency = cost
                amort = _metric(metrics, AMORTIZED)
                if record_type == USAGE:
                    key = ("service", service, record_type, currency)
                else:
                    key = ("record", record_type, record_type, currency)
                unblended[key] = unblended.get(key, Decimal(0)) + amount
                if amort is not None and amort[1] == currency:
                    amortized[key] = amortized.get(key, Decimal(0)) + amort[0]

    by_line: dict[str, list[str]] = {}
    for kind, name, _record, currency in unblended:
        by_line.setdefault(f"{kind}:{name}", []).append(currency)

    lines = []
    for (kind, name, record_type, currency), total in sorted(unblended.items()):
        if abs(total) < MIN_AMOUNT:
            continue
        base = f"{kind}:{name}"
        currencies = sorted(by_line[base])
        # The (rare) second currency of the same line gets its own id; the first keeps the plain one.
        line_key = base if currency == currencies[0] else f"{base}:{currency}"
        label = name if kind == "service" else record_type_label(record_type)
        lines.append(
            CostLine(
                line=line_key,
                name=label,
                record_type=record_type,
                amount=round_to_currency(total, currency),
                amortized=round_to_currency(
                    amortized.get((kind, name, record_type, currency), total), currency
                ),
                currency=currency,
            )
        )
    lines.sort(key=lambda item: (item.line.startswith("record:"), item.line))
    return lines


def record_type_label(record_type: str) -> str:
    if record_type in RECORD_TYPE_NAMES:
        return RECORD_TYPE_NAMES[record_type]
    # Unknown future record types: split CamelCase, keep as-is otherwise.
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", record_type)


def expense_id(sub: str, account_id: str, month: str, line: str) -> str:
    """Deterministic: sha256 of the four parts, 26 base32 characters (130 bits), prefixed `aws-`."""
    digest = hashlib.sha256("\x1f".join((sub, account_id, month, line)).encode()).digest()
    return ID_PREFIX + base64.b32encode(digest).decode("ascii").lower()[:26]


def drafts_for_month(sub: str, account_id: str, month: str, lines: Iterable[CostLine]) -> list[ExpenseDraft]:
    label = months.month_label(month)
    day = months.last_day(month).isoformat()
    drafts = []
    for line in lines:
        drafts.append(
            ExpenseDraft(
                id=expense_id(sub, account_id, month, line.line),
                date=day,
                amount=line.amount,
                currency=line.currency,
                category=CATEGORY,
                vendor=f"AWS - {line.name}",
                description=(
                    f"AWS {line.name} charges for {label}"
                    if line.line.startswith("service:")
                    else f"AWS {line.name} for {label}"
                ),
                tags=TAGS,
                account_id=account_id,
                month=month,
                line=line.line,
                record_type=line.record_type,
                amortized_amount=line.amortized,
            )
        )
    return drafts


def totals_by_currency(amounts: Iterable[tuple[str, Decimal]]) -> list[dict[str, str]]:
    """[(currency, amount)] -> [{"currency", "total"}] sorted by currency; no conversion ever."""
    sums: dict[str, Decimal] = {}
    for currency, amount in amounts:
        sums[currency] = sums.get(currency, Decimal(0)) + amount
    return [
        {"currency": currency, "total": money_text(round_to_currency(total, currency), currency)}
        for currency, total in sorted(sums.items())
    ]
