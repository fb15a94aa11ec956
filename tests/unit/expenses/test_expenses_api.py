"""The expenses API through its Lambda handler (API Gateway proxy events, moto behind)."""

from __future__ import annotations

import base64
import json
from decimal import Decimal
from typing import Any

import boto3
import pytest
from outlay.handlers import expenses_api

from tests.unit.expenses.expense_events import Call, proxy_event

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish")


def create(call: Call, sub: str = "alice", **body: Any) -> dict[str, Any]:
    payload = {"amount": "10.00", "category": "Food", "date": "2026-03-10", **body}
    reply = call("POST", "/expenses", sub=sub, body=payload)
    assert reply.status == 201, reply.text
    return reply.json


def fields(reply: Any) -> set[str]:
    return {d["field"] for d in reply.json["details"]}


# ----------------------------------------------------------------------------- create


def test_create_returns_stored_expense_with_exact_amount(call: Call) -> None:
    reply = call(
        "POST",
        "/expenses",
        raw_body='{"amount": 1234.10, "currency": "eur", "date": "2026-02-03", "category": "food",'
        ' "vendor": " Cafe ", "description": "Lunch", "tags": ["work", "Work", "team"]}',
    )
    assert reply.status == 201
    body = reply.json
    assert body["amount"] == "1234.10" and body["currency"] == "EUR" and body["category"] == "Food"
    assert body["vendor"] == "Cafe" and body["tags"] == ["work", "team"] and body["source"] == "manual"
    assert call("GET", f"/expenses/{body['id']}").json == body


def test_create_defaults_currency_from_profile_and_date_today(call: Call) -> None:
    assert create(call, date=None)["currency"] == "USD"
    assert call("PUT", "/profile", body={"defaultCurrency": "gbp"}).json == {"defaultCurrency": "GBP"}
    body = {"amount": 3, "category": "Food"}
    created = call("POST", "/expenses", body=body).json
    assert created["currency"] == "GBP" and created["amount"] == "3.00"
    assert len(created["date"]) == 10


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount": "12.345", "category": "Food"}, "amount"),
        ({"amount": 0, "category": "Food"}, "amount"),
        ({"amount": -5, "category": "Food"}, "amount"),
        ({"amount": "1000000000.01", "category": "Food"}, "amount"),
        ({"amount": True, "category": "Food"}, "amount"),
        ({"category": "Food"}, "amount"),
        ({"amount": 1, "category": "Food", "currency": "XYZ"}, "currency"),
        ({"amount": 1, "category": "Food", "date": "2026-02-30"}, "date"),
        ({"amount": 1, "category": "Food", "date": "03/10/2026"}, "date"),
        ({"amount": 1, "category": "Nope"}, "category"),
        ({"amount": 1, "category": "Food", "vendor": "v" * 201}, "vendor"),
        ({"amount": 1, "category": "Food", "description": "d" * 501}, "description"),
        ({"amount": 1, "category": "Food", "tags": [f"t{i}" for i in range(11)]}, "tags"),
        ({"amount": 1, "category": "Food", "tags": ["x" * 41]}, "tags"),
        ({"amount": 1, "category": "Food", "userId": "mallory"}, "userId"),
    ],
)
def test_create_rejects_invalid_fields_naming_them(call: Call, body: dict[str, Any], field: str) -> None:
    reply = call("POST", "/expenses", body=body)
    assert reply.status == 400, reply.text
    assert reply.json["error"] == "invalid_input"
    assert field in fields(reply)
    assert call("GET", "/expenses").json["items"] == []


def test_nan_and_infinity_are_rejected(call: Call) -> None:
    for raw in ('{"amount": NaN, "category": "Food"}', '{"amount": Infinity, "category": "Food"}'):
        reply = call("POST", "/expenses", raw_body=raw)
        assert reply.status == 400 and "amount" in fields(reply)


