"""The user's rules from AWS to categories: one item in their partition of the expenses table."""

from __future__ import annotations

from outlay import tables
from outlay.dal.expense_items import UserItems, serialize
from outlay.models.cost_rules import CostRules


class CostRulesStore(UserItems):
    def get(self, sub: str) -> CostRules:
        """The saved rules, or none (every line "Software", credits shown) when never saved."""
        item = self._get_item(sub, tables.COST_RULES_SK)
        if item is None:
            return CostRules()
        return CostRules.model_validate(
            {
                "rules": item.get("rules") or [],
                "credits": item.get("credits") or "show",
                "updatedAt": item.get("updatedAt"),
            }
        )

    def put(self, sub: str, rules: CostRules) -> None:
        item = {
            "pk": tables.user_pk(sub),
            "sk": tables.COST_RULES_SK,
            "type": "AWSRULES",
            **rules.model_dump(mode="json", by_alias=True, exclude_none=True),
        }
        self.client.put_item(TableName=self.table_name, Item=serialize(item))
