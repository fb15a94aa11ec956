"""Cost Explorer results -> expense drafts. Pure: no boto3, no clock, no I/O.

One GetCostAndUsage request per user-month, grouped by SERVICE and RECORD_TYPE, gives both kinds of
line at once:

- RECORD_TYPE "Usage" groups become one expense per service ("AWS - <Service>");
- every other record type (Credit, Refund, Tax, Support, fees, discounts...) becomes its own expense
  per record type ("AWS - Credits", "AWS - Tax"...), summed across services, negative where AWS says
  so, and never netted into a service's line.

Each expense id is a hash of (user, account, month, line), so a re-run finds its line again; what a
re-run may change on it follows "Ownership of imported lines" (`merge_reimport`, `mark_user_edits`):
AWS owns amount, currency and date, the user owns whatever they changed.
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
from outlay.models.expenses import AwsReported, Expense, UserEditable

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


# AWS Organizations: GroupBy takes two dimensions, and LINKED_ACCOUNT takes one of them, so the
# month of a management account is two queries (+ pages): usage by LINKED_ACCOUNT x SERVICE
# (RECORD_TYPE = Usage), and every other record type by LINKED_ACCOUNT x RECORD_TYPE. Credits,
# refunds, tax and support stay their own lines, per account, exactly as with SERVICE x RECORD_TYPE.
LINKED_ACCOUNT = "LINKED_ACCOUNT"
_USAGE_ONLY = {"Dimensions": {"Key": "RECORD_TYPE", "Values": [USAGE]}}


def organization_requests(month: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The two GetCostAndUsage requests for a management account's month: usage, other records."""
    base = {"TimePeriod": months.period(month), "Granularity": "MONTHLY", "Metrics": [UNBLENDED, AMORTIZED]}
    usage = {
        **base,
        "Filter": _USAGE_ONLY,
        "GroupBy": [{"Type": "DIMENSION", "Key": LINKED_ACCOUNT}, {"Type": "DIMENSION", "Key": "SERVICE"}],
    }
    records = {
        **base,
        "Filter": {"Not": _USAGE_ONLY},
        "GroupBy": [
            {"Type": "DIMENSION", "Key": LINKED_ACCOUNT},
            {"Type": "DIMENSION", "Key": "RECORD_TYPE"},
        ],
    }
    return usage, records


