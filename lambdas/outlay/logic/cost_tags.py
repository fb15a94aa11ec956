"""The tag split of an imported month (pure: no boto3, no clock, no I/O).

Cost Explorer reports cost-allocation tags only when asked, so when (and only when) the user has tag
rules the import asks once more per tag key and month (`tag_usage_request`: usage grouped by
SERVICE x TAG:<key>, plus pages), and `split_by_tags` cuts each service's line into the part that
carries a tag value a rule looks for (its own line, its own deterministic id) and the rest, so the
lines still add up to the service's amount. A resource that carries values of two keys is counted
once: for the later key (in the order keys first appear in the rules), the request excludes what
earlier keys' rules already took.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from outlay.logic import months
from outlay.logic.cost_import import (
    AMORTIZED,
    MIN_AMOUNT,
    UNBLENDED,
    USAGE,
    CostLine,
    MalformedCostDataError,
    _metric,
)
from outlay.logic.cost_rules import tag_keys, tag_values
from outlay.logic.money import round_to_currency
from outlay.models.cost_rules import CostRule

TAG_SEPARATOR = "$"  # Cost Explorer's TAG group keys read "<key>$<value>" ("<key>$" = untagged)


def tag_usage_request(month: str, key: str, exclude: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """The month's usage grouped by SERVICE x TAG:<key>, without resources whose `exclude` tag values
    an earlier key's rules already took."""
    usage = {"Dimensions": {"Key": "RECORD_TYPE", "Values": [USAGE]}}
    taken = [{"Not": {"Tags": {"Key": k, "Values": list(v)}}} for k, v in exclude.items() if v]
    return {
        "TimePeriod": months.period(month),
        "Granularity": "MONTHLY",
        "Metrics": [UNBLENDED, AMORTIZED],
        "GroupBy": [{"Type": "DIMENSION", "Key": "SERVICE"}, {"Type": "TAG", "Key": key}],
        "Filter": {"And": [usage, *taken]} if taken else usage,
    }


@dataclass(frozen=True)
class TagPart:
    """The part of a service's month (in one currency) that carries one tag value."""

    service: str
    currency: str
    key: str
    value: str
    amount: Decimal
    amortized: Decimal


def tag_parts(pages: Iterable[Mapping[str, Any]], key: str, wanted: Iterable[str]) -> list[TagPart]:
    """SERVICE x TAG:<key> pages -> the parts carrying one of the `wanted` values (others ignored)."""
    values = set(wanted)
    sums: dict[tuple[str, str, str], tuple[Decimal, Decimal]] = {}
    for page in pages:
        for result in page.get("ResultsByTime") or []:
            for group in result.get("Groups") or []:
                keys = [str(k) for k in group.get("Keys") or []]
                if len(keys) != 2:
                    raise MalformedCostDataError("expected groups keyed by SERVICE and TAG")
                service, tag = keys
                tag_key, _, value = tag.partition(TAG_SEPARATOR)
                if tag_key != key or value not in values:
                    continue
                cost = _metric(group.get("Metrics") or {}, UNBLENDED)
                if cost is None:
                    continue
                amort = _metric(group.get("Metrics") or {}, AMORTIZED)
                amount, currency = cost
                extra = amort[0] if amort is not None and amort[1] == currency else amount
                before = sums.get((service, currency, value), (Decimal(0), Decimal(0)))
                sums[(service, currency, value)] = (before[0] + amount, before[1] + extra)
    return [
        TagPart(service=s, currency=c, key=key, value=v, amount=a, amortized=m)
        for (s, c, v), (a, m) in sorted(sums.items())
    ]


def tagged_line_key(line: str, key: str, value: str) -> str:
    return f"{line}|tag:{key}={value}"


def split_by_tags(lines: Iterable[CostLine], parts: Iterable[TagPart]) -> list[CostLine]:
    """Each service usage line -> its tagged parts (own lines) + the rest; amounts in the currency's
    minor units, and per service the lines add up exactly to the service's line. A part is capped
    so the rest never goes below zero (tag data a little ahead of the service total)."""
    by_service: dict[tuple[str, str], list[TagPart]] = {}
    for part in parts:
        by_service.setdefault((part.service, part.currency), []).append(part)
    out: list[CostLine] = []
    for line in lines:
        found = by_service.get((line.name, line.currency)) if line.record_type == USAGE else None
        if not found or line.amount <= 0:
            out.append(line)
            continue
        rest, rest_amortized = line.amount, line.amortized
        for part in found:
            amount = min(round_to_currency(part.amount, line.currency), rest)
            if amount < MIN_AMOUNT:
                continue
            amortized = round_to_currency(part.amortized, line.currency)
            rest -= amount
            rest_amortized -= amortized
            out.append(
                dataclasses.replace(
                    line,
                    line=tagged_line_key(line.line, part.key, part.value),
                    amount=amount,
                    amortized=amortized,
                    tags=((part.key, part.value),),
                )
            )
        if rest >= MIN_AMOUNT:
            out.append(dataclasses.replace(line, amount=rest, amortized=rest_amortized))
    out.sort(key=lambda item: (item.line.startswith("record:"), item.line))
    return out


class TaggedCostSource(Protocol):
    def tagged_usage_pages(
        self, month: str, key: str, exclude: Mapping[str, Sequence[str]]
    ) -> list[dict[str, Any]]: ...


def with_tag_split(
    source: TaggedCostSource, month: str, lines: list[CostLine], rules: Sequence[CostRule]
) -> list[CostLine]:
    """`lines` split by the tag values `rules` look for: one Cost Explorer request (+ pages) per tag
    key, none at all without tag rules."""
    keys = tag_keys(rules)
    if not keys:
        return lines
    parts: list[TagPart] = []
    taken: dict[str, list[str]] = {}
    for key in keys:
        values = tag_values(rules, key)
        parts += tag_parts(source.tagged_usage_pages(month, key, dict(taken)), key, values)
        taken[key] = values
    return split_by_tags(lines, parts)