def test_malformed_json_and_non_object_and_empty_body(call: Call) -> None:
    assert call("POST", "/expenses", raw_body='{"amount": ').status == 400
    assert call("POST", "/expenses", raw_body="[1, 2]").json["details"][0]["field"] == "body"
    reply = call("POST", "/expenses", raw_body="")
    assert reply.status == 400 and fields(reply) == {"body"}


def test_oversize_body_is_413(call: Call) -> None:
    reply = call("POST", "/expenses", body={"amount": 1, "category": "Food", "description": "x" * 70_000})
    assert reply.status == 413 and reply.json["error"] == "payload_too_large"


def test_user_id_in_body_cannot_choose_the_owner(call: Call) -> None:
    reply = call("POST", "/expenses", sub="alice", body={"amount": 1, "category": "Food", "sub": "bob"})
    assert reply.status == 400
    assert call("GET", "/expenses", sub="bob").json["items"] == []


def test_missing_claims_are_refused(call: Call) -> None:
    assert call("GET", "/expenses", sub=None).status == 403


def test_user_category_is_accepted_after_creation(call: Call) -> None:
    assert call("POST", "/expenses", body={"amount": 1, "category": "Pets"}).status == 400
    assert call("POST", "/categories", body={"name": "Pets"}).status == 201
    assert create(call, category="pets")["category"] == "Pets"


# ----------------------------------------------------------------------------- idempotency


def test_idempotency_key_replays_the_original(call: Call) -> None:
    body = {"amount": "42.00", "category": "Food", "date": "2026-03-01"}
    first = call("POST", "/expenses", body=body, headers={"Idempotency-Key": "abc-123"})
    again = call("POST", "/expenses", body=body, headers={"idempotency-key": "abc-123"})
    assert first.status == again.status == 201
    assert again.json["id"] == first.json["id"]
    assert len(call("GET", "/expenses").json["items"]) == 1
    summary = call("GET", "/summary", query={"from": "2026-03", "to": "2026-03"}).json
    assert summary["items"] == [
        {"month": "2026-03", "category": "Food", "currency": "USD", "total": "42.00", "count": 1}
    ]


def test_idempotency_key_with_different_body_conflicts(call: Call) -> None:
    headers = {"Idempotency-Key": "abc-123"}
    assert call("POST", "/expenses", body={"amount": 1, "category": "Food"}, headers=headers).status == 201
    reply = call("POST", "/expenses", body={"amount": 2, "category": "Food"}, headers=headers)
    assert reply.status == 409 and "different request body" in reply.json["message"]
    assert len(call("GET", "/expenses").json["items"]) == 1


def test_invalid_idempotency_key_is_400(call: Call) -> None:
    reply = call(
        "POST", "/expenses", body={"amount": 1, "category": "Food"}, headers={"Idempotency-Key": "a#b"}
    )
    assert reply.status == 400 and fields(reply) == {"Idempotency-Key"}


def test_create_emits_expenses_created_metric(call: Call, capsys: pytest.CaptureFixture[str]) -> None:
    create(call)
    emf = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    assert any(
        m["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "Outlay" and m.get("ExpensesCreated") == [1.0]
        for m in emf
    )


# ----------------------------------------------------------------------------- get / patch / delete


def test_get_unknown_or_malformed_id_is_404(call: Call) -> None:
    for path in ("/expenses/nope", "/expenses/%23bad"):
        reply = call("GET", path)
        assert reply.status == 404 and reply.json["error"] == "not_found"


def test_patch_updates_fields_and_moves_summary(call: Call) -> None:
    expense = create(call, amount="10.00", date="2026-03-10")
    reply = call(
        "PATCH",
        f"/expenses/{expense['id']}",
        body={"date": "2026-04-01", "amount": 12.5, "category": "travel"},
    )
    assert reply.status == 200
    assert (
        reply.json["date"] == "2026-04-01"
        and reply.json["amount"] == "12.50"
        and reply.json["category"] == "Travel"
    )
    summary = call("GET", "/summary", query={"from": "2026-03", "to": "2026-04"}).json
    assert summary["items"] == [
        {"month": "2026-04", "category": "Travel", "currency": "USD", "total": "12.50", "count": 1}
    ]
    listed = call("GET", "/expenses", query={"from": "2026-04-01", "to": "2026-04-30"}).json["items"]
    assert [e["id"] for e in listed] == [expense["id"]]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount": "1.001"}, "amount"),
        ({"amount": None}, "amount"),
        ({"color": "red"}, "color"),
        ({"category": "Nope"}, "category"),
    ],
)
def test_patch_validates_like_create(call: Call, body: dict[str, Any], field: str) -> None:
    expense = create(call)
    reply = call("PATCH", f"/expenses/{expense['id']}", body=body)
    assert reply.status == 400 and field in fields(reply)
    assert call("GET", f"/expenses/{expense['id']}").json == expense


