"""Request validation as API Gateway does it before any function runs: the same body models the API
stack attaches (`outlay.openapi.request_schema`, JSON Schema draft 4) and the same BAD_REQUEST_BODY
gateway response template (`outlay.openapi.gateway_error_template`), rendered with this validator's
message where API Gateway puts its own. One call from the gateway: `body_error(route, body)`."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from jsonschema import Draft4Validator
from jsonschema.exceptions import ValidationError, best_match
from outlay.openapi import VALIDATION_ERROR_STRING, gateway_error_template, request_schema
from outlay.routes import Route


@cache
def _validator(dotted: str) -> Draft4Validator:
    return Draft4Validator(request_schema(dotted))


def gateway_response(response_type: str, validation_error: str) -> dict[str, Any]:
    """The body API Gateway answers for `response_type`, with `validation_error` as its message."""
    escaped = json.dumps(validation_error)[1:-1]
    return json.loads(gateway_error_template(response_type).replace(VALIDATION_ERROR_STRING, escaped))


def _describe(error: ValidationError) -> str:
    """The validator's finding, naming the property but never echoing a value the client sent."""
    where = "/" + "/".join(str(part) for part in error.absolute_path)
    if error.validator in ("required", "additionalProperties"):
        return f"[{where}: {error.message}]"
    if error.validator == "type":
        return f"[{where}: expected {error.validator_value}]"
    if error.validator in ("anyOf", "oneOf"):
        return f"[{where}: matches none of the allowed shapes]"
    return f"[{where}: fails {error.validator}]"


def body_error(route: Route, body: bytes) -> dict[str, Any] | None:
    """None when API Gateway would pass the request on; else the 400 body its gateway response sends."""
    if not (route.body_model and route.body_required):
        return None  # no model attached: the function validates (and names the field)
    try:
        document = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return gateway_response("BAD_REQUEST_BODY", "[body is not valid JSON]")
    error = best_match(_validator(route.body_model).iter_errors(document))
    return None if error is None else gateway_response("BAD_REQUEST_BODY", _describe(error))
