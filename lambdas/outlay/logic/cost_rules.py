"""Rules from AWS to categories, applied to imported lines. Pure: no boto3, no clock, no I/O.

A rule looks at one fact of a line (its service, its linked account, or a cost-allocation tag value)
and sets the line's category and tags; rules are ordered and the first match wins. A line no rule
matches keeps the seed's labels: category "Software", tag "aws".

- Service rules match usage lines of that service (the names Cost Explorer uses).
- Account rules match every line of that account, tax/credits/refunds/support included.
- Tag rules match the part of a service's month that carries the tag value (`cost_tags` splits it
  off with one more Cost Explorer request per tag key, or per tag value for an organization, whose
  parts are per linked account; only for users with tag rules).

Credits and refunds: the user shows them (negative lines, the default) or leaves them out; lines left
out are reported to the writer, which removes earlier imports of them unless the user edited them.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from outlay.logic.cost_import import (
    CATEGORY,
    TAGS,
    USAGE,
    CostLine,
    ExpenseDraft,
)
from outlay.logic.errors import InvalidInputError
from outlay.logic.expenses import starter_category
from outlay.models.cost_rules import CostRule, CostRules, CostRulesRequest
from outlay.models.expenses import Expense

OMITTABLE = ("Credit", "Refund")  # the record types the credits choice leaves out
_ACCOUNT = re.compile(r"^\d{12}$")


@dataclass(frozen=True)
class LineFacts:
    """What a rule can look at on one line."""

    account: str
    record_type: str
    service: str | None = None  # usage lines only
    tags: Mapping[str, str] = dataclasses.field(default_factory=dict)  # tag values the line carries


@dataclass(frozen=True)
class Labels:
    category: str
    tags: tuple[str, ...]


DEFAULT_LABELS = Labels(category=CATEGORY, tags=TAGS)


# ------------------------------------------------------------------------------- the rules
def for_connection(rules: Iterable[CostRule], connection_id: str | None) -> list[CostRule]:
    """The rules that apply to one connection's lines (unscoped ones and its own), in order."""
    return [r for r in rules if r.connection_id is None or r.connection_id == connection_id]


def matches(rule: CostRule, facts: LineFacts) -> bool:
    if rule.match == "account":
        return facts.account == rule.value
    if rule.match == "service":
        return facts.record_type == USAGE and facts.service == rule.value
    return rule.tag_key is not None and facts.tags.get(rule.tag_key) == rule.value


def labels_for(rules: Sequence[CostRule], facts: LineFacts) -> Labels:
    """The first matching rule's category and tags (after the import's own "aws"), else the default."""
    for rule in rules:
        if matches(rule, facts):
            tags = list(TAGS)
            tags += [t for t in rule.tags if t.casefold() not in {x.casefold() for x in tags}]
            return Labels(category=rule.category, tags=tuple(tags))
    return DEFAULT_LABELS


def checked_rules(request: CostRulesRequest, user_categories: Iterable[str]) -> CostRules:
    """The request's rules with canonical category spellings, or a 400 naming `rules.<n>.<field>`."""
    own = {name.casefold(): name for name in user_categories}
    details: list[dict[str, str]] = []
    rules: list[CostRule] = []
    for index, rule in enumerate(request.rules):
        where = f"rules.{index}"
        if rule.match == "tag" and not rule.tag_key:
            details.append({"field": f"{where}.tagKey", "message": "required when match is tag"})
        if rule.match != "tag" and rule.tag_key is not None:
            details.append({"field": f"{where}.tagKey", "message": "only allowed when match is tag"})
        if rule.match == "account" and not _ACCOUNT.match(rule.value):
            details.append({"field": f"{where}.value", "message": "must be a 12-digit AWS account id"})
        category = starter_category(rule.category) or own.get(rule.category.casefold())
        if category is None:
            details.append(
                {"field": f"{where}.category", "message": "not one of the starter categories or your own"}
            )
            continue
        rules.append(rule.model_copy(update={"category": category}))
    if details:
        fields = ", ".join(sorted({d["field"] for d in details}))
        raise InvalidInputError(f"Invalid value for: {fields}", details)
    return CostRules(rules=rules, credits=request.credits)


