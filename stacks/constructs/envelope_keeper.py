"""The envelope function: seals and opens users' AWS secrets for the functions that need them.

Issue 19 holds every Lambda asset to 15 MB unzipped; cryptography (~14 MB for arm64) and the core
dependencies (Powertools + pydantic, ~11 MB) do not fit in one. So this one small function holds the
KMS key grant (grants.envelope_key) and runs from the asset with cryptography (OutlayFunction's
`envelope`), and the costs API and the import worker invoke it synchronously (outlay.dal.envelope_function)
with nothing more than lambda:InvokeFunction on it (`grant_invoke`). They no longer call KMS: an envelope
opens only for the sub it was sealed for (AAD + encryption context, as before), and the sub is theirs to
pass (from verified token claims, or the queued user's own item): IAM decides who may ask (these two
only), KMS and the AAD decide whose secret opens.
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_kms as kms
from constructs import Construct

from stacks.config import EnvironmentConfig
from stacks.constructs import grants
from stacks.constructs.python_function import EnvelopeAccess, OutlayFunction

# Env var naming the envelope function in its callers (outlay.models.settings ENVELOPE_FUNCTION).
ENVELOPE_FUNCTION_VARIABLE = "ENVELOPE_FUNCTION"


class EnvelopeKeeper(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, config: EnvironmentConfig, key: kms.IKey
    ) -> None:
        super().__init__(scope, construct_id)
        self.handler = OutlayFunction(
            self,
            "Keeper",
            name="envelope",
            config=config,
            # One KMS call per invoke: a stuck one fails well before its callers give up (the adapter
            # reads for 8 s, twice: outlay.dal.envelope_function) and the API's 29 s.
            timeout=Duration.seconds(5),
            envelope=EnvelopeAccess(key),
            no_dlq_reason="Invoked synchronously (RequestResponse) by the costs API and the import "
            "worker: the caller receives every failure and answers or retries it itself.",
            environment={"KMS_KEY_ID": key.key_id},
        )

    def grant_invoke(self, caller: OutlayFunction) -> None:
        """`caller` may invoke this function (and nothing else of Lambda) and learns its name."""
        grants.invoke(caller.function, self.handler.function)
        caller.function.add_environment(ENVELOPE_FUNCTION_VARIABLE, self.handler.function.function_name)
