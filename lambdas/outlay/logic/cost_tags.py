"""The tag split of an imported month (pure: no boto3, no clock, no I/O).

Cost Explorer reports cost-allocation tags only when asked, so when (and only when) the user has tag
rules the import asks once more per tag key and month (`tag_usage_request`: usage grouped by
SERVICE x TAG:<key>, plus pages), and `split_by_tags` cuts each service's line into the part that
carries a tag value a rule looks for (its own line, its own deterministic id) and the rest, so the
lines still add up to the service's amount. A resource that carries values of two keys is counted
once: for the later key (in the order keys first appear in the rules), the request excludes what
earlier keys' rules already took.

An AWS Organizations connection needs the part per linked account, and GroupBy takes two keys, of
which LINKED_ACCOUNT x SERVICE are already both: so its tag value moves into the filter, one request
(+ pages) per tag value the rules look for (`linked_tag_usage_request`), however many member accounts
the organization has; `split_by_tags` then cuts each account's lines with that account's own parts.
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
    LINKED_ACCOUNT,
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


_USAGE = {"Dimensions": {"Key": "RECORD_TYPE", "Values": [USAGE]}}


def _not_taken(exclude: Mapping[str, Sequence[str]]) -> list[dict[str, Any]]:
    return [{"Not": {"Tags": {"Key": k, "Values": list(v)}}} for k, v in exclude.items() if v]


def tag_usage_request(month: str, key: str, exclude: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """The month's usage grouped by SERVICE x TAG:<key>, without resources whose `exclude` tag values
    an earlier key's rules already took."""
    taken = _not_taken(exclude)
    return {
        "TimePeriod": months.period(month),
        "Granularity": "MONTHLY",
        "Metrics": [UNBLENDED, AMORTIZED],
        "GroupBy": [{"Type": "DIMENSION", "Key": "SERVICE"}, {"Type": "TAG", "Key": key}],
        "Filter": {"And": [_USAGE, *taken]} if taken else _USAGE,
    }


def linked_tag_usage_request(
    month: str, key: str, value: str, exclude: Mapping[str, Sequence[str]]
) -> dict[str, Any]:
    """An organization's month of usage tagged `key=value`, grouped by LINKED_ACCOUNT x SERVICE,
    without resources whose `exclude` tag values an earlier key's rules already took."""
    tagged = {"Tags": {"Key": key, "Values": [value]}}
    return {
        "TimePeriod": months.period(month),
        "Granularity": "MONTHLY",
        "Metrics": [UNBLENDED, AMORTIZED],
        "GroupBy": [{"Type": "DIMENSION", "Key": LINKED_ACCOUNT}, {"Type": "DIMENSION", "Key": "SERVICE"}],
        "Filter": {"And": [_USAGE, tagged, *_not_taken(exclude)]},
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


def _sum_groups(
    pages: Iterable[Mapping[str, Any]], what: str
) -> dict[tuple[str, str, str], tuple[Decimal, Decimal]]:
    """Two-key groups -> (first key, second key, currency) -> (unblended, amortized) summed over pages."""
    sums: dict[tuple[str, str, str], tuple[Decimal, Decimal]] = {}
    for page in pages:
        for result in page.get("ResultsByTime") or []:
            for group in result.get("Groups") or []:
                keys = [str(k) for k in group.get("Keys") or []]
                if len(keys) != 2:
                    raise MalformedCostDataError(f"expected groups keyed by {what}")
                cost = _metric(group.get("Metrics") or {}, UNBLENDED)
                if cost is None:
                    continue
                amort = _metric(group.get("Metrics") or {}, AMORTIZED)
                amount, currency = cost
                extra = amort[0] if amort is not None and amort[1] == currency else amount
                before = sums.get((keys[0], keys[1], currency), (Decimal(0), Decimal(0)))
                sums[(keys[0], keys[1], currency)] = (before[0] + amount, before[1] + extra)
    return sums


def tag_parts(pages: Iterable[Mapping[str, Any]], key: str, wanted: Iterable[str]) -> list[TagPart]:
    """SERVICE x TAG:<key> pages -> the parts carrying one of the `wanted` values (others ignored)."""
    values = set(wanted)
    parts = []
    sums = _sum_groups(pages, "SERVICE and TAG")
    for (service, tag, currency), (amount, amortized) in sums.items():
        tag_key, _, value = tag.partition(TAG_SEPARATOR)
        if tag_key == key and value in values:
            parts.append(TagPart(service, currency, key, value, amount, amortized))
    return sorted(parts, key=lambda p: (p.service, p.currency, p.value))


def linked_tag_parts(pages: Iterable[Mapping[str, Any]], key: str, value: str) -> dict[str, list[TagPart]]:
    """LINKED_ACCOUNT x SERVICE pages of `linked_tag_usage_request` -> per account, its parts
    carrying `key=value`."""
    out: dict[str, list[TagPart]] = {}
    for (account, service, currency), (amount, amortized) in sorted(
        _sum_groups(pages, "LINKED_ACCOUNT and SERVICE").items()
    ):
        out.setdefault(account, []).append(TagPart(service, currency, key, value, amount, amortized))
    return out


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

    def linked_tagged_usage_pages(
        self, month: str, key: str, value: str, exclude: Mapping[str, Sequence[str]]
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


def organization_tag_parts(
    source: TaggedCostSource, month: str, rules: Sequence[CostRule]
) -> dict[str, list[TagPart]]:
    """Per linked account, the parts carrying the tag values `rules` look for (for `split_by_tags`):
    one Cost Explorer request (+ pages) per tag value, none at all without tag rules. Values of one
    key exclude each other on a resource; a later key excludes what earlier keys took, as above."""
    parts: dict[str, list[TagPart]] = {}
    taken: dict[str, list[str]] = {}
    for key in tag_keys(rules):
        values = tag_values(rules, key)
        for value in values:
            pages = source.linked_tagged_usage_pages(month, key, value, dict(taken))
            for account, found in linked_tag_parts(pages, key, value).items():
                parts.setdefault(account, []).extend(found)
        taken[key] = values
    return parts
