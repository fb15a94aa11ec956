"""The local gateway as an HTTP server: a burst of clients, malformed framing, unknown methods, and
API Gateway's 10 MB payload bound, each answered at once in the API's error shape."""

from __future__ import annotations

import http.client
import json
import threading
from typing import Any

from local.runtime import LocalRuntime

CLIENTS = 64


def _connection(runtime: LocalRuntime) -> http.client.HTTPConnection:
    return http.client.HTTPConnection("127.0.0.1", runtime.port, timeout=30)


def _send(runtime: LocalRuntime, method: str, path: str, headers: dict[str, str]) -> tuple[int, Any, Any]:
    connection = _connection(runtime)
    try:
        connection.putrequest(method, path)
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.headers, json.loads(response.read() or b"null")
    finally:
        connection.close()


def test_64_simultaneous_clients_are_all_answered(local_runtime: LocalRuntime) -> None:
    ready = threading.Barrier(CLIENTS, timeout=60)
    statuses: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def client() -> None:
        connection = _connection(local_runtime)
        try:
            ready.wait()  # all 64 connect at the same moment, as a burst of browsers would
            connection.request("GET", "/config.json")
            response = connection.getresponse()
            response.read()
            with lock:
                statuses.append(response.status)
        except BaseException as exc:  # a reset, a refused connection, a timeout
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []  # no reset, no refusal (a listen backlog of 5 reset some of them)
    assert statuses == [200] * CLIENTS


def test_a_content_length_that_is_not_a_number_is_a_400_naming_the_header(
    local_runtime: LocalRuntime,
) -> None:
    status, _, body = _send(local_runtime, "POST", "/api/expenses", {"Content-Length": "abc"})
    assert status == 400
    assert body["error"] == "invalid_input"
    assert body["details"][0]["field"] == "Content-Length"


def test_a_negative_content_length_is_a_400_not_a_hang(local_runtime: LocalRuntime) -> None:
    status, _, body = _send(local_runtime, "POST", "/api/expenses", {"Content-Length": "-1"})
    assert status == 400
    assert body["details"][0]["field"] == "Content-Length"


def test_an_unknown_method_is_a_405_in_the_api_error_shape(local_runtime: LocalRuntime) -> None:
    for method in ("TRACE", "CONNECT", "PROPFIND"):
        status, headers, body = _send(local_runtime, method, "/api/expenses", {})
        assert status == 405, method
        assert set(body) == {"error", "message", "details"}
        assert body["error"] == "method_not_allowed"
        assert "GET" in headers["Allow"]


def test_a_body_over_10_mb_is_refused_before_it_is_read(local_runtime: LocalRuntime) -> None:
    over = str(10 * 1024 * 1024 + 1)
    status, _, body = _send(
        local_runtime, "POST", "/api/expenses", {"Content-Length": over, "Content-Type": "application/json"}
    )
    assert status == 413
    assert body == {"message": "Request Too Long"}  # API Gateway's own answer
