"""The OpenAPI document and the API Gateway request models come from ROUTES + the pydantic models."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from outlay import openapi
from outlay.routes import ROUTES

ROOT = Path(__file__).resolve().parents[3]
BODY_MODELS = sorted({r.body_model for r in ROUTES if r.body_model})


def run_python(*args: str) -> str:
    """Our own interpreter in a clean environment (no AWS or function env vars)."""
    return subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, *args],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={"PYTHONPATH": f"{ROOT}:{ROOT / 'lambdas'}", "PATH": ""},
    ).stdout


def test_committed_document_is_fresh() -> None:
    committed = (ROOT / "docs" / "openapi.json").read_text()
    assert committed == openapi.render(), "docs/openapi.json is stale: run `make openapi`"


def test_module_prints_the_document() -> None:
    out = run_python("-m", "outlay.openapi")
    assert json.loads(out) == openapi.build_openapi()


def test_operations_match_routes_and_all_are_secured() -> None:
    doc = openapi.build_openapi()
    operations = {(m.upper(), p): op for p, item in doc["paths"].items() for m, op in item.items()}
    assert set(operations) == {(r.method, r.path) for r in ROUTES}
    assert doc["components"]["securitySchemes"]["CognitoUserPool"]["x-amazon-apigateway-authtype"] == (
        "cognito_user_pools"
    )
    for route in ROUTES:
        op = operations[(route.method, route.path)]
        assert op["security"] == [{"CognitoUserPool": []}]
        assert {p["name"] for p in op.get("parameters", []) if p["in"] == "query"} == set(route.query)
        assert {p["name"] for p in op.get("parameters", []) if p["in"] == "path"} == set(route.path_params)
        assert ("requestBody" in op) == bool(route.body_model)
        assert op["responses"]["400"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/ErrorBody"
        }


def _walk(node: object) -> list[dict]:
    found: list[dict] = []
    if isinstance(node, dict):
        found.append(node)
        for value in node.values():
            found.extend(_walk(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(_walk(value))
    return found


@pytest.mark.parametrize("dotted", BODY_MODELS)
def test_request_schemas_are_api_gateway_draft4(dotted: str) -> None:
    schema = openapi.request_schema(dotted)
    assert schema["$schema"] == "http://json-schema.org/draft-04/schema#"
    for node in _walk(schema):
        assert not {"$ref", "$defs", "const", "format", "examples", "discriminator"} & set(node), dotted
        for key in ("exclusiveMinimum", "exclusiveMaximum"):
            assert isinstance(node.get(key, True), bool)
    text = json.dumps(schema)
    assert "#/$defs" not in text


def test_create_expense_schema_forbids_unknown_fields_and_requires_amount() -> None:
    schema = openapi.request_schema("outlay.models.expenses.CreateExpenseRequest")
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == {"amount", "category"}
    assert schema["properties"]["tags"] == {"items": {"type": "string"}, "title": "Tags", "type": "array"}


def test_gateway_models_check_structure_and_leave_values_to_the_function() -> None:
    """A value refused by API Gateway could only be reported as `body`; the function names the field."""
    for dotted in BODY_MODELS:
        for node in _walk(openapi.request_schema(dotted)):
            assert not {"pattern", "enum", "maxLength", "minLength", "maxItems", "minimum", "oneOf"} & set(
                node
            )
            assert node.get("type") != "integer"


def test_missing_model_is_an_error_not_a_skip() -> None:
    with pytest.raises(ModuleNotFoundError):
        openapi.request_schema("outlay.models.nope.Missing")
    with pytest.raises(AttributeError):
        openapi.request_schema("outlay.models.expenses.Missing")


def test_import_light_for_the_cdk_stack() -> None:
    """The API stack imports this at synth time: no boto3/botocore may come along."""
    code = (
        "import sys, outlay.openapi as o; o.build_openapi(); "
        "[o.request_schema(r.body_model) for r in o.ROUTES if r.body_model]; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in {'boto3', 'botocore'}))"
    )
    out = run_python("-c", code)
    assert out.strip() == "[]"


def test_handlers_import_without_environment() -> None:
    """Settings and clients are built on first invocation, so importing needs no env vars."""
    code = "import outlay.handlers.expenses_api, outlay.handlers.lake_writer; print('ok')"
    out = run_python("-c", code)
    assert out.strip() == "ok"
