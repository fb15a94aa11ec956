"""AWS error codes -> domain errors with messages a user can act on. Pure: the DAL passes the code.

The AWS error *message* is never forwarded: STS and Cost Explorer messages can echo the access key id
or the caller's ARN, so every message here is our own text, plus the AWS error code for support.

Permanent errors (bad keys, denied, expired) become CredentialsRejectedError (HTTP 400): retrying
cannot help, the user must fix something. Throttling and AWS-side outages become
UpstreamUnavailableError (HTTP 503): the scheduled worker retries those through SQS.
"""

from __future__ import annotations

from outlay.logic.errors import (
    CredentialsRejectedError,
    InvalidInputError,
    OutlayError,
    UpstreamUnavailableError,
)

INVALID_KEYS = frozenset(
    {
        "InvalidClientTokenId",
        "SignatureDoesNotMatch",
        "IncompleteSignature",
        "InvalidAccessKeyId",
        "UnrecognizedClientException",
        "MissingAuthenticationToken",
        "AuthFailure",
    }
)
DENIED = frozenset({"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "NotAuthorized"})
EXPIRED = frozenset({"ExpiredToken", "ExpiredTokenException", "RequestExpired", "TokenRefreshRequired"})
THROTTLED = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "RequestThrottled",
        "RequestThrottledException",
        "LimitExceededException",  # Cost Explorer's "rate exceeded"
        "SlowDown",
        "ProvisionedThroughputExceededException",
    }
)
UNAVAILABLE = frozenset(
    {
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "InternalFailure",
        "InternalError",
        "InternalServerError",
        "InternalServiceError",
        "RequestTimeout",
        "RequestTimeoutException",
        "IDPCommunicationError",
    }
)
REGION_DISABLED = frozenset({"RegionDisabledException"})
NO_DATA = frozenset({"DataUnavailableException", "BillExpirationException", "RequestChangedException"})


class CostDataUnavailableError(InvalidInputError):
    """Cost Explorer has no data for the asked period (too old, too new, or not enabled yet)."""

    code = "aws_cost_data_unavailable"


class StoredSecretUnreadableError(CredentialsRejectedError):
    """The stored envelope no longer decrypts (tampered, copied between users, or key disabled)."""

    code = "aws_credentials_unreadable"


def _denied_hint(operation: str) -> str:
    if operation == "AssumeRole":
        return (
            "Access denied: AWS refused to let Outlay assume the role. Check the role's trust policy "
            "names Outlay's account as principal with your ExternalId in the sts:ExternalId condition, "
            "and that the role ARN is correct"
        )
    if operation == "GetCostForecast":
        return "Access denied: check the IAM policy allows ce:GetCostForecast"
    if operation == "GetCallerIdentity":
        return "Access denied: AWS refused to identify these credentials; check they are active"
    return (
        "Access denied: check the role's trust policy / IAM policy allows ce:GetCostAndUsage "
        "(and that Cost Explorer is enabled in the account)"
    )


def error_for(code: str, operation: str) -> OutlayError:
    """The domain error for an AWS error code raised by `operation` (an AWS API operation name)."""
    suffix = f" (AWS error {code} on {operation})"
    if code in INVALID_KEYS:
        return CredentialsRejectedError(
            "Invalid AWS credentials: the access key ID or secret access key was not recognised. "
            "Check both were copied completely and the key is active in IAM" + suffix
        )
    if code in DENIED:
        return CredentialsRejectedError(_denied_hint(operation) + suffix)
    if code in EXPIRED:
        return CredentialsRejectedError(
            "AWS credentials expired: create a new access key (or reconnect the role) and save it again"
            + suffix
        )
    if code in REGION_DISABLED:
        return CredentialsRejectedError(
            "AWS STS is disabled in the chosen region for this account: enable it or pick us-east-1" + suffix
        )
    if code in THROTTLED:
        return UpstreamUnavailableError(
            "AWS is throttling requests right now; please try again in a minute" + suffix
        )
    if code in UNAVAILABLE:
        return UpstreamUnavailableError("AWS is temporarily unavailable; please try again later" + suffix)
    if code in NO_DATA:
        return CostDataUnavailableError(
            "Cost Explorer has no data for that period (it keeps about 13 months, and a new account "
            "needs up to 24 hours after Cost Explorer is enabled)" + suffix
        )
    if code in {"ValidationException", "InvalidParameterValue", "MalformedPolicyDocument"}:
        return CredentialsRejectedError("AWS rejected the request as invalid; check the role ARN" + suffix)
    # Unknown: treat as transient so the scheduled path retries and then dead-letters for a human.
    return UpstreamUnavailableError("AWS returned an unexpected error; please try again later" + suffix)


def connection_error(operation: str) -> UpstreamUnavailableError:
    return UpstreamUnavailableError(
        f"Could not reach AWS ({operation}); please try again later (network error)"
    )


def is_transient(error: BaseException) -> bool:
    """True when retrying later may succeed (throttling, outages); False when the user must act."""
    return isinstance(error, UpstreamUnavailableError)
