"""Rules from AWS to categories: the user's ordered list (first match wins) and the credits choice.

`PUT /aws-cost-rules` replaces the whole document; `GET` returns it (an empty list and "show" when the
user never saved one). Stored as one item in the user's partition (`tables.COST_RULES_SK`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from outlay.models.fields import MAX_TAGS, CamelModel, CategoryName, RequestModel, Tags
from outlay.models.text import PlainText

MAX_RULES = 50
RuleMatch = Literal["service", "account", "tag"]
# "show": credits and refunds are imported as negative lines; "omit": left out of the import.
CreditsChoice = Literal["show", "omit"]
# Cost Explorer separates a tag's key and value with "$" in its group keys, so a key may not hold one
# (nor a control character, as every text field).
TAG_KEY_PATTERN = "^[^$\\u0000-\\u001f\\u007f-\\u009f]+$"


class CostRule(RequestModel):
    """One rule: lines whose service / linked account / cost-allocation tag value is `value` get
    `category` and `tags` (after the import's own "aws" tag). `tagKey` goes with tag rules only, an
    account rule's value is a 12-digit account id, and the category is a starter category or one of
    the user's own; a 400 names the field as `rules.<n>.<field>`."""

    match: RuleMatch = Field(description="What the rule looks at: service name, account id or tag value")
    value: PlainText = Field(
        min_length=1,
        max_length=256,
        description="Service name as Cost Explorer spells it, a 12-digit account id, or the tag's value",
    )
    tag_key: str | None = Field(
        None,
        min_length=1,
        max_length=128,
        pattern=TAG_KEY_PATTERN,
        description="Only for `match: tag`: the cost-allocation tag key (e.g. `project`)",
    )
    category: CategoryName
    tags: Tags = Field(
        default_factory=list,
        description=f"At most {MAX_TAGS - 1}: the import adds `aws`",
        json_schema_extra={"maxItems": MAX_TAGS - 1},
    )
    connection_id: PlainText | None = Field(
        None, max_length=64, description="Only this connection's lines; null = all of the user's connections"
    )

    @field_validator("tags")
    @classmethod
    def _room_for_the_aws_tag(cls, tags: list[str]) -> list[str]:
        if len(tags) > MAX_TAGS - 1:
            raise ValueError(f"at most {MAX_TAGS - 1} tags (the import adds `aws`)")
        return tags


class CostRulesRequest(RequestModel):
    rules: list[CostRule] = Field(max_length=MAX_RULES, description="Ordered: the first matching rule wins")
    credits: CreditsChoice = "show"


class CostRules(CamelModel):
    """As stored and returned."""

    rules: list[CostRule] = Field(default_factory=list)
    credits: CreditsChoice = "show"
    updated_at: str | None = None
