"""Errors on the credentials body name the client's field: `type` for a missing or unknown kind,
`accessKeyId` (not `keys.accessKeyId`) inside the chosen kind; the secret is refused unless it is
printable ASCII, and malformed bodies are a 400 naming `body`."""

from __future__ import annotations

from typing import Any

import pytest
from outlay.logic.costs_service import CostsService

from .conftest import Moto, call

KEY_ID = "AKIAIOSFODNN7EXAMPLE"


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"type": "password"}, ["type"]),
        ({"region": "us-east-1"}, ["type"]),
        ({"type": "keys", "accessKeyId": "nope", "secretAccessKey": "x" * 40}, ["accessKeyId"]),
        ({"type": "role"}, ["roleArn"]),
        ({"accessKeyId": KEY_ID}, ["secretAccessKey"]),
        (
            {"type": "keys", "accessKeyId": KEY_ID, "secretAccessKey": "x" * 39 + "\ud800"},
            ["secretAccessKey"],
        ),
        ({"type": "keys", "accessKeyId": KEY_ID, "secretAccessKey": "x" * 39 + "\x00"}, ["secretAccessKey"]),
        (
            {"type": "keys", "accessKeyId": KEY_ID, "secretAccessKey": "x" * 39 + "\u00e9"},
            ["secretAccessKey"],
        ),
    ],
)
def test_errors_name_the_clients_field(
    service: CostsService, moto_aws: Moto, body: dict[str, Any], fields: list[str]
) -> None:
    status, reply = call("POST", "/aws-credentials", body=body)
    assert status == 400, reply
    assert [d["field"] for d in reply["details"]] == fields
    assert moto_aws.credentials_item("user-a") is None


@pytest.mark.parametrize("raw", ["\x1e", '{"month": ' + "1" * 5000 + "}", "[" * 30_000])
def test_unparseable_import_bodies_are_a_400_naming_the_body(service: CostsService, raw: str) -> None:
    status, reply = call("POST", "/aws-cost-import", body=raw)
    assert status == 400, reply
    assert [d["field"] for d in reply["details"]] == ["body"]


@pytest.mark.parametrize("limit", ["", "1.0", "\u0661", "5_0"])
def test_history_limit_is_ascii_digits(service: CostsService, limit: str) -> None:
    status, reply = call("GET", "/aws-cost-import/history", query={"limit": limit})
    assert status == 400, reply
    assert [d["field"] for d in reply["details"]] == ["limit"]
