"""GET/PUT /aws-cost-rules on moto, and what the import does with the rules: a rule change reaches
the lines the user has not edited, never the edited or deleted ones; a tag rule splits a service's
line (one more Cost Explorer request per tag key); credits left out are removed unless edited."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from moto.ce.models import ce_backends
from outlay.models.expenses import Expense

from .conftest import MOTO_DEFAULT_ACCOUNT, OCTOBER_GROUPS, Moto, call, ce_result, clear_ce_cache, repo

EC2 = "Amazon Elastic Compute Cloud - Compute"
S3 = "Amazon Simple Storage Service"
EC2_RULE = {"match": "service", "value": EC2, "category": "Utilities", "tags": ["infra"]}


def october(moto_aws: Moto, *extra: dict[str, Any]) -> None:
    clear_ce_cache()
    moto_aws.queue_ce([ce_result("2026-10-01", "2026-11-01", OCTOBER_GROUPS), *extra], MOTO_DEFAULT_ACCOUNT)


def reimport() -> dict[str, Any]:
    status, run = call("POST", "/aws-cost-import", body={"month": "2026-10"})
    assert status == 200, run
    return dict(run)


def lines(moto_aws: Moto) -> dict[str, Expense]:
    return {e.aws.line: e for e in repo(moto_aws).month_expenses("user-a", "2026", "10") if e.aws}


def put_rules(*rules: dict[str, Any], credits: str = "show", sub: str = "user-a") -> tuple[int, Any]:
    return call("PUT", "/aws-cost-rules", body={"rules": list(rules), "credits": credits}, sub=sub)


def test_no_rules_saved_reads_as_none_and_credits_shown(connected: Moto) -> None:
    assert call("GET", "/aws-cost-rules") == (200, {"rules": [], "credits": "show", "updatedAt": None})


def test_put_replaces_the_ordered_list_per_user(connected: Moto) -> None:
    acme = {"match": "tag", "tagKey": "project", "value": "acme", "category": "software", "tags": ["acme"]}
    status, saved = put_rules(EC2_RULE, acme, credits="omit")
    assert status == 200, saved
    assert [r["category"] for r in saved["rules"]] == ["Utilities", "Software"]  # canonical spelling
    assert saved["credits"] == "omit" and saved["updatedAt"].startswith("2026-11-21")
    assert call("GET", "/aws-cost-rules")[1]["rules"] == saved["rules"]
    assert call("GET", "/aws-cost-rules", sub="user-b")[1]["rules"] == []
    assert put_rules(acme)[0] == 200
    after = call("GET", "/aws-cost-rules")[1]
    assert [r["match"] for r in after["rules"]] == ["tag"] and after["credits"] == "show"


def test_a_users_own_category_is_accepted_an_unknown_one_is_a_400_naming_the_field(connected: Moto) -> None:
    status, body = put_rules(EC2_RULE, {"match": "service", "value": S3, "category": "Client work"})
    assert status == 400
    assert [d["field"] for d in body["details"]] == ["rules.1.category"]
    repo(connected).add_category("user-a", "Client work")
    assert put_rules(EC2_RULE, {"match": "service", "value": S3, "category": "client work"})[0] == 200
    assert call("GET", "/aws-cost-rules")[1]["rules"][1]["category"] == "Client work"


def test_bad_rules_are_400s_naming_the_field_and_nothing_is_saved(connected: Moto) -> None:
    assert put_rules(EC2_RULE)[0] == 200
    cases = [
        ({"rules": [{**EC2_RULE, "match": "region"}]}, "rules.0.match"),
        ({"rules": [{**EC2_RULE, "tags": [str(i) for i in range(10)]}]}, "rules.0.tags"),
        ({"rules": [EC2_RULE] * 51}, "rules"),
        ({"rules": [], "credits": "hide"}, "credits"),
        ({"rules": [{**EC2_RULE, "colour": "red"}]}, "rules.0.colour"),
        ({"rules": [{"match": "tag", "value": "acme", "category": "Other"}]}, "rules.0.tagKey"),
        ({"rules": [{"match": "account", "value": "abc", "category": "Other"}]}, "rules.0.value"),
    ]
    for body, field in cases:
        status, error = call("PUT", "/aws-cost-rules", body=body)
        assert status == 400, (body, error)
        assert field in [d["field"] for d in error["details"]], (field, error)
    assert [r["category"] for r in call("GET", "/aws-cost-rules")[1]["rules"]] == ["Utilities"]


def test_a_rule_change_reaches_unedited_lines_never_edited_or_deleted_ones(connected: Moto) -> None:
    october(connected)
    reimport()
    before = lines(connected)
    assert {e.category for e in before.values()} == {"Software"}
    edited = repo(connected).update("user-a", before["service:" + S3].id, {"category": "Travel"})
    repo(connected).delete("user-a", before["record:Tax"].id)  # dismissed

    s3_rule = {"match": "service", "value": S3, "category": "Other"}
    account_rule = {"match": "account", "value": MOTO_DEFAULT_ACCOUNT, "category": "Health", "tags": ["acct"]}
    assert put_rules(EC2_RULE, s3_rule, account_rule)[0] == 200
    run = reimport()
    after = lines(connected)
    ec2 = after["service:" + EC2]
    assert (ec2.category, ec2.tags) == ("Utilities", ["aws", "infra"])  # not edited: the rule's
    assert after["service:" + S3].category == "Travel" == edited.category  # edited: the user's
    assert after["record:Credit"].category == "Health"  # account rules reach credits too
    assert "record:Tax" not in after  # deleted: stays dismissed
    assert run["expensesUpdated"] == 2 and run["expensesDismissedSkipped"] == 1

    assert put_rules()[0] == 200  # rules removed: back to the seed's "Software"
    reimport()
    assert lines(connected)["service:" + EC2].category == "Software"
    assert lines(connected)["service:" + EC2].tags == ["aws"]


def tag_result(*groups: tuple[str, str, str]) -> dict[str, Any]:
    result = ce_result(
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
    result["GroupDefinitions"] = [{"Type": "DIMENSION", "Key": "SERVICE"}, {"Type": "TAG", "Key": "project"}]
    return result


def test_a_tag_rule_splits_the_service_line_and_the_lines_still_add_up(connected: Moto) -> None:
    repo(connected).add_category("user-a", "Client work")
    acme = {"match": "tag", "tagKey": "project", "value": "acme", "category": "Client work", "tags": ["acme"]}
    assert put_rules(acme)[0] == 200
    october(connected, tag_result((EC2, "project$acme", "15.004"), (EC2, "project$", "25.121")))
    run = reimport()
    # One request for SERVICE x RECORD_TYPE, one for SERVICE x TAG:project: two bodies asked.
    assert len(ce_backends[MOTO_DEFAULT_ACCOUNT]["global"].cost_usage_results) == 2
    found = lines(connected)
    tagged = found["service:" + EC2 + "|tag:project=acme"]
    rest = found["service:" + EC2]
    assert (tagged.amount, tagged.category, tagged.tags) == (Decimal("15.00"), "Client work", ["aws", "acme"])
    assert (rest.amount, rest.category) == (Decimal("25.12"), "Software")
    assert tagged.vendor == rest.vendor == "AWS - " + EC2
    assert tagged.amount + rest.amount == Decimal("40.12")
    assert run["totals"] == [{"currency": "USD", "total": "44.97"}]  # the bill, unchanged by the split
    again = reimport()
    assert (again["expensesCreated"], again["expensesUnchanged"]) == (0, 5)  # no duplicates


def test_credits_left_out_remove_unedited_credit_lines_and_keep_edited_ones(connected: Moto) -> None:
    october(connected)
    reimport()
    credit = lines(connected)["record:Credit"]
    assert credit.amount == Decimal("-12.50")
    assert put_rules(credits="omit")[0] == 200
    run = reimport()
    assert "record:Credit" not in lines(connected) and run["expensesRemoved"] == 1
    assert run["totals"] == [{"currency": "USD", "total": "57.47"}]

    assert put_rules(credits="show")[0] == 200
    reimport()
    credit = lines(connected)["record:Credit"]
    repo(connected).update("user-a", credit.id, {"description": "promo credit, keep"})
    assert put_rules(credits="omit")[0] == 200
    run = reimport()
    assert lines(connected)["record:Credit"].description == "promo credit, keep"
    assert run["expensesRemoved"] == 0


def test_the_preview_counts_what_the_next_import_would_change_last_month(connected: Moto) -> None:
    october(connected)
    reimport()
    s3 = lines(connected)["service:" + S3]
    repo(connected).update("user-a", s3.id, {"category": "Travel"})
    assert call("GET", "/aws-cost-rules/preview")[1] == {
        "month": "2026-10",
        "moves": [],
        "removed": 0,
        "keptUserEdits": 1,  # without rules S3 would be Software; the user's Travel stays
        "tagRules": False,
    }
    s3_rule = {"match": "service", "value": S3, "category": "Other"}
    assert put_rules(EC2_RULE, s3_rule, credits="omit")[0] == 200
    status, preview = call("GET", "/aws-cost-rules/preview")
    assert status == 200
    assert preview == {
        "month": "2026-10",
        "moves": [{"category": "Utilities", "lines": 1}],
        "removed": 1,
        "keptUserEdits": 1,
        "tagRules": False,
    }
    run = reimport()  # the import does what the preview said
    after = lines(connected)
    assert after["service:" + EC2].category == "Utilities" and "record:Credit" not in after
    assert after["service:" + S3].category == "Travel" and run["expensesRemoved"] == 1
    assert call("GET", "/aws-cost-rules/preview")[1]["moves"] == []