def organization_pages(
    usage_pages: Iterable[Mapping[str, Any]], record_pages: Iterable[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """The two queries' pages as pages of groups keyed (account, service or record type, record
    type), which `lines_by_account` reads."""
    out: list[dict[str, Any]] = []
    for pages, usage in ((usage_pages, True), (record_pages, False)):
        for page in pages:
            results = []
            for result in page.get("ResultsByTime") or []:
                groups = []
                for group in result.get("Groups") or []:
                    keys = [str(k) for k in group.get("Keys") or []]
                    if len(keys) != 2:
                        raise MalformedCostDataError("expected groups keyed by LINKED_ACCOUNT + one more")
                    account, value = keys
                    if not usage and value == USAGE:
                        continue  # the usage query counted it
                    three = [account, value, USAGE] if usage else [account, value, value]
                    groups.append({**group, "Keys": three})
                results.append({**result, "Groups": groups})
            out.append({"ResultsByTime": results})
    return out


def lines_by_account(pages: Iterable[Mapping[str, Any]], account_id: str) -> dict[str, list[CostLine]]:
    """Cost lines per AWS account. Groups keyed (service, record type) belong to `account_id` (a
    single account's connection); groups keyed (account, name, record type) come from an
    organization's queries (`organization_pages`)."""
    pages = list(pages)
    estimated = is_estimated(pages)
    per_account: dict[str, list[dict[str, Any]]] = {}
    for page in pages:
        for result in page.get("ResultsByTime") or []:
            for group in result.get("Groups") or []:
                keys = [str(k) for k in group.get("Keys") or []]
                account, keys = (keys[0], keys[1:]) if len(keys) == 3 else (account_id, keys)
                per_account.setdefault(account, []).append({**group, "Keys": keys})
    return {
        account: lines_from_pages([{"ResultsByTime": [{"Groups": groups, "Estimated": estimated}]}])
        for account, groups in sorted(per_account.items())
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
    estimated: bool = False  # Cost Explorer's `Estimated`: the month's bill is not final yet
    # The cost-allocation tag values this part of a service carries (`cost_rules.split_by_tags`).
    tags: tuple[tuple[str, str], ...] = ()


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
    estimated: bool = False
    source: str = "aws"
    account_name: str | None = None


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


def is_estimated(pages: Iterable[Mapping[str, Any]]) -> bool:
    """Whether Cost Explorer still estimates the month these pages answer (any result `Estimated`)."""
    return any(bool(result.get("Estimated")) for page in pages for result in page.get("ResultsByTime") or [])


def lines_from_pages(pages: Iterable[Mapping[str, Any]]) -> list[CostLine]:
    """Fold every page's groups into cost lines, in a stable order (services A-Z, then records);
    every line carries the month's `Estimated` flag."""
    pages = list(pages)
    estimated = is_estimated(pages)
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
                estimated=estimated,
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


def drafts_for_month(
    sub: str, account_id: str, month: str, lines: Iterable[CostLine], account_name: str | None = None
) -> list[ExpenseDraft]:
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
                estimated=line.estimated,
                account_name=account_name,
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


# ------------------------------------------------------------------ ownership of imported lines
# AWS-owned fields: a user may still change them, and then their value wins (AWS's is shown beside).
AWS_OWNED: tuple[UserEditable, ...] = ("amount", "currency", "date")
# Fields the import writes that a user is expected to change.
IMPORT_LABELS: tuple[UserEditable, ...] = ("category", "vendor", "description", "tags")
# API field name -> Expense attribute, for every field a user can change.
EDITABLE_ATTRS: dict[UserEditable, str] = {
    **{name: name for name in (*AWS_OWNED, *IMPORT_LABELS)},
    "receipt": "receipt_content_type",
}


@dataclass(frozen=True)
class Merge:
    """A re-imported line merged into the stored one."""

    expense: Expense
    kept_user_edits: bool  # AWS reported a value the user had changed; the user's value was kept


def merge_reimport(current: Expense, imported: Expense) -> Merge:
    """`imported` (what AWS reports now) applied to `current` (what is stored) field by field:
    fields the user changed keep the user's value; every other field takes the import's. Where the
    user changed an AWS-owned field (amount, currency, date) and AWS now reports something else,
    `awsReported` says what. The receipt, `createdAt` and the user's edit marks always stay."""
    edited = set(current.user_edited)
    update: dict[str, Any] = {
        "created_at": current.created_at,
        "receipt_content_type": current.receipt_content_type,
        "user_edited": list(current.user_edited),
    }
    reported: dict[str, Any] = {}
    kept = False
    for name in (*AWS_OWNED, *IMPORT_LABELS):
        if name not in edited:
            continue
        mine, theirs = getattr(current, name), getattr(imported, name)
        update[name] = mine
        if mine != theirs:
            kept = True
            if name in AWS_OWNED:
                reported[name] = theirs
    update["aws_reported"] = AwsReported(**reported) if reported else None
    return Merge(expense=imported.model_copy(update=update), kept_user_edits=kept)


def mark_user_edits(old: Expense, new: Expense) -> Expense:
    """After a user's change of an imported line: remember every field they changed, so imports
    leave it alone from now on. Manual expenses are returned as they are."""
    if old.source == "manual":
        return new
    edited = set(old.user_edited)
    edited.update(name for name, attr in EDITABLE_ATTRS.items() if getattr(old, attr) != getattr(new, attr))
    reported = old.aws_reported
    if reported is not None:  # what AWS reports now only matters where the user's value differs
        left = {k: v for k, v in reported.model_dump().items() if v is not None and getattr(new, k) != v}
        reported = AwsReported(**left) if left else None
    marks: list[UserEditable] = [name for name in EDITABLE_ATTRS if name in edited]
    return new.model_copy(update={"user_edited": marks, "aws_reported": reported})
