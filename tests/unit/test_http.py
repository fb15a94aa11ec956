"""The HTTP layer every API function shares: CORS policy, error bodies, identity from claims only."""

from __future__ import annotations

import json
from typing import Any

import pytest
from outlay.handlers.http import build_resolver, caller, parse_body, parse_query
from outlay.models.fields import RequestModel
from pydantic import BaseModel, ConfigDict, Field


class Thing(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str


class CamelThing(RequestModel):
    """Documented as `dayOfMonth`; `day_of_month` is only the Python name."""

    day_of_month: int


class RangeQuery(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="forbid")
    from_: str | None = Field(None, alias="from")


def _event(
    method: str = "GET",
    body: str | None = None,
    origin: str = "https://evil.example",
    *,
    path: str = "/things",
    query: dict[str, str] | None = None,
) -> dict[str, Any]:
    return {
        "resource": path,
        "path": path,
        "httpMethod": method,
        "headers": {"origin": origin, "Origin": origin},
        "multiValueHeaders": {"origin": [origin], "Origin": [origin]},
        "queryStringParameters": query,
        "pathParameters": None,
        "body": body,
        "isBase64Encoded": False,
        "requestContext": {
            "resourcePath": path,
            "httpMethod": method,
            "stage": "api",
            "requestId": "r",
            "authorizer": {
                "claims": {"sub": "user-1", "email": "a@example.com", "cognito:groups": "[admins]"}
            },
        },
    }


def _app(origins: list[str]):  # type: ignore[no-untyped-def]
    app = build_resolver(origins)

    @app.get("/things")
    def _get() -> dict[str, Any]:
        who = caller(app)
        return {"sub": who.sub, "admin": who.is_admin}

    @app.post("/things")
    def _post() -> dict[str, Any]:
        return parse_body(app, Thing).model_dump()

    @app.post("/camel-things")
    def _post_camel() -> dict[str, Any]:
        return parse_body(app, CamelThing).model_dump()

    @app.get("/ranges")
    def _ranges() -> dict[str, Any]:
        return parse_query(app, RangeQuery).model_dump(by_alias=True)

    return app


def _headers(response: dict[str, Any]) -> dict[str, Any]:
    return {k.lower(): v for k, v in (response.get("headers") or {}).items()} | {
        k.lower(): v[0] for k, v in (response.get("multiValueHeaders") or {}).items()
    }


def test_same_origin_deployment_sends_no_cors_headers() -> None:
    response = _app([]).resolve(_event(origin="https://app.example.com"), {})
    assert response["statusCode"] == 200
    assert "access-control-allow-origin" not in _headers(response)


def test_configured_origin_is_allowed_and_others_are_not() -> None:
    app = _app(["https://app.example.com", "http://localhost:8000"])
    allowed = app.resolve(_event(origin="http://localhost:8000"), {})
    assert _headers(allowed)["access-control-allow-origin"] == "http://localhost:8000"
    foreign = app.resolve(_event(origin="https://evil.example"), {})
    assert _headers(foreign).get("access-control-allow-origin") != "https://evil.example"


def test_identity_and_groups_come_from_the_verified_claims() -> None:
    body = json.loads(_app([]).resolve(_event(), {})["body"])
    assert body == {"sub": "user-1", "admin": True}


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ("{not json", 400, "body"),
        ('["a list"]', 400, "body"),
        ('{"name": "x", "userId": "someone-else"}', 400, "userId"),
        ('{"name": "' + "x" * 70_000 + '"}', 413, None),
    ],
)
def test_bad_bodies_get_a_clear_error_naming_the_field(body: str, status: int, field: str | None) -> None:
    response = _app([]).resolve(_event("POST", body), {})
    assert response["statusCode"] == status
    error = json.loads(response["body"])
    assert set(error) == {"error", "message", "details"}
    if field:
        assert field in {d["field"] for d in error["details"]}


def test_a_body_is_read_by_its_documented_names_only() -> None:
    app = _app([])
    documented = app.resolve(_event("POST", '{"dayOfMonth": 31}', path="/camel-things"), {})
    assert documented["statusCode"] == 200
    python_name = app.resolve(_event("POST", '{"day_of_month": 31}', path="/camel-things"), {})
    assert python_name["statusCode"] == 400
    assert {d["field"] for d in json.loads(python_name["body"])["details"]} >= {"day_of_month"}


def test_a_query_is_read_by_its_documented_names_only() -> None:
    app = _app([])
    documented = app.resolve(_event(path="/ranges", query={"from": "2026-01"}), {})
    assert json.loads(documented["body"]) == {"from": "2026-01"}
    python_name = app.resolve(_event(path="/ranges", query={"from_": "2026-01"}), {})
    assert python_name["statusCode"] == 400
    assert [d["field"] for d in json.loads(python_name["body"])["details"]] == ["from_"]
