"""The local stand-in for API Gateway + CloudFront: one HTTP server on localhost.

- `/api/...`       routes from `outlay.routes.ROUTES` -> REST proxy events -> the same handlers,
                   after verifying the Cognito ID token like the user-pool authorizer.
- `/config.json`   the dashboard's one contract with its environment (generated).
- `/cognito/`      a pass-through to moto's Cognito so the page talks to one origin.
- `/__local/...`   loopback-only controls (`make import-now`), never part of the deployed product.
- everything else  the built dashboard from web/dist.
"""

from __future__ import annotations

import base64
import json
import logging
import time
import traceback
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
from outlay.routes import HTTP_FUNCTIONS, Route

from local.auth import CognitoVerifier, Unauthorized, api_gateway_claims
from local.gate import GateClosed, WriteGate
from local.lambdas import HandlerMissing, allowed_methods, invoke, match_route, rest_event
from local.site import static_file
from local.validation import body_error

log = logging.getLogger("outlay.local.gateway")

API_PREFIX = "/api"
MAX_BODY = 10 * 1024 * 1024  # API Gateway's payload limit
CORS_HEADERS = "Authorization,Content-Type,Idempotency-Key,X-Amz-Date,X-Api-Key,X-Amz-Security-Token"
LOCAL_CONTROL_HEADER = "X-Outlay-Local"


class Gateway:
    """Everything the request handler needs; built by LocalRuntime once the moto world exists."""

    def __init__(
        self,
        *,
        verifier: CognitoVerifier,
        moto_url: str,
        web_dist: Path | None,
        origins: list[str],
        config: dict[str, str],
        controls: dict[str, Callable[[dict[str, Any]], dict[str, Any]]],
        access_log: bool = False,
        gate: WriteGate | None = None,
    ) -> None:
        self.gate = gate or WriteGate()
        self.verifier = verifier
        self.moto_url = moto_url.rstrip("/")
        self.web_dist = web_dist.resolve() if web_dist else None
        self.origins = origins
        self.config = config
        self.controls = controls
        self.access_log = access_log
        self.http = requests.Session()


class _Server(ThreadingHTTPServer):
    """One thread per connection; a listen backlog that takes a burst of clients (the default is 5)."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128
    gateway: Gateway


def make_server(gateway: Gateway, host: str, port: int) -> _Server:
    server = _Server((host, port), _Handler)
    server.gateway = gateway
    return server


class BadRequest(Exception):
    """A request the gateway cannot frame or accept; answered in the API's error shape."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field

    def payload(self) -> dict[str, Any]:
        details = [{"field": self.field, "message": self.message}] if self.field else []
        return {"error": self.code, "message": self.message, "details": details}


METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
READ_ONLY = frozenset({"GET", "HEAD", "OPTIONS"})


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    body: bytes = b""
    protocol_version = "HTTP/1.1"
    server_version = "OutlayLocal/1"
    timeout = 60  # a client that stops sending mid-request frees its thread

    # --- plumbing ----------------------------------------------------------------------------------
    @property
    def gw(self) -> Gateway:
        return self.server.gateway

    def log_message(self, format: str, *args: Any) -> None:
        return  # access lines are written by _log_request when enabled

    def _log_request(self, status: int, started: float) -> None:
        if self.gw.access_log:
            ms = (time.monotonic() - started) * 1000
            print(f"  {self.command:6} {self.path}  {status}  {ms:.0f} ms", flush=True)

    def _read_body(self) -> bytes:
        """The request body, read once up front: an unread body would be parsed as the next request
        on this keep-alive connection, so a body that cannot be framed closes the connection."""
        raw = self.headers.get("Content-Length")
        if self.headers.get("Transfer-Encoding"):
            self.close_connection = True
            raise BadRequest(411, "length_required", "Send the body with a Content-Length", "Content-Length")
        if raw is None or raw.strip() == "":
            return b""
        if not (raw.strip().isascii() and raw.strip().isdigit()):
            self.close_connection = True
            raise BadRequest(
                400, "invalid_input", "Content-Length must be a whole number of bytes", "Content-Length"
            )
        length = int(raw)
        if length > MAX_BODY:
            self.close_connection = True
            raise BadRequest(413, "payload_too_large", "Request Too Long")
        return self.rfile.read(length) if length else b""

    def _send(
        self,
        status: int,
        body: bytes = b"",
        content_type: str | None = "application/json",
        headers: list[tuple[str, str]] | None = None,
    ) -> None:
        self.send_response(status)
        sent = {h.lower() for h, _ in headers or []}
        for name, value in headers or []:
            self.send_header(name, value)
        if content_type and "content-type" not in sent:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, payload: Any, headers: list[tuple[str, str]] | None = None) -> None:
        self._send(status, json.dumps(payload).encode(), headers=headers)

    def _cors_headers(self) -> list[tuple[str, str]]:
        origin = self.headers.get("Origin")
        if origin and origin in self.gw.origins:
            return [("Access-Control-Allow-Origin", origin), ("Vary", "Origin")]
        return []

    def _dispatch(self) -> None:
        started = time.monotonic()
        status = 500
        try:
            try:
                self.body = self._read_body()
            except BadRequest as exc:
                status = exc.status
                if status == 413:  # API Gateway's own answer for an oversized payload
                    self._json(413, {"message": exc.message}, self._cors_headers())
                else:
                    self._json(status, exc.payload(), self._cors_headers())
            else:
                status = self._route_through_gate()
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            self.close_connection = True
            return
        except Exception:
            log.error("local gateway error\n%s", traceback.format_exc())
            self._json(500, {"message": "Internal server error"})
        self._log_request(status, started)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = _dispatch

    def __getattr__(self, name: str) -> Any:
        """`do_TRACE`, `do_CONNECT`, ...: any method API Gateway does not route is a 405."""
        if name.startswith("do_"):
            return self._method_not_allowed
        raise AttributeError(name)

    def _method_not_allowed(self) -> None:
        self.close_connection = True  # its body, if any, is not read
        error = BadRequest(405, "method_not_allowed", f"Method {self.command} is not allowed")
        self._json(405, error.payload(), [("Allow", ", ".join(METHODS)), *self._cors_headers()])
        self._log_request(405, time.monotonic())

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's own errors (a malformed request line, headers too long) in the API's shape."""
        self.close_connection = True
        try:
            phrase = HTTPStatus(code).phrase
        except ValueError:
            phrase = "Error"
        payload = {"error": phrase.lower().replace(" ", "_"), "message": message or phrase, "details": []}
        body = json.dumps(payload).encode()
        self.send_response(code, message)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD" and code >= 200 and code not in (204, 304):
            self.wfile.write(body)

    # --- routing -------------------------------------------------------------------------------------
    def _route_through_gate(self) -> int:
        """Requests that may write pass the write gate (see local.gate); reads never wait for it."""
        if self.command in READ_ONLY:
            return self._route()
        try:
            with self.gw.gate.request():
                return self._route()
        except GateClosed:
            self.close_connection = True
            payload = {"error": "unavailable", "message": "Outlay is stopping; try again", "details": []}
            self._json(503, payload, [("Connection", "close"), *self._cors_headers()])
            return 503

    def _route(self) -> int:
        url = urlsplit(self.path)
        path = url.path
        if path == API_PREFIX or path.startswith(API_PREFIX + "/"):
            return self._api(path[len(API_PREFIX) :] or "/", url.query)
        if path == "/config.json" and self.command in ("GET", "HEAD"):
            body = json.dumps(self._config_for_host(), indent=2).encode()
            self._send(200, body, headers=[("Cache-Control", "no-cache")])
            return 200
        if path.rstrip("/") == "/cognito":
            return self._cognito()
        if path.startswith("/__local/"):
            return self._control(path[len("/__local/") :])
        if self.command not in ("GET", "HEAD"):
            self._json(405, {"message": "Method Not Allowed"})
            return 405
        return self._static(path)

    def _config_for_host(self) -> dict[str, str]:
        """Opened as http://127.0.0.1:<port>, the page gets URLs on that origin (CSP 'self' holds)."""
        port = self.server.server_address[1]
        host = self.headers.get("Host", "")
        if host != f"127.0.0.1:{port}":
            return self.gw.config
        local = f"http://localhost:{port}"
        return {k: v.replace(local, f"http://{host}", 1) for k, v in self.gw.config.items()}

    def _api(self, path: str, query: str) -> int:
        gw = self.gw
        if self.command == "OPTIONS":
            # API Gateway's CORS preflight (a mock integration): no authorizer, no Lambda.
            methods = allowed_methods(path)
            origin = self.headers.get("Origin")
            if not methods:
                self._json(403, {"message": "Missing Authentication Token"})
                return 403
            headers = [
                ("Access-Control-Allow-Methods", ",".join([*methods, "OPTIONS"])),
                ("Access-Control-Allow-Headers", CORS_HEADERS),
                ("Access-Control-Max-Age", "600"),
            ]
            if origin and origin in gw.origins:
                headers += [("Access-Control-Allow-Origin", origin), ("Vary", "Origin")]
            self._send(204, headers=headers, content_type=None)
            return 204

        route, params, _ = match_route(self.command, path)
        if route is None:
            # What API Gateway answers for an unknown resource or method.
            self._json(403, {"message": "Missing Authentication Token"}, self._cors_headers())
            return 403
        try:
            claims = gw.verifier.verify(self.headers.get("Authorization"))
        except Unauthorized:
            self._json(401, {"message": "Unauthorized"}, self._cors_headers())
            return 401
        invalid = body_error(route, self.body)  # API Gateway's request validation, same models
        if invalid is not None:
            self._json(400, invalid, self._cors_headers())
            return 400
        event = self._event(route, path, params, claims)
        entry = HTTP_FUNCTIONS[route.function]
        try:
            result = invoke(entry, f"outlay-local-{route.function}", event)
        except HandlerMissing as exc:
            payload = {"error": "not_implemented", "message": str(exc), "details": []}
            self._json(501, payload, self._cors_headers())
            return 501
        except Exception:
            # A Lambda that raises is a 502 "Internal server error" at API Gateway.
            log.error("handler %s raised\n%s", entry, traceback.format_exc())
            self._json(502, {"message": "Internal server error"}, self._cors_headers())
            return 502
        return self._proxy_result(result)

    def _event(
        self, route: Route, path: str, params: dict[str, str], claims: dict[str, Any]
    ) -> dict[str, Any]:
        """This request as the REST proxy event API Gateway hands the function, after the authorizer."""
        return rest_event(
            route=route,
            method=self.command,
            path=path,
            query=urlsplit(self.path).query,
            headers=list(self.headers.items()),
            body=self.body,
            path_params=params,
            claims=api_gateway_claims(claims),
            source_ip=self.client_address[0],
        )

    def _proxy_result(self, result: Any) -> int:
        if not isinstance(result, dict) or "statusCode" not in result:
            log.error("handler returned a malformed proxy response: %r", type(result))
            self._json(502, {"message": "Internal server error"}, self._cors_headers())
            return 502
        status = int(result["statusCode"])
        headers: list[tuple[str, str]] = []
        seen: set[str] = set()
        for name, values in (result.get("multiValueHeaders") or {}).items():
            for value in values if isinstance(values, list) else [values]:
                headers.append((name, str(value)))
            seen.add(name.lower())
        for name, value in (result.get("headers") or {}).items():
            if name.lower() not in seen:
                headers.append((name, str(value)))
        raw = result.get("body") or ""
        body = base64.b64decode(raw) if result.get("isBase64Encoded") else str(raw).encode()
        self._send(status, body, content_type="application/json", headers=headers)
        return status

    def _cognito(self) -> int:
        """Forward the Cognito JSON API (unsigned InitiateAuth, SignUp, ...) to moto."""
        if self.command != "POST":
            self._json(405, {"message": "Method Not Allowed"})
            return 405
        body = self.body
        forward = {
            k: v
            for k, v in self.headers.items()
            if k.lower()
            in ("x-amz-target", "content-type", "x-amz-user-agent", "authorization", "x-amz-date")
        }
        upstream = self.gw.http.post(self.gw.moto_url + "/", data=body, headers=forward, timeout=30)
        content_type = upstream.headers.get("Content-Type", "application/x-amz-json-1.1")
        self._send(upstream.status_code, upstream.content, content_type=content_type)
        return upstream.status_code

    def _control(self, name: str) -> int:
        loopback = self.client_address[0] in ("127.0.0.1", "::1")
        action = self.gw.controls.get(name)
        if not loopback or self.command != "POST" or not self.headers.get(LOCAL_CONTROL_HEADER):
            self._json(403, {"message": "local controls answer loopback POSTs with X-Outlay-Local only"})
            return 403
        if action is None:
            self._json(404, {"message": f"no local control {name!r}"})
            return 404
        body = self.body or b"{}"
        try:
            payload = json.loads(body or b"{}")
            result = action(payload if isinstance(payload, dict) else {})
        except HandlerMissing as exc:
            self._json(501, {"error": "not_implemented", "message": str(exc), "details": []})
            return 501
        self._json(200, result)
        return 200

    def _static(self, path: str) -> int:
        status, body, content_type, headers = static_file(self.gw.web_dist, path, self.gw.moto_url)
        self._send(status, body, content_type, headers)
        return status
