"""Domain exceptions. Logic raises these; handlers/http.py maps each type to an HTTP status in one place."""

from __future__ import annotations

from typing import Any


class OutlayError(Exception):
    """Base class: `code` is the stable machine-readable error code, the message is for people."""

    code = "error"

    def __init__(self, message: str, details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []


class InvalidInputError(OutlayError):
    """The request is malformed or fails validation; `details` names the offending fields."""

    code = "invalid_input"


class NotFoundError(OutlayError):
    """Missing, or owned by somebody else: the two are indistinguishable on purpose (no IDOR oracle)."""

    code = "not_found"


class ForbiddenError(OutlayError):
    """Allowed for some callers but not this one (e.g. an admins-only action)."""

    code = "forbidden"


class ConflictError(OutlayError):
    code = "conflict"


class PayloadTooLargeError(OutlayError):
    code = "payload_too_large"


class CredentialsRejectedError(OutlayError):
    """AWS said no to the user's credentials or role; the message tells the user what to fix."""

    code = "aws_credentials_rejected"


class UpstreamUnavailableError(OutlayError):
    """An AWS dependency is throttling or down after our retries; safe to try again later."""

    code = "upstream_unavailable"
