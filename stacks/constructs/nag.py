"""cdk-nag v3 acknowledgements, always on one construct and one rule (or one finding of a rule).

cdk-nag v3 dropped `NagSuppressions`: an acknowledgement is CDK's own `Validations.of(c).acknowledge`,
recorded as metadata on `c` and honoured for `c` and its children. So we acknowledge on the single
CfnResource (or on the one L2 whose CDK-generated children are meant), never on a stack or stage.
Granular IAM5 findings are acknowledged one by one as `AwsSolutions-IAM5[Resource::...]`.
"""

from __future__ import annotations

from aws_cdk import Acknowledgment, Stack, Validations
from constructs import IConstruct

MIN_REASON = 20  # characters: shorter than this is a label, not a reason


def acknowledge(construct: IConstruct, rule: str, reason: str) -> None:
    if Stack.is_stack(construct):
        raise ValueError(f"refusing a stack-wide acknowledgement of {rule}: pick the resource")
    if len(reason) < MIN_REASON:
        raise ValueError(f"acknowledgement of {rule} needs a real reason, got {reason!r}")
    Validations.of(construct).acknowledge(Acknowledgment(id=rule, reason=reason))


def acknowledge_findings(construct: IConstruct, rule: str, findings: list[str], reason: str) -> None:
    """One acknowledgement per granular finding, e.g. rule AwsSolutions-IAM5, finding Resource::*."""
    for finding in findings:
        acknowledge(construct, f"{rule}[{finding}]", reason)
