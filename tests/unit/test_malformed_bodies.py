"""Body parsing (handlers/http.py parse_body), the one place every body-taking route shares: whatever
bytes arrive, the answer is the parsed model or a 400/413 naming `body` or the field, never a 5xx."""

from __future__ import annotations

import base64
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from outlay.handlers.http import MAX_BODY_BYTES, build_resolver, parse_body
from pydantic import BaseModel, ConfigDict


class Thing(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    count: int = 0


APP = build_resolver([])


@APP.post("/things")
def _post() -> dict[str, Any]:
    return parse_body(APP, Thing).model_dump()


def _post_raw(body: str | None, *, base64_encoded: bool = False) -> tuple[int, dict[str, Any]]:
    event = {
        "resource": "/things",
        "path": "/things",
        "httpMethod": "POST",
        "headers": {"Content-Type": "application/json"},
        "multiValueHeaders": {"Content-Type": ["application/json"]},
        "queryStringParameters": None,
        "pathParameters": None,
        "body": body,
        "isBase64Encoded": base64_encoded,
        "requestContext": {"resourcePath": "/things", "httpMethod": "POST", "stage": "api", "requestId": "r"},
    }
    response = APP.resolve(event, {})
    return response["statusCode"], json.loads(response["body"])


def _post_bytes(raw: bytes) -> tuple[int, dict[str, Any]]:
    """As API Gateway delivers bytes: UTF-8 text as a string, anything else base64-encoded."""
    try:
        return _post_raw(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return _post_raw(base64.b64encode(raw).decode(), base64_encoded=True)


def _body_error(status: int, reply: dict[str, Any], message: str) -> None:
    assert status == 400, reply
    assert reply["error"] == "invalid_input"
    assert reply["message"] == message
    assert [d["field"] for d in reply["details"]] == ["body"]


def test_a_body_that_is_not_utf8_is_a_400_naming_the_body() -> None:
    _body_error(*_post_bytes(b'{"name": "caf\xe9"}'), "Request body is not valid UTF-8")
    _body_error(*_post_bytes(b"\xff\xfe{\x00}\x00"), "Request body is not valid UTF-8")


def test_a_lone_surrogate_in_the_event_string_is_a_400() -> None:
    _body_error(*_post_raw('{"name": "\ud800"}'), "Request body is not valid UTF-8")


def test_invalid_base64_is_a_400() -> None:
    _body_error(*_post_raw("***", base64_encoded=True), "Request body is not valid base64")


def test_base64_utf8_json_is_parsed_like_text() -> None:
    assert _post_raw(base64.b64encode(b'{"name": "ok"}').decode(), base64_encoded=True) == (
        200,
        {"name": "ok", "count": 0},
    )


def test_an_integer_of_thousands_of_digits_is_a_400_not_a_crash() -> None:
    status, reply = _post_raw('{"name": "x", "count": ' + "9" * 5000 + "}")
    _body_error(status, reply, "Request body is not valid JSON")
    assert "digits" in reply["details"][0]["message"]


def test_json_nested_30000_deep_is_a_400_not_a_crash() -> None:
    status, reply = _post_raw("[" * 30_000 + "]" * 30_000)
    _body_error(status, reply, "Request body is not valid JSON")
    assert reply["details"][0]["message"] == "nested too deeply"


def test_control_characters_are_not_json_whitespace() -> None:
    """Python's str.strip() would read "\\x1e" as blank (and then as `{}`); JSON does not."""
    _body_error(*_post_raw("\x1e"), "Request body is not valid JSON")
    _body_error(*_post_raw(" \t\r\n"), "A JSON request body is required")


def test_oversize_is_413() -> None:
    status, reply = _post_raw('{"name": "' + "x" * MAX_BODY_BYTES + '"}')
    assert status == 413 and reply["error"] == "payload_too_large"


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=64) | st.text(max_size=64).map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_any_bytes_get_the_model_or_a_400_naming_a_field(raw: bytes) -> None:
    status, reply = _post_bytes(raw)
    assert status in (200, 400), reply
    if status == 400:
        assert reply["error"] == "invalid_input" and reply["details"]
        assert all(d["field"] for d in reply["details"])
    else:
        assert Thing.model_validate(reply) == Thing.model_validate(json.loads(raw))


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(),
        lambda c: st.lists(c) | st.dictionaries(st.text(), c),
    )
)
def test_any_json_document_gets_the_model_or_a_400(document: Any) -> None:
    status, reply = _post_raw(json.dumps(document))
    assert status in (200, 400), reply
