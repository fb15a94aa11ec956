"""The REST API as users meet it: every route exists, every route wants a Cognito token, limits hold."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk.assertions import Match
from outlay.routes import ROUTES

from tests.infra.conftest import ENVIRONMENTS, Synthesized, resources

pytestmark = pytest.mark.infra


def _paths(template: dict[str, Any]) -> dict[str, str]:
    """Logical id of each AWS::ApiGateway::Resource -> its full path."""
    raw = resources(template, "AWS::ApiGateway::Resource")
    paths: dict[str, str] = {}

    def path_of(logical_id: str) -> str:
        if logical_id not in paths:
            props = raw[logical_id]["Properties"]
            parent = props["ParentId"]
            prefix = path_of(parent["Ref"]) if "Ref" in parent else ""
            paths[logical_id] = f"{prefix}/{props['PathPart']}"
        return paths[logical_id]

    for logical_id in raw:
        path_of(logical_id)
    return paths


def _methods(template: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    paths = _paths(template)
    out = []
    for method in resources(template, "AWS::ApiGateway::Method").values():
        props = method["Properties"]
        resource = props["ResourceId"]
        path = paths[resource["Ref"]] if "Ref" in resource else "/"
        out.append((props["HttpMethod"], path, props))
    return out


def _without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_methods_are_exactly_the_route_table(synth: Synthesized, env: str) -> None:
    methods = {(m, p) for m, p, _ in _methods(synth.json(env, "api")) if m != "OPTIONS"}
    assert methods == {(r.method, r.path) for r in ROUTES}


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_method_needs_a_cognito_token(synth: Synthesized, env: str) -> None:
    checked = 0
    for method, path, props in _methods(synth.json(env, "api")):
        if method == "OPTIONS":
            # CORS preflight: browsers send it without credentials; it only returns headers.
            assert props["Integration"]["Type"] == "MOCK", path
            continue
        assert props["AuthorizationType"] == "COGNITO_USER_POOLS", (method, path)
        assert "AuthorizerId" in props, (method, path)
        checked += 1
    assert checked == len(ROUTES)


def test_path_parameters_required_and_requests_validated(synth: Synthesized) -> None:
    by_route = {(m, p): props for m, p, props in _methods(synth.json("dev", "api"))}
    for route in ROUTES:
        props = by_route[(route.method, route.path)]
        assert "RequestValidatorId" in props
        for param in route.path_params:
            assert props["RequestParameters"][f"method.request.path.{param}"] is True
    validator = next(iter(resources(synth.json("dev", "api"), "AWS::ApiGateway::RequestValidator").values()))
    assert validator["Properties"]["ValidateRequestBody"] is True
    assert validator["Properties"]["ValidateRequestParameters"] is True


def test_body_models_attached_where_the_route_has_one(synth: Synthesized) -> None:
    api = synth.stages["dev"].api.rest_api
    if not api.models_attached:
        pytest.skip("outlay.openapi.request_schema not available")
    template = synth.json("dev", "api")
    from outlay.openapi import request_schema

    models = resources(template, "AWS::ApiGateway::Model")
    by_route = {(m, p): props for m, p, props in _methods(template)}
    for route in ROUTES:
        props = by_route[(route.method, route.path)]
        if route.body_model and route.body_required:
            ref = props["RequestModels"]["application/json"]["Ref"]
            # CloudFormation JSON has no nulls: `"default": null` is dropped on synthesis.
            assert models[ref]["Properties"]["Schema"] == _without_nulls(request_schema(route.body_model))
            assert models[ref]["Properties"]["ContentType"] == "application/json"
        else:
            assert "RequestModels" not in props, (route.method, route.path)


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_stage_named_api_with_configured_throttling_tracing_and_json_access_logs(
    synth: Synthesized, env: str
) -> None:
    throttle = synth.config(env).throttle
    stage = next(iter(resources(synth.json(env, "api"), "AWS::ApiGateway::Stage").values()))["Properties"]
    assert stage["StageName"] == "api"
    assert stage["TracingEnabled"] is True
    settings = stage["MethodSettings"]
    assert {
        "HttpMethod": "*",
        "ResourcePath": "/*",
        "DataTraceEnabled": False,
        "LoggingLevel": "ERROR",
        "MetricsEnabled": False,  # detailed per-method metrics are billed; per-API ones are free
        "ThrottlingBurstLimit": throttle.burst_limit,
        "ThrottlingRateLimit": throttle.rate_limit,
    } in settings
    access_format = json.loads(stage["AccessLogSetting"]["Format"])
    # Logging needs the account's CloudWatch role; it outlives any one environment's stack.
    account = next(iter(resources(synth.json(env, "api"), "AWS::ApiGateway::Account").values()))
    role = account["Properties"]["CloudWatchRoleArn"]["Fn::GetAtt"][0]
    assert synth.json(env, "api")["Resources"][role]["DeletionPolicy"] == "Retain"
    assert {"requestId", "status", "user", "ip"} <= set(access_format)


def test_dev_allows_its_configured_origins_and_gateway_errors_carry_cors(synth: Synthesized) -> None:
    origins = synth.config("dev").web_origins
    assert origins, "dev config lists localhost origins"
    template = synth.template("dev", "api")
    for response_type in ("DEFAULT_4XX", "DEFAULT_5XX", "UNAUTHORIZED"):
        template.has_resource_properties(
            "AWS::ApiGateway::GatewayResponse",
            {
                "ResponseType": response_type,
                "ResponseParameters": Match.object_like(
                    {"gatewayresponse.header.Access-Control-Allow-Origin": f"'{origins[0]}'"}
                ),
            },
        )
    preflights = [p for m, _, p in _methods(synth.json("dev", "api")) if m == "OPTIONS"]
    assert preflights
    headers = preflights[0]["Integration"]["IntegrationResponses"][0]["ResponseParameters"]
    assert headers["method.response.header.Access-Control-Allow-Origin"] == f"'{origins[0]}'"


def test_prod_is_same_origin_only(synth: Synthesized) -> None:
    template = synth.json("prod", "api")
    assert not [m for m, _, _ in _methods(template) if m == "OPTIONS"]
    # Only the request validator's refusals (product error shape), and without any CORS header.
    responses = [r["Properties"] for r in resources(template, "AWS::ApiGateway::GatewayResponse").values()]
    assert sorted(r["ResponseType"] for r in responses) == ["BAD_REQUEST_BODY", "BAD_REQUEST_PARAMETERS"]
    assert not any(r.get("ResponseParameters") for r in responses)
