"""Local = cloud for refused requests: a table of bad requests goes to the local gateway over HTTP and
through what the synthesized API stack gives API Gateway (the method's request model, validated here
with a draft-4 validator as API Gateway does, and the BAD_REQUEST_BODY gateway response's template).
Both must answer the same status and the same error shape; requests whose structure is fine pass the
model in both and reach the function, whose 400 names the field."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from jsonschema import Draft4Validator
from outlay.openapi import VALIDATION_ERROR_STRING

from local.pytest_plugin import SignedInUser, new_user
from local.runtime import LocalRuntime
from tests.infra.conftest import Synthesized, resources
from tests.infra.test_api import _methods

pytestmark = pytest.mark.infra

# (method, path, raw body, refused by the gateway's validator?, field the function names otherwise)
TABLE: list[tuple[str, str, str, bool, str | None]] = [
    ("POST", "/expenses", "[1, 2]", True, None),
    ("POST", "/expenses", '{"amount": "1", "category": "Food", "userId": "mallory"}', True, None),
    ("POST", "/expenses", '{"category": "Food"}', True, None),
    ("POST", "/expenses", '{"amount": "1", "category": "Food", "tags": "a,b"}', True, None),
    ("POST", "/expenses", '{"amount": true, "category": "Food"}', True, None),
    ("POST", "/expenses", '{"amount": "1", "category": ', True, None),
    ("POST", "/expenses", "", True, None),
    ("PATCH", "/expenses/e1", '{"vendor": 5}', True, None),
    ("PUT", "/profile", "{}", True, None),
    ("POST", "/categories", '{"name": ["x"]}', True, None),
    ("POST", "/aws-credentials", '{"type": "role", "roleArn": 5}', True, None),
    ("PUT", "/aws-credentials/toggle", '{"enabled": "yes"}', True, None),
    # structurally fine, refused by the function naming the field (in the cloud just the same)
    ("POST", "/expenses", '{"amount": "12.345", "category": "Food"}', False, "amount"),
    ("POST", "/expenses", '{"amount": "1", "category": "Food", "currency": "XYZ"}', False, "currency"),
    ("POST", "/expenses", '{"amount": "1", "category": "Food", "tags": ["' + "t" * 41 + '"]}', False, "tags"),
    ("PUT", "/profile", '{"defaultCurrency": "usd1"}', False, "defaultCurrency"),
]


@pytest.fixture(scope="module")
def runtime() -> Iterator[LocalRuntime]:
    with LocalRuntime(port=0, seed=False) as local:
        yield local


@pytest.fixture(scope="module")
def user(runtime: LocalRuntime) -> SignedInUser:
    return new_user(runtime, "parity")


def _cloud_answer(
    template: dict[str, Any], method: str, path: str, raw: str
) -> tuple[int, dict[str, Any]] | None:
    """What API Gateway answers from the synthesized stack, or None when it passes the request on."""
    route_path = "/expenses/{id}" if path.startswith("/expenses/") else path
    props = next(p for m, rp, p in _methods(template) if (m, rp) == (method, route_path))
    ref = (props.get("RequestModels") or {}).get("application/json", {}).get("Ref")
    if ref is None:
        return None
    schema = resources(template, "AWS::ApiGateway::Model")[ref]["Properties"]["Schema"]
    try:
        document = json.loads(raw)
    except ValueError:
        errors = ["body is not valid JSON"]
    else:
        errors = [e.message for e in Draft4Validator(schema).iter_errors(document)]
    if not errors:
        return None
    response = next(
        r["Properties"]
        for r in resources(template, "AWS::ApiGateway::GatewayResponse").values()
        if r["Properties"]["ResponseType"] == "BAD_REQUEST_BODY"
    )
    rendered = response["ResponseTemplates"]["application/json"].replace(
        VALIDATION_ERROR_STRING, json.dumps(f"[{errors[0]}]")[1:-1]
    )
    return int(response["StatusCode"]), json.loads(rendered)


def _shape(body: dict[str, Any]) -> tuple[Any, ...]:
    return (
        sorted(body),
        body["error"],
        [sorted(d) for d in body["details"]],
        [d["field"] for d in body["details"]],
    )


@pytest.mark.parametrize(("method", "path", "raw", "by_gateway", "field"), TABLE)
def test_local_gateway_and_api_gateway_refuse_alike(
    synth: Synthesized,
    runtime: LocalRuntime,
    user: SignedInUser,
    method: str,
    path: str,
    raw: str,
    by_gateway: bool,
    field: str | None,
) -> None:
    local = requests.request(
        method,
        runtime.api_url + path,
        data=raw.encode(),
        headers={**user.headers, "Content-Type": "application/json"},
        timeout=30,
    )
    assert local.status_code == 400, local.text
    cloud = _cloud_answer(synth.json("dev", "api"), method, path, raw)
    if by_gateway:
        assert cloud is not None, "API Gateway's model should refuse this"
        status, body = cloud
        assert status == local.status_code
        assert _shape(body) == _shape(local.json())
        assert body["details"][0]["field"] == "body" and body["details"][0]["message"].startswith("[")
        assert local.json()["message"] == body["message"] == "Invalid request body"
    else:
        assert cloud is None, "API Gateway's model should pass this on to the function"
        assert field in {d["field"] for d in local.json()["details"]}, local.text


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_validator_refusals_answer_in_the_product_error_shape(synth: Synthesized, env: str) -> None:
    by_type = {
        r["Properties"]["ResponseType"]: r["Properties"]
        for r in resources(synth.json(env, "api"), "AWS::ApiGateway::GatewayResponse").values()
    }
    for response_type, field in (("BAD_REQUEST_BODY", "body"), ("BAD_REQUEST_PARAMETERS", "parameters")):
        response = by_type[response_type]
        assert response["StatusCode"] == "400"
        rendered = json.loads(
            response["ResponseTemplates"]["application/json"].replace(VALIDATION_ERROR_STRING, "[why]")
        )
        assert rendered["error"] == "invalid_input"
        assert rendered["details"] == [{"field": field, "message": "[why]"}]
