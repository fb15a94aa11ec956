"""What every HTTP handler shares: the resolver, identity from verified claims, body parsing, and the
one place where domain exceptions become HTTP statuses and `{"error", "message", "details"}` bodies."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from decimal import Decimal
from http import HTTPStatus
from typing import Any, TypeVar

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, CORSConfig, Response, content_types
from pydantic import BaseModel, RootModel, ValidationError

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
# JSON's own whitespace (RFC 8259); str.strip() would also drop \x1c-\x1f, \x85 and other Unicode spaces.
JSON_WHITESPACE = " \t\n\r"
# No field takes a number this long; refusing it early keeps int() from working on 4,300-digit strings.
MAX_JSON_INTEGER_DIGITS = 40

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


def validation_details(error: ValidationError, *, tagged_union: bool = False) -> list[dict[str, Any]]:
    """pydantic errors -> [{"field": "amount", "message": "..."}], never echoing the input value.

    A discriminated union (`tagged_union`) puts the chosen tag first in each location ("keys",
    "accessKeyId"); the client's field is what follows. A missing or unknown tag names the
    discriminator field itself ("type"), not the whole body.
    """
    details = []
    for item in error.errors(include_input=False, include_url=False):
        loc = item["loc"]
        if item["type"] in ("union_tag_invalid", "union_tag_not_found"):
            loc = (*loc, str((item.get("ctx") or {}).get("discriminator", "")).strip("'"))
        elif tagged_union and loc:
            loc = loc[1:]
        field = ".".join(str(part) for part in loc if part != "") or "body"
        details.append({"field": field, "message": item["msg"], "type": item["type"]})
    return details


def invalid_input(details: list[dict[str, Any]]) -> InvalidInputError:
    fields = ", ".join(sorted({d["field"] for d in details}))
    return InvalidInputError(f"Invalid value for: {fields}", details)


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
        invalid = invalid_input(validation_details(error))
        return error_response(HTTPStatus.BAD_REQUEST, invalid.code, invalid.message, invalid.details)

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


def _body_error(message: str, detail: str) -> InvalidInputError:
    return InvalidInputError(message, [{"field": "body", "message": detail}])


def _body_bytes(app: APIGatewayRestResolver) -> bytes:
    """The body exactly as the client sent it (API Gateway base64-encodes what is not UTF-8 text)."""
    event = app.current_event
    body = event.body or ""
    if event.is_base64_encoded:
        try:
            return base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raise _body_error("Request body is not valid base64", "not base64") from None
    try:
        return body.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate in the event's string
        raise _body_error("Request body is not valid UTF-8", "not UTF-8") from None


def _json_integer(text: str) -> int:
    if len(text.lstrip("-")) > MAX_JSON_INTEGER_DIGITS:
        raise ValueError(f"an integer longer than {MAX_JSON_INTEGER_DIGITS} digits")
    return int(text)


def parse_json_body(app: APIGatewayRestResolver, *, required: bool = True) -> Any:
    """The body as JSON (fractions as exact Decimal), or a 400/413 naming `body`: never a 5xx."""
    raw = _body_bytes(app)
    if len(raw) > MAX_BODY_BYTES:
        raise PayloadTooLargeError(f"Request body exceeds {MAX_BODY_BYTES // 1024} KB")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _body_error("Request body is not valid UTF-8", "not UTF-8") from None
    if not text.strip(JSON_WHITESPACE):
        if required:
            raise _body_error("A JSON request body is required", "missing")
        return {}
    try:
        # JSON numbers with a fraction become Decimal exactly (12.10 never passes through a float);
        # NaN/Infinity stay floats, which every field refuses by name (money never takes a float).
        return json.loads(text, parse_float=Decimal, parse_int=_json_integer)
    except json.JSONDecodeError as exc:
        raise _body_error(
            "Request body is not valid JSON", f"line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    except ValueError as exc:  # from the hooks above: their messages never echo the input
        raise _body_error("Request body is not valid JSON", str(exc)) from None
    except RecursionError:
        raise _body_error("Request body is not valid JSON", "nested too deeply") from None


def parse_body(app: APIGatewayRestResolver, model: type[ModelT], *, required: bool = True) -> ModelT:
    """Parse and validate the JSON body: 413 when oversize, 400 naming the body or the field otherwise.

    Requests are read by the documented (camelCase) names only: models also accept their Python field
    names (`populate_by_name`, for code that builds them), which the API must refuse as unknown."""
    data = parse_json_body(app, required=required)
    if not isinstance(data, dict):
        raise _body_error("Request body must be a JSON object", "not an object")
    try:
        return model.model_validate(data, by_alias=True, by_name=False)
    except ValidationError as exc:
        tagged = issubclass(model, RootModel)  # a discriminated union of bodies (see validation_details)
        raise invalid_input(validation_details(exc, tagged_union=tagged)) from None


def parse_query(app: APIGatewayRestResolver, model: type[ModelT]) -> ModelT:
    """Validate the query string: a 400 naming each refused parameter."""
    params = app.current_event.query_string_parameters or {}
    try:
        return model.model_validate(params, by_alias=True, by_name=False)
    except ValidationError as exc:
        raise invalid_input(validation_details(exc)) from None


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
