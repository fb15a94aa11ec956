"""The role template's optional insights statements: read-only, on by default, removable."""

from __future__ import annotations

from outlay.logic import role_setup
from outlay.logic.insights.permissions import denied_message, optional_policy

ACCOUNT = "999988887777"
EXTERNAL_ID = "x" * 43


def test_the_template_adds_the_optional_read_only_statements_behind_a_yes_no_parameter() -> None:
    template = role_setup.template(ACCOUNT, EXTERNAL_ID)
    assert template["Parameters"]["AllowInsights"]["Default"] == "yes"
    assert template["Parameters"]["AllowInsights"]["AllowedValues"] == ["yes", "no"]
    assert template["Conditions"]["InsightsAllowed"] == {"Fn::Equals": [{"Ref": "AllowInsights"}, "yes"]}
    policies = template["Resources"]["OutlayRole"]["Properties"]["Policies"]
    assert policies[0]["PolicyName"] == "OutlayCostExplorerRead"  # the import's policy is unchanged
    # After the import's policy (and the optional Organizations one): the insights' own, behind its switch.
    condition, added, absent = next(
        p["Fn::If"] for p in policies[1:] if p.get("Fn::If", [None])[0] == "InsightsAllowed"
    )
    assert (condition, added["PolicyDocument"], absent) == (
        "InsightsAllowed",
        optional_policy(),
        {"Ref": "AWS::NoValue"},
    )


def test_every_optional_action_only_reads() -> None:
    actions = [a for s in optional_policy()["Statement"] for a in s["Action"]]
    assert actions and all(a.split(":")[1].startswith(("Describe", "Get")) for a in actions)
    assert {s["Sid"] for s in optional_policy()["Statement"]} == {
        "OutlayFindWaste",
        "OutlayReadAnomalies",
        "OutlayReadCommitments",
    }


def test_role_setup_explains_the_optional_policy_and_the_required_one_stays_as_it_was() -> None:
    body = role_setup.role_setup(ACCOUNT, EXTERNAL_ID)
    assert body["policy"]["Statement"][0]["Action"] == ["ce:GetCostAndUsage", "ce:GetCostForecast"]
    assert body["optionalPolicy"] == optional_policy()
    assert "still imports" in body["optionalPolicyExplained"]


def test_a_denied_action_names_what_could_not_be_read_where_and_which_statement_allows_it() -> None:
    assert denied_message("ec2:DescribeSnapshots", "eu-west-1") == (
        "Outlay may not read EBS snapshots in eu-west-1: add the optional statement OutlayFindWaste "
        "to the role's policy (Settings, AWS role setup)"
    )
    assert denied_message("ce:GetSavingsPlansCoverage").startswith(
        "Outlay may not read Savings Plans coverage: add the optional statement OutlayReadCommitments"
    )
