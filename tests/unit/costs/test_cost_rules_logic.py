"""Rules from AWS to categories, pure: first match wins, scope, validation naming the field, the tag
split that still adds up, and credits left out."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from outlay.logic.cost_import import CostLine, drafts_for_month, lines_from_pages
from outlay.logic.cost_rules import LineFacts, apply_rules, checked_rules, labels_for
from outlay.logic.cost_tags import split_by_tags, tag_parts, tag_usage_request, with_tag_split
from outlay.logic.errors import InvalidInputError
from outlay.models.cost_rules import CostRule, CostRules, CostRulesRequest

from .conftest import OCTOBER_GROUPS, ce_result

EC2 = "Amazon Elastic Compute Cloud - Compute"
S3 = "Amazon Simple Storage Service"
ACCOUNT = "111122223333"


def rule(**fields: Any) -> CostRule:
    return CostRule.model_validate(fields)


ACME = rule(match="tag", tagKey="project", value="acme", category="Client work", tags=["acme"])
EC2_INFRA = rule(match="service", value=EC2, category="Utilities", tags=["infra"])
ACCOUNT_OTHER = rule(match="account", value=ACCOUNT, category="Other")


def test_no_rule_keeps_the_seeds_software_and_aws_tag() -> None:
    labels = labels_for([EC2_INFRA], LineFacts(account=ACCOUNT, record_type="Usage", service=S3))
    assert (labels.category, labels.tags) == ("Software", ("aws",))


def test_the_first_matching_rule_wins() -> None:
    facts = LineFacts(account=ACCOUNT, record_type="Usage", service=EC2, tags={"project": "acme"})
    assert labels_for([ACME, EC2_INFRA], facts).category == "Client work"
    assert labels_for([EC2_INFRA, ACME], facts).category == "Utilities"
    assert labels_for([ACCOUNT_OTHER, ACME], facts).category == "Other"


def test_rule_tags_follow_the_import_tag_without_duplicates() -> None:
    twice = rule(match="service", value=EC2, category="Travel", tags=["AWS", "acme"])
    labels = labels_for([twice], LineFacts(account=ACCOUNT, record_type="Usage", service=EC2))
    assert labels.tags == ("aws", "acme")


def test_service_rules_match_usage_only_account_rules_match_every_line() -> None:
    tax = LineFacts(account=ACCOUNT, record_type="Tax")
    by_tax_name = rule(match="service", value="Tax", category="Other")
    assert labels_for([by_tax_name], tax).category == "Software"
    assert labels_for([ACCOUNT_OTHER], tax).category == "Other"


def test_a_tag_rule_needs_the_tag_value_on_the_line() -> None:
    other = LineFacts(account=ACCOUNT, record_type="Usage", service=EC2, tags={"project": "globex"})
    untagged = LineFacts(account=ACCOUNT, record_type="Usage", service=EC2)
    assert labels_for([ACME], other).category == "Software"
    assert labels_for([ACME], untagged).category == "Software"


def request(*rules: dict[str, Any], credits: str = "show") -> CostRulesRequest:
    return CostRulesRequest.model_validate({"rules": list(rules), "credits": credits})


def test_checked_rules_canonicalise_categories_and_keep_the_order() -> None:
    checked = checked_rules(
        request(
            {"match": "service", "value": EC2, "category": "software"},
            {"match": "tag", "tagKey": "project", "value": "acme", "category": "client WORK"},
        ),
        ["Client work"],
    )
    assert [r.category for r in checked.rules] == ["Software", "Client work"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"match": "service", "value": EC2, "category": "Nope"}, "rules.0.category"),
        ({"match": "tag", "value": "acme", "category": "Other"}, "rules.0.tagKey"),
        ({"match": "service", "value": EC2, "tagKey": "project", "category": "Other"}, "rules.0.tagKey"),
        ({"match": "account", "value": "12345", "category": "Other"}, "rules.0.value"),
    ],
)
def test_checked_rules_name_the_bad_field(body: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        checked_rules(request(body), [])
    assert [d["field"] for d in caught.value.details] == [field]


def tag_page(*groups: tuple[str, str, str]) -> dict[str, Any]:
    return ce_result(
        "2026-10-01",
        "2026-11-01",
        [
            {
                "Keys": [service, tag],
                "Metrics": {
                    "UnblendedCost": {"Amount": amount, "Unit": "USD"},
                    "AmortizedCost": {"Amount": amount, "Unit": "USD"},
                },
            }
            for service, tag, amount in groups
        ],
    )


def october_lines() -> list[CostLine]:
    return lines_from_pages([ce_result("2026-10-01", "2026-11-01", OCTOBER_GROUPS)])


def test_the_tag_split_adds_up_to_the_service_line() -> None:
    lines = october_lines()
    ec2 = next(line for line in lines if line.name == EC2)
    page = tag_page(
        (EC2, "project$acme", "12.3349"),
        (EC2, "project$globex", "7.001"),
        (EC2, "project$", "20.79"),
        (S3, "project$acme", "0.001"),  # rounds to 0.00: no line
    )
    parts = tag_parts([page], "project", ["acme", "globex"])
    split = split_by_tags(lines, parts)
    ec2_lines = [line for line in split if line.name == EC2 and line.record_type == "Usage"]
    assert sorted((line.line, line.amount) for line in ec2_lines) == [
        ("service:" + EC2, Decimal("20.79")),
        ("service:" + EC2 + "|tag:project=acme", Decimal("12.33")),
        ("service:" + EC2 + "|tag:project=globex", Decimal("7.00")),
    ]
    assert sum(line.amount for line in ec2_lines) == ec2.amount == Decimal("40.12")
    assert sum(line.amount for line in split) == sum(line.amount for line in lines)
    assert [line.tags for line in ec2_lines if "|tag:" in line.line] == [
        (("project", "acme"),),
        (("project", "globex"),),
    ]


def test_tagged_parts_larger_than_the_service_are_capped_so_nothing_goes_negative() -> None:
    lines = october_lines()
    parts = tag_parts([tag_page((S3, "project$acme", "99.00"))], "project", ["acme"])
    s3 = [line for line in split_by_tags(lines, parts) if line.name == S3]
    assert [(line.line, line.amount) for line in s3] == [
        ("service:" + S3 + "|tag:project=acme", Decimal("12.35"))
    ]


def test_a_later_tag_key_excludes_what_earlier_keys_took_one_request_per_key() -> None:
    asked: list[dict[str, Any]] = []

    class Source:
        def tagged_usage_pages(self, month: str, key: str, exclude: Any) -> list[dict[str, Any]]:
            asked.append(tag_usage_request(month, key, exclude))
            return [tag_page()]

    team = rule(match="tag", tagKey="team", value="data", category="Other")
    globex = rule(match="tag", tagKey="project", value="globex", category="Other")
    with_tag_split(Source(), "2026-10", october_lines(), [ACME, team, globex, EC2_INFRA])
    assert [a["GroupBy"][1] for a in asked] == [
        {"Type": "TAG", "Key": "project"},
        {"Type": "TAG", "Key": "team"},
    ]
    usage = {"Dimensions": {"Key": "RECORD_TYPE", "Values": ["Usage"]}}
    assert asked[0]["Filter"] == usage
    assert asked[1]["Filter"] == {
        "And": [usage, {"Not": {"Tags": {"Key": "project", "Values": ["acme", "globex"]}}}]
    }
    assert asked[0]["TimePeriod"] == {"Start": "2026-10-01", "End": "2026-11-01"}


def test_without_tag_rules_no_tag_request_is_made() -> None:
    class Source:
        def tagged_usage_pages(self, month: str, key: str, exclude: Any) -> list[dict[str, Any]]:
            raise AssertionError("no tag rule, no request")

    lines = october_lines()
    assert with_tag_split(Source(), "2026-10", lines, [EC2_INFRA, ACCOUNT_OTHER]) == lines


def test_apply_rules_labels_drafts_and_leaves_out_credits_when_asked() -> None:
    lines = split_by_tags(
        october_lines(), tag_parts([tag_page((EC2, "project$acme", "10.00"))], "project", ["acme"])
    )
    drafts = drafts_for_month("u1", ACCOUNT, "2026-10", lines)
    rules = CostRules(rules=[ACME], credits="omit")
    kept, omitted = apply_rules(drafts, lines, rules, None)
    by_line = {d.line: d for d in kept}
    acme = by_line["service:" + EC2 + "|tag:project=acme"]
    assert (acme.category, acme.tags, acme.vendor) == ("Client work", ("aws", "acme"), "AWS - " + EC2)
    assert acme.description == f"AWS {EC2} charges for October 2026 (project=acme)"
    rest = by_line["service:" + EC2]
    assert (rest.category, rest.amount, rest.description) == (
        "Software",
        Decimal("30.12"),
        f"AWS {EC2} charges for October 2026",
    )
    assert "record:Credit" not in by_line and "record:Tax" in by_line
    assert omitted == {d.id for d in drafts if d.record_type == "Credit"} and len(omitted) == 1
    shown, none_left_out = apply_rules(drafts, lines, CostRules(rules=[ACME]), None)
    assert none_left_out == set() and len(shown) == len(drafts)


def test_a_rule_scoped_to_another_connection_does_not_apply() -> None:
    scoped = ACME.model_copy(update={"connection_id": "conn-2"})
    lines = split_by_tags(
        october_lines(), tag_parts([tag_page((EC2, "project$acme", "10.00"))], "project", ["acme"])
    )
    drafts = drafts_for_month("u1", ACCOUNT, "2026-10", lines)
    mine, _ = apply_rules(drafts, lines, CostRules(rules=[scoped]), "conn-1")
    theirs, _ = apply_rules(drafts, lines, CostRules(rules=[scoped]), "conn-2")
    assert {d.category for d in mine} == {"Software"}
    assert "Client work" in {d.category for d in theirs}


def stored(line: str, record_type: str = "Usage", currency: str = "USD") -> Any:
    from outlay.models.expenses import Expense

    return Expense.model_validate(
        {
            "id": "aws-" + "a" * 26,
            "date": "2026-10-31",
            "amount": "1.00",
            "currency": currency,
            "category": "Software",
            "source": "aws",
            "createdAt": "2026-11-01T00:00:00Z",
            "updatedAt": "2026-11-01T00:00:00Z",
            "aws": {"accountId": ACCOUNT, "month": "2026-10", "line": line, "recordType": record_type},
        }
    )


def test_stored_lines_give_back_their_service_and_tag() -> None:
    from outlay.logic.cost_rules import stored_facts

    tagged = stored_facts(stored(f"service:{EC2}|tag:project=acme"))
    assert tagged == LineFacts(account=ACCOUNT, record_type="Usage", service=EC2, tags={"project": "acme"})
    second_currency = stored_facts(stored(f"service:{EC2}:EUR", currency="EUR"))
    assert second_currency is not None and second_currency.service == EC2
    credit = stored_facts(stored("record:Credit", record_type="Credit"))
    assert credit is not None and credit.service is None and credit.record_type == "Credit"


def test_the_preview_says_tag_rules_may_move_lines_not_split_yet() -> None:
    from outlay.logic.cost_rules import preview

    result = preview(
        CostRules(rules=[ACME]), [stored(f"service:{EC2}|tag:project=acme"), stored(f"service:{S3}")]
    )
    assert result["moves"] == [{"category": "Client work", "lines": 1}] and result["tagRules"] is True