def test_delete_removes_expense_and_aggregate_but_keeps_the_receipt_for_the_trash(
    call: Call, s3_client: Any
) -> None:
    expense = create(call)
    call("POST", f"/expenses/{expense['id']}/receipt", body={"contentType": "image/png"})
    key = f"alice/receipts/{expense['id']}"
    s3_client.put_object(Bucket="outlay-test-receipts", Key=key, Body=b"png")
    assert call("DELETE", f"/expenses/{expense['id']}").status == 204
    assert call("GET", f"/expenses/{expense['id']}").status == 404
    # Restorable for 30 days: the object goes when the trash item expires (test_trash.py).
    assert s3_client.list_objects_v2(Bucket="outlay-test-receipts", Prefix=key).get("KeyCount") == 1
    assert call("GET", "/summary", query={"from": "2026-03", "to": "2026-03"}).json["items"] == []
    assert call("DELETE", f"/expenses/{expense['id']}").status == 404


# ----------------------------------------------------------------------------- list


def test_list_newest_first_with_pagination(call: Call) -> None:
    ids = [create(call, date=f"2026-01-{d:02d}")["id"] for d in range(1, 6)]
    first = call("GET", "/expenses", query={"limit": "2"}).json
    assert [e["id"] for e in first["items"]] == [ids[4], ids[3]]
    second = call("GET", "/expenses", query={"limit": "2", "next": first["next"]}).json
    third = call("GET", "/expenses", query={"limit": "2", "next": second["next"]}).json
    assert [e["id"] for e in second["items"] + third["items"]] == [ids[2], ids[1], ids[0]]
    assert third["next"] is None


def test_list_filters(call: Call) -> None:
    a = create(call, amount="5.00", vendor="Coffee Corner", tags=["work"], date="2026-01-05")
    b = create(call, amount="50.00", vendor="Airline", category="Travel", currency="EUR", date="2026-02-05")
    create(call, amount="500.00", vendor="coffee roasters", date="2026-03-05")

    def ids(**query: str) -> list[str]:
        reply = call("GET", "/expenses", query=query)
        assert reply.status == 200, reply.text
        return [e["id"] for e in reply.json["items"]]

    assert ids(category="Travel") == [b["id"]] == ids(category="travel")
    assert ids(tag="work") == [a["id"]]
    assert len(ids(vendor="COFFEE")) == 2
    assert ids(min="10", max="100") == [b["id"]]
    assert ids(currency="eur") == [b["id"]]
    assert ids(**{"from": "2026-01-01", "to": "2026-01-31"}) == [a["id"]]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "101"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"next": "not-a-token"}, "next"),
        ({"from": "yesterday"}, "from"),
        ({"min": "abc"}, "min"),
        ({"currency": "ZZZ"}, "currency"),
    ],
)
def test_list_rejects_bad_query(call: Call, query: dict[str, str], field: str) -> None:
    reply = call("GET", "/expenses", query=query)
    assert reply.status == 400 and field in fields(reply)


