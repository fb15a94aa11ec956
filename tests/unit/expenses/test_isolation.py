"""Two-user isolation matrix: user B can neither see nor change anything of user A's.

Every route with an `{id}` is exercised by B with A's id (404, never 403, and no side effect on A);
B's list, summary, categories, profile and export never include A's data.
"""

from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import urlparse

import pytest
from outlay.routes import ROUTES

from tests.unit.expenses.expense_events import Call

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish")

# Expense ids only; /recurring/{id} (rule ids) has its own matrix in tests/unit/recurring.
ID_ROUTES = [
    r for r in ROUTES if r.function == "expenses" and "{id}" in r.path and not r.path.startswith("/recurring")
]
# A valid body per body-carrying route, so B's request would succeed if ownership were not checked.
VALID_BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("PATCH", "/expenses/{id}"): {"amount": "1.00", "description": "hijacked"},
    ("POST", "/expenses/{id}/receipt"): {"contentType": "image/png"},
}


def test_matrix_covers_every_id_route() -> None:
    assert {(r.method, r.path) for r in ID_ROUTES} == {
        ("GET", "/expenses/{id}"),
        ("PATCH", "/expenses/{id}"),
        ("DELETE", "/expenses/{id}"),
        ("POST", "/expenses/{id}/receipt"),
        ("GET", "/expenses/{id}/receipt"),
        ("POST", "/trash/{id}/restore"),
        ("DELETE", "/trash/{id}"),
    }
    assert all((r.method, r.path) in VALID_BODIES for r in ID_ROUTES if r.body_model)


def _state(call: Call, s3_client: Any, expense_id: str) -> dict[str, Any]:
    return {
        "expense": call("GET", f"/expenses/{expense_id}", sub="alice").json,
        "list": call("GET", "/expenses", sub="alice").json,
        "summary": call("GET", "/summary", sub="alice", query={"from": "2026-01", "to": "2026-12"}).json,
        "receipt": s3_client.get_object(Bucket="outlay-test-receipts", Key=f"alice/receipts/{expense_id}")[
            "Body"
        ].read(),
    }


@pytest.fixture
def alice_expense(call: Call, s3_client: Any) -> str:
    reply = call(
        "POST",
        "/expenses",
        sub="alice",
        body={"amount": "99.99", "category": "Travel", "date": "2026-05-05", "vendor": "Alice Air"},
    )
    expense_id = reply.json["id"]
    call("POST", f"/expenses/{expense_id}/receipt", sub="alice", body={"contentType": "application/pdf"})
    s3_client.put_object(
        Bucket="outlay-test-receipts", Key=f"alice/receipts/{expense_id}", Body=b"%PDF-alice"
    )
    return str(expense_id)


@pytest.mark.parametrize("route", ID_ROUTES, ids=lambda r: f"{r.method} {r.path}")
def test_other_user_gets_404_and_changes_nothing(
    call: Call, s3_client: Any, alice_expense: str, route: Any
) -> None:
    before = _state(call, s3_client, alice_expense)
    body = VALID_BODIES.get((route.method, route.path))
    reply = call(route.method, route.path.replace("{id}", alice_expense), sub="bob", body=body)
    assert reply.status == 404, reply.text
    assert reply.json["error"] == "not_found"
    assert _state(call, s3_client, alice_expense) == before
    # And no object appeared under bob's prefix for alice's id.
    listing = s3_client.list_objects_v2(Bucket="outlay-test-receipts", Prefix="bob/")
    assert listing.get("KeyCount", 0) == 0


def test_lists_summaries_exports_are_per_user(call: Call, s3_client: Any, alice_expense: str) -> None:
    call("POST", "/categories", sub="alice", body={"name": "Alice Only"})
    call("PUT", "/profile", sub="alice", body={"defaultCurrency": "EUR"})
    bob = call(
        "POST", "/expenses", sub="bob", body={"amount": "1.00", "category": "Food", "date": "2026-05-06"}
    ).json

    assert [e["id"] for e in call("GET", "/expenses", sub="bob").json["items"]] == [bob["id"]]
    for query in ({"vendor": "alice"}, {"category": "Travel"}, {"from": "2026-05-05", "to": "2026-05-05"}):
        assert call("GET", "/expenses", sub="bob", query=query).json["items"] == []

    summary = call("GET", "/summary", sub="bob", query={"from": "2026-01", "to": "2026-12"}).json
    assert summary["items"] == [
        {"month": "2026-05", "category": "Food", "currency": "USD", "total": "1.00", "count": 1}
    ]
    assert summary["totals"] == [{"currency": "USD", "total": "1.00"}]

    assert "Alice Only" not in [c["name"] for c in call("GET", "/categories", sub="bob").json["items"]]
    assert call("GET", "/profile", sub="bob").json == {"defaultCurrency": "USD"}

    export = call("GET", "/expenses/export", sub="bob").json
    key = urlparse(export["url"]).path.lstrip("/")
    assert key.startswith("bob/exports/") and export["rows"] == 1
    text = s3_client.get_object(Bucket="outlay-test-receipts", Key=key)["Body"].read().decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["id"] for r in rows] == [bob["id"]]
    assert alice_expense not in text and "Alice Air" not in text


def test_path_cannot_smuggle_another_users_key(call: Call, alice_expense: str) -> None:
    for path in (f"/expenses/USER%23alice%23{alice_expense}", "/expenses/..%2Falice", "/expenses/a%23b"):
        assert call("GET", path, sub="bob").status == 404
