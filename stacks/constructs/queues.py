"""One way to make an SQS queue: encrypted at rest (SSE-SQS, said explicitly) and TLS-only."""

from __future__ import annotations

from typing import Any

from aws_cdk import aws_sqs as sqs
from constructs import Construct

from stacks.constructs import deliberate as record


def encrypted_queue(scope: Construct, construct_id: str, **kwargs: Any) -> sqs.Queue:
    queue = sqs.Queue(
        scope, construct_id, encryption=sqs.QueueEncryption.SQS_MANAGED, enforce_ssl=True, **kwargs
    )
    record.deliberate(
        queue,
        record.QUEUE_CMK,
        "Encrypted at rest with SQS-managed keys (SSE-SQS), free; the messages carry user ids, run "
        "ids and months, never a secret, so a KMS key ($1/month, and KMS calls per message) adds "
        "nothing.",
    )
    return queue