def test_next_token_from_another_user_is_rejected(call: Call) -> None:
    for d in range(1, 4):
        create(call, date=f"2026-01-0{d}")
    token = call("GET", "/expenses", query={"limit": "1"}).json["next"]
    reply = call("GET", "/expenses", sub="bob", query={"next": token})
    assert reply.status == 400 and fields(reply) == {"next"}


# ----------------------------------------------------------------------------- summary / categories / profile


def test_summary_totals_per_currency_never_converted(call: Call) -> None:
    create(call, amount="10.10", date="2026-01-03")
    create(call, amount="0.20", date="2026-01-04")
    create(call, amount="7.00", currency="EUR", category="Travel", date="2026-02-01")
    create(call, amount="99.00", date="2025-01-01")
    reply = call("GET", "/summary", query={"from": "2026-01", "to": "2026-02"})
    assert reply.json == {
        "from": "2026-01",
        "to": "2026-02",
        "category": None,
        "currency": None,
        "items": [
            {"month": "2026-01", "category": "Food", "currency": "USD", "total": "10.30", "count": 2},
            {"month": "2026-02", "category": "Travel", "currency": "EUR", "total": "7.00", "count": 1},
        ],
        "totals": [{"currency": "EUR", "total": "7.00"}, {"currency": "USD", "total": "10.30"}],
    }


def test_summary_takes_the_category_and_currency_filters_and_says_so(call: Call) -> None:
    create(call, amount="10.10", date="2026-01-03")
    create(call, amount="3.00", currency="EUR", date="2026-01-05")
    create(call, amount="7.00", currency="EUR", category="Travel", date="2026-02-01")
    reply = call("GET", "/summary", query={"from": "2026-01", "to": "2026-02", "category": "food"})
    assert reply.json["category"] == "Food" and reply.json["currency"] is None
    totals = reply.json["totals"]
    assert totals == [{"currency": "EUR", "total": "3.00"}, {"currency": "USD", "total": "10.10"}]
    reply = call("GET", "/summary", query={"from": "2026-01", "to": "2026-02", "currency": "EUR"})
    assert reply.json["currency"] == "EUR"
    items = {(i["category"], i["total"]) for i in reply.json["items"]}
    assert items == {("Food", "3.00"), ("Travel", "7.00")}
    assert reply.json["totals"] == [{"currency": "EUR", "total": "10.00"}]


def test_summary_defaults_to_last_12_months_and_validates(call: Call) -> None:
    body = call("GET", "/summary").json
    assert body["items"] == [] and body["from"] < body["to"]
    for query, field in (({"from": "2026-13"}, "from"), ({"from": "2026-05", "to": "2026-01"}, "from")):
        reply = call("GET", "/summary", query=query)
        assert reply.status == 400 and field in fields(reply)


def test_summary_reads_only_aggregates(call: Call) -> None:
    """The summary comes from SUMMARY# items: one Query on the sort-key range, never the expenses."""
    for d in range(1, 11):
        create(call, date=f"2026-01-{d:02d}")
    client = boto3.client("dynamodb", region_name="us-east-1")
    seen: list[dict[str, Any]] = []
    client.meta.events.register(
        "provide-client-params.dynamodb.*",
        lambda params, model, **_: seen.append({"op": model.name, **params}),
    )
    expenses_api.service().repo._client = client  # type: ignore[attr-defined]
    reply = call("GET", "/summary", query={"from": "2026-01", "to": "2026-01"})
    assert reply.json["items"][0]["count"] == 10
    assert [s["op"] for s in seen] == ["Query"]
    assert "IndexName" not in seen[0] and "SUMMARY#" in json.dumps(seen[0]["ExpressionAttributeValues"])


