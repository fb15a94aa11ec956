"""The optional role statements behind insights, and what to tell the user when one is missing.

Importing the bill needs only `ce:GetCostAndUsage` (+ forecast). Everything here is optional: a role
without it still imports, and each insight it cannot read says which statement would allow it.
"""

from __future__ import annotations

from typing import Any

from outlay.logic.errors import CredentialsRejectedError

WASTE_SID = "OutlayFindWaste"
ANOMALIES_SID = "OutlayReadAnomalies"
COMMITMENTS_SID = "OutlayReadCommitments"

OPTIONAL_STATEMENTS: tuple[dict[str, Any], ...] = (
    {
        "Sid": WASTE_SID,
        "Effect": "Allow",
        "Action": [
            "ec2:DescribeVolumes",
            "ec2:DescribeAddresses",
            "ec2:DescribeSnapshots",
            "ec2:DescribeInstances",
        ],
        "Resource": "*",  # EC2 Describe* actions support no resource-level permissions
    },
    {"Sid": ANOMALIES_SID, "Effect": "Allow", "Action": ["ce:GetAnomalies"], "Resource": "*"},
    {
        "Sid": COMMITMENTS_SID,
        "Effect": "Allow",
        "Action": [
            "ce:GetReservationUtilization",
            "ce:GetReservationCoverage",
            "ce:GetSavingsPlansUtilization",
            "ce:GetSavingsPlansCoverage",
        ],
        "Resource": "*",  # Cost Explorer has no resource-level permissions
    },
)

EXPLANATION = (
    "Optional, read-only: lets Outlay find idle EBS volumes, Elastic IPs, old snapshots and stopped "
    "instances (it lists them, never changes them), and read Cost Anomaly Detection findings and your "
    "reservation / Savings Plans usage. Without it your bill still imports; the Insights section says "
    "what it cannot see."
)

# AWS action -> (what the user reads, the statement that allows it)
WHAT: dict[str, tuple[str, str]] = {
    "ec2:DescribeVolumes": ("EC2 volumes", WASTE_SID),
    "ec2:DescribeAddresses": ("Elastic IPs", WASTE_SID),
    "ec2:DescribeSnapshots": ("EBS snapshots", WASTE_SID),
    "ec2:DescribeInstances": ("EC2 instances", WASTE_SID),
    "ce:GetAnomalies": ("Cost Anomaly Detection findings", ANOMALIES_SID),
    "ce:GetReservationUtilization": ("reservation utilization", COMMITMENTS_SID),
    "ce:GetReservationCoverage": ("reservation coverage", COMMITMENTS_SID),
    "ce:GetSavingsPlansUtilization": ("Savings Plans utilization", COMMITMENTS_SID),
    "ce:GetSavingsPlansCoverage": ("Savings Plans coverage", COMMITMENTS_SID),
}


def optional_policy() -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [dict(s) for s in OPTIONAL_STATEMENTS]}


def denied_message(action: str, region: str | None = None) -> str:
    """ "Outlay may not read EC2 volumes in eu-west-1: add the optional statement OutlayFindWaste …"."""
    what, sid = WHAT.get(action, (action, ""))
    where = f" in {region}" if region else ""
    fix = (
        f"add the optional statement {sid} to the role's policy (Settings, AWS role setup)"
        if sid
        else f"allow {action} in the role's policy"
    )
    return f"Outlay may not read {what}{where}: {fix}"


def add_to_template(template: dict[str, Any]) -> dict[str, Any]:
    """The role template with a yes/no parameter that adds the optional statements (default yes)."""
    template["Parameters"]["AllowInsights"] = {
        "Type": "String",
        "Default": "yes",
        "AllowedValues": ["yes", "no"],
        "Description": EXPLANATION,
    }
    template.setdefault("Conditions", {})["InsightsAllowed"] = {
        "Fn::Equals": [{"Ref": "AllowInsights"}, "yes"]
    }
    role = template["Resources"]["OutlayRole"]["Properties"]
    role["Policies"].append(
        {
            "Fn::If": [
                "InsightsAllowed",
                {"PolicyName": "OutlayInsightsRead", "PolicyDocument": optional_policy()},
                {"Ref": "AWS::NoValue"},
            ]
        }
    )
    return template


class NotPermittedError(CredentialsRejectedError):
    """AWS denied one read-only action; `message` is already in the user's words."""

    code = "aws_not_permitted"

    def __init__(self, action: str, region: str | None = None) -> None:
        super().__init__(denied_message(action, region))
        self.action = action
        self.region = region
