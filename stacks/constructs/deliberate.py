"""Deliberate exceptions: guard rails an infrastructure scanner expects that Outlay goes without.

Run over the synthesized templates, a scanner such as checkov reports real gaps and also choices made
on purpose (no VPC, no WAF, no API cache, the default CloudFront certificate, log groups without a
customer managed key, ...). Each such choice is recorded once, on the one resource it concerns, with
its reason, the way cdk-nag acknowledgements are (nag.py): as that resource's CloudFormation metadata
in checkov's own suppression format,

    Metadata: {"checkov": {"skip": [{"id": "CKV_AWS_117", "comment": "<the reason>"}]}}

so checkov lists the check as skipped with our reason instead of failing it, and
tests/infra/test_guard_rails.py reads the same records to prove that every gap is either closed or
recorded with a reason. Where cdk-nag reports the same choice, `nag=` acknowledges its rules on the
same resource with the same reason, so the choice is still written down once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aws_cdk import CfnResource
from constructs import IConstruct

from stacks.constructs.nag import MIN_REASON, acknowledge

METADATA_KEY = "checkov"


@dataclass(frozen=True)
class Check:
    """One scanner check (its checkov id) and the guard rail it expects."""

    id: str
    expects: str


CONCURRENCY_CAP = Check("CKV_AWS_115", "a function-level concurrency limit on every Lambda function")
LAMBDA_DLQ = Check("CKV_AWS_116", "a dead-letter queue on every Lambda function")
LAMBDA_VPC = Check("CKV_AWS_117", "every Lambda function inside a VPC")
LAMBDA_ENV_CMK = Check("CKV_AWS_173", "Lambda environment variables encrypted with a customer managed key")
TABLE_CMK = Check("CKV_AWS_119", "DynamoDB tables encrypted with a customer managed key")
API_CACHE = Check("CKV_AWS_120", "API Gateway stage caching")
LOG_GROUP_CMK = Check("CKV_AWS_158", "CloudWatch log groups encrypted with a customer managed key")
CLOUDFRONT_TLS = Check("CKV_AWS_174", "a CloudFront viewer certificate with TLSv1.2 as the minimum")
CLOUDFRONT_WAF = Check("CKV_AWS_68", "a WAF web ACL on every CloudFront distribution")
BUCKET_ACCESS_LOGS = Check("CKV_AWS_18", "server access logging on every S3 bucket")
BUCKET_VERSIONING = Check("CKV_AWS_21", "versioning on every S3 bucket")
QUEUE_CMK = Check("CKV_AWS_27", "SQS queues encrypted with a KMS key")
TOPIC_ENCRYPTION = Check("CKV_AWS_26", "SNS topics encrypted with a KMS key")


def cfn_resource(construct: IConstruct) -> CfnResource:
    """The CloudFormation resource a record belongs on: the construct itself or its default child."""
    for candidate in (construct, construct.node.default_child):
        if candidate is not None and CfnResource.is_cfn_resource(candidate):
            return candidate  # type: ignore[return-value]
    raise ValueError(f"{construct.node.path} is not one CloudFormation resource: pick the resource")


def recorded(resource: CfnResource) -> dict[str, str]:
    """check id -> reason, for every deliberate exception recorded on `resource`."""
    metadata = resource.get_metadata(METADATA_KEY) or {}
    return {entry["id"]: entry["comment"] for entry in metadata.get("skip", [])}


def deliberate(construct: IConstruct, check: Check, reason: str, *, nag: Sequence[str] = ()) -> None:
    """Record that `construct` goes without `check`'s guard rail on purpose, and why (once)."""
    if len(reason) < MIN_REASON:
        raise ValueError(f"deliberate exception {check.id} needs a real reason, got {reason!r}")
    resource = cfn_resource(construct)
    skips = [{"id": i, "comment": r} for i, r in recorded(resource).items()]
    if check.id in {s["id"] for s in skips}:
        raise ValueError(f"{check.id} is already recorded on {resource.node.path}: record it once")
    resource.add_metadata(METADATA_KEY, {"skip": [*skips, {"id": check.id, "comment": reason}]})
    for rule in nag:
        acknowledge(resource, rule, reason)
