"""Invoke the real Lambda handlers in-process: entry-point lookup, a fake context, API Gateway events."""

from __future__ import annotations

import base64
import importlib
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from outlay.routes import ROUTES, Route


class HandlerMissing(Exception):
    """The handler module or function named by the route table does not exist (yet)."""


_lock = threading.Lock()


def resolve(entry_point: str) -> Any:
    """`outlay.handlers.x.handler` -> the function, imported on first use (not at gateway start)."""
    module_name, _, attr = entry_point.rpartition(".")
    with _lock:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and (module_name == exc.name or module_name.startswith(exc.name + ".")):
                raise HandlerMissing(f"{entry_point} is not implemented yet") from exc
            raise
    try:
        return getattr(module, attr)
    except AttributeError as exc:
        raise HandlerMissing(f"{entry_point} is not implemented yet") from exc


@dataclass
class FakeContext:
    """Enough of Lambda's context object for Powertools (logger, tracer, metrics) and the handlers."""

    function_name: str
    memory_limit_in_mb: int = 512
    timeout_s: int = 30
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_version: str = "$LATEST"
    log_group_name: str = ""
    log_stream_name: str = "local"
    _deadline: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        self.log_group_name = f"/aws/lambda/{self.function_name}"
        self._deadline = time.monotonic() + self.timeout_s

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:us-east-1:123456789012:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


# One lock per function: like a single warm Lambda container, a function handles one event at a
# time. The handlers keep per-invocation state in module globals (Powertools' resolver holds the
# current event), so two threads inside one handler could see each other's caller.
_function_locks: dict[str, threading.Lock] = {}


def invoke(entry_point: str, function_name: str, event: dict[str, Any], timeout_s: int = 30) -> Any:
    handler = resolve(entry_point)
    with _lock:
        function_lock = _function_locks.setdefault(entry_point, threading.Lock())
    with function_lock:
        return handler(event, FakeContext(function_name=function_name, timeout_s=timeout_s))


# --- routing -----------------------------------------------------------------------------------------
def match_route(method: str, path: str) -> tuple[Route | None, dict[str, str], bool]:
    """(route, path parameters, path exists). Literal segments beat `{param}` ones like API Gateway."""
    parts = [p for p in path.split("/") if p]
    best: tuple[int, Route, dict[str, str]] | None = None
    path_exists = False
    for route in ROUTES:
        template = [p for p in route.path.split("/") if p]
        if len(template) != len(parts):
            continue
        params: dict[str, str] = {}
        literal = 0
        for want, got in zip(template, parts, strict=True):
            if want.startswith("{"):
                params[want[1:-1]] = got
            elif want == got:
                literal += 1
            else:
                break
        else:
            path_exists = True
            if route.method == method and (best is None or literal > best[0]):
                best = (literal, route, params)
    if best is None:
        return None, {}, path_exists
    return best[1], best[2], True


def allowed_methods(path: str) -> list[str]:
    parts = [p for p in path.split("/") if p]
    methods = set()
    for route in ROUTES:
        template = [p for p in route.path.split("/") if p]
        if len(template) == len(parts) and all(
            w.startswith("{") or w == g for w, g in zip(template, parts, strict=True)
        ):
            methods.add(route.method)
    return sorted(methods)


_TEXT_TYPES = ("application/json", "text/", "application/x-www-form-urlencoded", "application/xml")


def rest_event(
    *,
    route: Route,
    method: str,
    path: str,
    query: str,
    headers: list[tuple[str, str]],
    body: bytes,
    path_params: dict[str, str],
    claims: dict[str, str],
    source_ip: str,
) -> dict[str, Any]:
    """An API Gateway REST proxy event, as stage `api` delivers it (path without the stage prefix)."""
    single: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    for name, value in headers:
        single[name] = value
        multi.setdefault(name, []).append(value)
    qs = parse_qs(query, keep_blank_values=True)
    content_type = next((v for k, v in headers if k.lower() == "content-type"), "")
    is_text = not body or any(t in content_type.lower() for t in _TEXT_TYPES)
    try:
        text = body.decode("utf-8") if is_text else None
    except UnicodeDecodeError:
        text = None
    request_id = str(uuid.uuid4())
    now = time.time()
    return {
        "resource": route.path,
        "path": path,
        "httpMethod": method,
        "headers": single or None,
        "multiValueHeaders": multi or None,
        "queryStringParameters": {k: v[-1] for k, v in qs.items()} or None,
        "multiValueQueryStringParameters": qs or None,
        "pathParameters": path_params or None,
        "stageVariables": None,
        "body": (text if text is not None else base64.b64encode(body).decode()) if body else None,
        "isBase64Encoded": bool(body) and text is None,
        "requestContext": {
            "resourceId": "local",
            "resourcePath": route.path,
            "httpMethod": method,
            "path": f"/api{path}",
            "stage": "api",
            "accountId": "123456789012",
            "apiId": "local",
            "protocol": "HTTP/1.1",
            "requestId": request_id,
            "extendedRequestId": request_id,
            "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "requestTimeEpoch": int(now * 1000),
            "domainName": "localhost",
            "identity": {"sourceIp": source_ip, "userAgent": single.get("User-Agent", "")},
            "authorizer": {"claims": claims},
        },
    }