# ------------------------------------------------------------------------------- tag rules
def tag_keys(rules: Iterable[CostRule]) -> list[str]:
    """Tag keys of the tag rules, in the order they first appear."""
    keys: list[str] = []
    for rule in rules:
        if rule.match == "tag" and rule.tag_key and rule.tag_key not in keys:
            keys.append(rule.tag_key)
    return keys


def tag_values(rules: Iterable[CostRule], key: str) -> list[str]:
    return sorted({r.value for r in rules if r.match == "tag" and r.tag_key == key})


# ------------------------------------------------------------------------- drafts labelled
def facts_of(line: CostLine, account: str) -> LineFacts:
    return LineFacts(
        account=account,
        record_type=line.record_type,
        service=line.name if line.record_type == USAGE else None,
        tags=dict(line.tags),
    )


def apply_rules(
    drafts: Iterable[ExpenseDraft],
    lines: Iterable[CostLine],
    rules: CostRules | None,
    connection_id: str | None,
) -> tuple[list[ExpenseDraft], set[str]]:
    """Drafts with their rule's category and tags (a tagged part's description names its tag), and
    the ids of the lines the user leaves out (credits/refunds when `credits` is "omit")."""
    by_key = {line.line: line for line in lines}
    applicable = for_connection(rules.rules, connection_id) if rules else []
    omit = rules is not None and rules.credits == "omit"
    kept: list[ExpenseDraft] = []
    omitted: set[str] = set()
    for draft in drafts:
        if omit and draft.record_type in OMITTABLE:
            omitted.add(draft.id)
            continue
        line = by_key.get(draft.line)
        if line is None:
            kept.append(draft)
            continue
        labels = labels_for(applicable, facts_of(line, draft.account_id))
        description = draft.description
        if line.tags:
            description += " (" + ", ".join(f"{k}={v}" for k, v in line.tags) + ")"
        kept.append(
            dataclasses.replace(draft, category=labels.category, tags=labels.tags, description=description)
        )
    return kept, omitted


# ------------------------------------------------------------------------------- preview
def stored_facts(expense: Expense) -> LineFacts | None:
    """What a rule can look at on an imported line as stored (its line key holds service and tag)."""
    meta = expense.aws
    if meta is None:
        return None
    base, _, tag = meta.line.partition("|tag:")
    key, _, value = tag.partition("=")
    service = base.removeprefix("service:") if meta.record_type == USAGE else None
    if service is not None:
        service = service.removesuffix(f":{expense.currency}")  # a service's second currency
    return LineFacts(
        account=meta.account_id,
        record_type=meta.record_type,
        service=service,
        tags={key: value} if tag else {},
    )


def preview(rules: CostRules, lines: Iterable[Expense], connection_id: str | None = None) -> dict[str, Any]:
    """What the next import of these (stored, imported) lines would do under `rules`: lines whose
    category would move, per new category; credits/refunds it would remove; lines left alone
    because the user changed their category. Tag rules reach lines only once an import has split
    them, so `tagRules` says when some may move that are not counted here."""
    applicable = for_connection(rules.rules, connection_id)
    moves: dict[str, int] = {}
    removed = edited = 0
    for expense in lines:
        facts = stored_facts(expense)
        if facts is None:
            continue
        if rules.credits == "omit" and facts.record_type in OMITTABLE:
            removed += 0 if expense.user_edited else 1
            continue
        category = labels_for(applicable, facts).category
        if category == expense.category:
            continue
        if "category" in expense.user_edited:
            edited += 1
            continue
        moves[category] = moves.get(category, 0) + 1
    return {
        "moves": [{"category": c, "lines": n} for c, n in sorted(moves.items())],
        "removed": removed,
        "keptUserEdits": edited,
        "tagRules": bool(tag_keys(applicable)),
    }