def test_categories_starter_plus_own_and_duplicates(call: Call) -> None:
    names = [c["name"] for c in call("GET", "/categories").json["items"]]
    assert names[:3] == ["Food", "Transport", "Housing"] and len(names) == 9
    assert call("POST", "/categories", body={"name": "Garden"}).status == 201
    assert call("POST", "/categories", body={"name": "garden"}).status == 409
    assert call("POST", "/categories", body={"name": "FOOD"}).status == 409
    reply = call("POST", "/categories", body={"name": "x" * 41})
    assert reply.status == 400 and fields(reply) == {"name"}
    own = [c for c in call("GET", "/categories").json["items"] if not c["builtin"]]
    assert own == [{"name": "Garden", "builtin": False}]
    assert all(c["builtin"] for c in call("GET", "/categories", sub="bob").json["items"])


def test_profile_defaults_and_validation(call: Call) -> None:
    assert call("GET", "/profile").json == {"defaultCurrency": "USD"}
    reply = call("PUT", "/profile", body={"defaultCurrency": "EURO"})
    assert reply.status == 400 and fields(reply) == {"defaultCurrency"}
    assert call("PUT", "/profile", body={"defaultCurrency": "JPY", "x": 1}).status == 400
    call("PUT", "/profile", body={"defaultCurrency": "JPY"})
    assert call("GET", "/profile").json == {"defaultCurrency": "JPY"}
    assert call("GET", "/profile", sub="bob").json == {"defaultCurrency": "USD"}


# ----------------------------------------------------------------------------- receipts


def test_receipt_upload_policy_and_download(call: Call, s3_client: Any) -> None:
    expense = create(call)
    reply = call(
        "POST",
        f"/expenses/{expense['id']}/receipt",
        body={"contentType": "application/pdf", "fileName": "r.pdf"},
    )
    assert reply.status == 201
    upload = reply.json
    assert upload["key"] == f"alice/receipts/{expense['id']}" and upload["expiresIn"] == 300
    policy = json.loads(base64.b64decode(upload["fields"]["policy"]))
    conditions = policy["conditions"]
    assert ["content-length-range", 1, 10 * 1024 * 1024] in conditions
    assert {"Content-Type": "application/pdf"} in conditions and {"key": upload["key"]} in conditions
    assert call("GET", f"/expenses/{expense['id']}").json["receiptContentType"] == "application/pdf"
    # Not uploaded yet -> 404; once the object exists -> a short-lived link.
    assert call("GET", f"/expenses/{expense['id']}/receipt").status == 404
    s3_client.put_object(Bucket="outlay-test-receipts", Key=upload["key"], Body=b"%PDF")
    link = call("GET", f"/expenses/{expense['id']}/receipt").json
    assert link["expiresIn"] == 300 and upload["key"] in link["url"] and "Expires=" in link["url"]


def test_receipt_rejects_other_content_types_and_missing_receipt(call: Call) -> None:
    expense = create(call)
    reply = call("POST", f"/expenses/{expense['id']}/receipt", body={"contentType": "text/html"})
    assert reply.status == 400 and fields(reply) == {"contentType"}
    assert call("GET", f"/expenses/{expense['id']}/receipt").status == 404
    assert call("POST", "/expenses/nope/receipt", body={"contentType": "image/png"}).status == 404


def test_amounts_never_become_floats_in_responses(call: Call) -> None:
    expense = create(call, amount="0.10")
    text = call("GET", f"/expenses/{expense['id']}").text
    assert '"amount":"0.10"' in text
    assert Decimal(json.loads(text)["amount"]) == Decimal("0.10")


def test_cors_header_for_allowed_origin(call: Call) -> None:
    reply = call("GET", "/profile")
    assert reply.headers.get("access-control-allow-origin") == "https://app.example.com"
    other = expenses_api.handler(
        proxy_event("GET", "/profile", headers={"Origin": "https://evil.example"}), None
    )
    assert "https://evil.example" not in json.dumps(other.get("multiValueHeaders") or {})
