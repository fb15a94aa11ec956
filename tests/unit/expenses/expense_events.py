"""API Gateway proxy events for the expenses handler, with claims from the (simulated) authorizer."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from outlay.handlers import expenses_api


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    text: str

    @property
    def json(self) -> Any:
        return json.loads(self.text) if self.text else None


def proxy_event(
    method: str,
    path: str,
    *,
    sub: str | None = "alice",
    body: Any = None,
    raw_body: str | None = None,
    query: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    groups: str = "",
) -> dict[str, Any]:
    if raw_body is None and body is not None:
        raw_body = json.dumps(body)
    hdrs = {"Content-Type": "application/json", "Origin": "https://app.example.com", **(headers or {})}
    claims = {"sub": sub, "email": f"{sub}@example.com", "cognito:groups": groups} if sub else {}
    return {
        "resource": path,
        "path": path,
        "httpMethod": method,
        "headers": hdrs,
        "multiValueHeaders": {k: [v] for k, v in hdrs.items()},
        "queryStringParameters": query,
        "multiValueQueryStringParameters": {k: [v] for k, v in query.items()} if query else None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {
            "requestId": str(uuid.uuid4()),
            "resourcePath": path,
            "httpMethod": method,
            "path": f"/prod{path}",
            "stage": "prod",
            "authorizer": {"claims": claims},
            "identity": {"sourceIp": "127.0.0.1"},
        },
        "body": raw_body,
        "isBase64Encoded": False,
    }


Call = Callable[..., Reply]


def invoke(method: str, path: str, **kwargs: Any) -> Reply:
    result = expenses_api.handler(proxy_event(method, path, **kwargs), None)
    headers = {k.lower(): ",".join(v) for k, v in (result.get("multiValueHeaders") or {}).items()}
    headers.update({k.lower(): v for k, v in (result.get("headers") or {}).items()})
    return Reply(result["statusCode"], headers, result.get("body") or "")
