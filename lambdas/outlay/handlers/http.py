"""What every HTTP handler shares: the resolver, identity from verified claims, body parsing, and the
one place where domain exceptions become HTTP statuses and `{"error", "message", "details"}` bodies."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from http import HTTPStatus
from typing import Any, TypeVar

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, CORSConfig, Response, content_types
from pydantic import BaseModel, ValidationError

from outlay.logic.errors import (
    ConflictError,
    CredentialsRejectedError,
    ForbiddenError,
    InvalidInputError,
    NotFoundError,
    OutlayError,
    PayloadTooLargeError,
    UpstreamUnavailableError,
)

logger = Logger()

# Request bodies beyond this are refused with 413 before parsing (API Gateway itself allows 10 MB).
MAX_BODY_BYTES = 64 * 1024

STATUS_BY_ERROR: dict[type[OutlayError], HTTPStatus] = {
    InvalidInputError: HTTPStatus.BAD_REQUEST,
    CredentialsRejectedError: HTTPStatus.BAD_REQUEST,
    NotFoundError: HTTPStatus.NOT_FOUND,
    ForbiddenError: HTTPStatus.FORBIDDEN,
    ConflictError: HTTPStatus.CONFLICT,
    PayloadTooLargeError: HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
    UpstreamUnavailableError: HTTPStatus.SERVICE_UNAVAILABLE,
}

ModelT = TypeVar("ModelT", bound=BaseModel)


@dataclass(frozen=True)
class Caller:
    """The authenticated user, taken only from the authorizer's verified token claims."""

    sub: str
    email: str
    groups: frozenset[str]

    @property
    def is_admin(self) -> bool:
        return "admins" in self.groups


def error_response(
    status: HTTPStatus, code: str, message: str, details: list[dict[str, Any]] | None = None
) -> Response:
    return Response(
        status_code=status.value,
        content_type=content_types.APPLICATION_JSON,
        body=json.dumps({"error": code, "message": message, "details": details or []}),
    )


def status_for(error: OutlayError) -> HTTPStatus:
    for cls in type(error).__mro__:
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return HTTPStatus.INTERNAL_SERVER_ERROR


def validation_details(error: ValidationError) -> list[dict[str, Any]]:
    """pydantic errors -> [{"field": "amount", "message": "..."}], never echoing the input value."""
    details = []
    for item in error.errors(include_input=False, include_url=False):
        field = ".".join(str(part) for part in item["loc"]) or "body"
        details.append({"field": field, "message": item["msg"], "type": item["type"]})
    return details


def build_resolver(origins: list[str]) -> APIGatewayRestResolver:
    """A resolver with CORS locked to the configured origin(s) and the domain-error mapping registered.

    No origins means no cross-origin caller at all: the deployed site reaches the API same-origin
    through CloudFront's /api/* behaviour, so responses then carry no CORS headers.
    """
    cors = (
        CORSConfig(
            allow_origin=origins[0],
            extra_origins=origins[1:],
            allow_headers=["Authorization", "Content-Type", "Idempotency-Key"],
            max_age=600,
        )
        if origins
        else None
    )
    app = APIGatewayRestResolver(cors=cors, strip_prefixes=None)

    @app.exception_handler(OutlayError)
    def _domain_error(error: OutlayError) -> Response:
        status = status_for(error)
        if status >= HTTPStatus.INTERNAL_SERVER_ERROR:
            logger.exception("unmapped domain error", extra={"code": error.code})
        return error_response(status, error.code, error.message, error.details)

    @app.exception_handler(ValidationError)
    def _validation_error(error: ValidationError) -> Response:
        details = validation_details(error)
        fields = ", ".join(sorted({d["field"] for d in details}))
        return error_response(
            HTTPStatus.BAD_REQUEST, "invalid_input", f"Invalid value for: {fields}", details
        )

    @app.not_found
    def _no_route(_: Exception) -> Response:
        return error_response(HTTPStatus.NOT_FOUND, "not_found", "No such route")

    return app


def caller(app: APIGatewayRestResolver) -> Caller:
    """The user id is the verified `sub` claim and nothing else: never a body, query or path value."""
    claims = app.current_event.request_context.authorizer.claims or {}
    sub = claims.get("sub")
    if not sub:
        # API Gateway's authorizer guarantees claims; reaching here means a misconfigured route.
        raise ForbiddenError("This route requires a signed-in user")
    raw_groups = claims.get("cognito:groups") or ""
    # The authorizer passes list claims as a string: "[a b]" or "a,b" depending on the source.
    groups = frozenset(g for g in raw_groups.strip("[]").replace(",", " ").split() if g)
    return Caller(sub=sub, email=claims.get("email", ""), groups=groups)


def parse_body(app: APIGatewayRestResolver, model: type[ModelT], *, required: bool = True) -> ModelT:
    """Parse and validate the JSON body: 413 when oversize, 400 when malformed or invalid."""
    raw = app.current_event.decoded_body or ""
    if len(raw.encode()) > MAX_BODY_BYTES:
        raise PayloadTooLargeError(f"Request body exceeds {MAX_BODY_BYTES // 1024} KB")
    if not raw.strip():
        if required:
            raise InvalidInputError(
                "A JSON request body is required", [{"field": "body", "message": "missing"}]
            )
        raw = "{}"
    try:
        # JSON numbers with a fraction become Decimal exactly (12.10 never passes through a float).
        data = json.loads(raw, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise InvalidInputError(
            "Request body is not valid JSON",
            [{"field": "body", "message": f"line {exc.lineno} column {exc.colno}: {exc.msg}"}],
        ) from exc
    if not isinstance(data, dict):
        raise InvalidInputError(
            "Request body must be a JSON object", [{"field": "body", "message": "not an object"}]
        )
    return model.model_validate(data)


def parse_query(app: APIGatewayRestResolver, model: type[ModelT]) -> ModelT:
    params = app.current_event.query_string_parameters or {}
    return model.model_validate(params)


def json_response(status: HTTPStatus, payload: Any) -> Response:
    return Response(
        status_code=status.value, content_type=content_types.APPLICATION_JSON, body=to_json(payload)
    )


def to_json(payload: Any) -> str:
    if isinstance(payload, BaseModel):
        return payload.model_dump_json(by_alias=True)
    return json.dumps(payload, default=_json_default)


def _json_default(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True)
    # Decimal and dates: emit their exact string form, never a float.
    return str(value)
