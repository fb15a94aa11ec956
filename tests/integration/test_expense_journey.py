"""A user's journey over real HTTP with a real Cognito ID token: the same handlers as in AWS."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import requests

from local.pytest_plugin import SignedInUser, new_user
from local.runtime import LocalRuntime

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64 + b"outlay-receipt"


class Api:
    def __init__(self, runtime: LocalRuntime, user: SignedInUser) -> None:
        self.base = runtime.api_url
        self.origin = runtime.url.rstrip("/")
        self.session = requests.Session()
        self.session.headers.update({"Authorization": user.id_token, "Origin": self.origin})

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return self.session.request(method, self.base + path, timeout=60, **kwargs)


def _totals(summary: dict[str, Any]) -> dict[str, Decimal]:
    return {t["currency"]: Decimal(t["total"]) for t in summary["totals"]}


def test_sign_up_to_export(local_runtime: LocalRuntime) -> None:
    user = new_user(local_runtime, "journey")
    api = Api(local_runtime, user)

    # A brand-new user has nothing.
    listed = api.call("GET", "/expenses")
    assert listed.status_code == 200, listed.text
    assert listed.json()["items"] == []
    assert listed.headers["Access-Control-Allow-Origin"] == api.origin

    # Create two expenses in two currencies.
    lunch = api.call(
        "POST",
        "/expenses",
        json={
            "amount": "12.50",
            "currency": "USD",
            "date": "2026-03-14",
            "category": "Food",
            "vendor": "Deli",
        },
    )
    assert lunch.status_code == 201, lunch.text
    lunch_id = lunch.json()["id"]
    assert lunch.json()["amount"] == "12.50"
    train = api.call(
        "POST",
        "/expenses",
        json={
            "amount": "39.90",
            "currency": "EUR",
            "date": "2026-03-20",
            "category": "Transport",
            "vendor": "Deutsche Bahn",
            "tags": ["work"],
        },
    )
    assert train.status_code == 201, train.text
    train_id = train.json()["id"]

    listed = api.call("GET", "/expenses").json()["items"]
    assert [e["id"] for e in listed] == [train_id, lunch_id]  # newest first

    summary = api.call("GET", "/summary", params={"from": "2026-03", "to": "2026-03"})
    assert summary.status_code == 200, summary.text
    assert _totals(summary.json()) == {"USD": Decimal("12.50"), "EUR": Decimal("39.90")}

    # Edit: the summary follows.
    edited = api.call("PATCH", f"/expenses/{lunch_id}", json={"amount": "15.25", "description": "team lunch"})
    assert edited.status_code == 200, edited.text
    assert edited.json()["amount"] == "15.25"
    assert api.call("GET", f"/expenses/{lunch_id}").json()["description"] == "team lunch"
    summary = api.call("GET", "/summary", params={"from": "2026-03", "to": "2026-03"}).json()
    assert _totals(summary)["USD"] == Decimal("15.25")

    # Receipt: presigned POST straight to (moto's) S3, from the page origin, then a presigned GET.
    started = api.call("POST", f"/expenses/{lunch_id}/receipt", json={"contentType": "image/png"})
    assert started.status_code == 201, started.text
    upload = started.json()
    preflight = requests.options(
        upload["url"],
        headers={"Origin": api.origin, "Access-Control-Request-Method": "POST"},
        timeout=10,
    )
    assert preflight.headers.get("Access-Control-Allow-Origin") == api.origin
    posted = requests.post(
        upload["url"],
        data=upload["fields"],
        files={"file": ("receipt.png", PNG, "image/png")},
        headers={"Origin": api.origin},
        timeout=30,
    )
    assert posted.status_code in (200, 201, 204), posted.text
    link = api.call("GET", f"/expenses/{lunch_id}/receipt")
    assert link.status_code == 200, link.text
    downloaded = requests.get(link.json()["url"], timeout=30)
    assert downloaded.status_code == 200
    assert downloaded.content == PNG
    assert downloaded.headers["Content-Type"] == "image/png"

    # Export: a CSV behind a short-lived link, with exactly this user's rows.
    exported = api.call("GET", "/expenses/export")
    assert exported.status_code == 200, exported.text
    assert exported.json()["rows"] == 2
    csv_file = requests.get(exported.json()["url"], timeout=30)
    assert csv_file.status_code == 200
    rows = list(csv.DictReader(io.StringIO(csv_file.content.decode("utf-8"))))
    by_id = {row["id"]: row for row in rows}
    assert set(by_id) == {lunch_id, train_id}
    assert by_id[lunch_id]["amount"] == "15.25"
    assert by_id[lunch_id]["currency"] == "USD"
    assert by_id[train_id]["vendor"] == "Deutsche Bahn"
    assert by_id[train_id]["currency"] == "EUR"

    # Delete: gone from the list and the summary, into the trash with its receipt.
    receipts = local_runtime.client("s3")
    prefix = f"{user.sub}/receipts/"
    assert api.call("DELETE", f"/expenses/{lunch_id}").status_code == 204
    assert api.call("GET", f"/expenses/{lunch_id}").status_code == 404
    assert [e["id"] for e in api.call("GET", "/expenses").json()["items"]] == [train_id]
    summary = api.call("GET", "/summary", params={"from": "2026-03", "to": "2026-03"}).json()
    assert _totals(summary) == {"EUR": Decimal("39.90")}
    assert [e["id"] for e in api.call("GET", "/trash").json()["items"]] == [lunch_id]
    bucket = local_runtime.resources.receipts_bucket
    assert receipts.list_objects_v2(Bucket=bucket, Prefix=prefix).get("KeyCount", 0) == 1

    # Undo: the same id comes back with its receipt and its totals.
    restored = api.call("POST", f"/trash/{lunch_id}/restore")
    assert restored.status_code == 200 and restored.json()["id"] == lunch_id
    assert api.call("GET", f"/expenses/{lunch_id}/receipt").status_code == 200
    summary = api.call("GET", "/summary", params={"from": "2026-03", "to": "2026-03"}).json()
    assert _totals(summary) == {"EUR": Decimal("39.90"), "USD": Decimal("15.25")}

    # Delete, then delete for good from the trash: the receipt object goes too.
    assert api.call("DELETE", f"/expenses/{lunch_id}").status_code == 204
    assert api.call("DELETE", f"/trash/{lunch_id}").status_code == 204
    assert requests.get(link.json()["url"], timeout=30).status_code in (
        403,
        404,
    )  # S3: 403 without ListBucket
    remaining = local_runtime.client("s3").list_objects_v2(
        Bucket=local_runtime.resources.receipts_bucket, Prefix=f"{user.sub}/receipts/"
    )
    assert remaining.get("KeyCount", 0) == 0


def test_users_cannot_see_each_other(local_runtime: LocalRuntime) -> None:
    alice, bob = new_user(local_runtime, "alice"), new_user(local_runtime, "bob")
    as_alice, as_bob = Api(local_runtime, alice), Api(local_runtime, bob)
    created = as_alice.call(
        "POST",
        "/expenses",
        json={"amount": "99.99", "currency": "USD", "category": "Health", "vendor": "Dentist"},
    )
    assert created.status_code == 201, created.text
    expense_id = created.json()["id"]

    assert as_bob.call("GET", "/expenses").json()["items"] == []
    assert as_bob.call("GET", f"/expenses/{expense_id}").status_code == 404
    assert as_bob.call("PATCH", f"/expenses/{expense_id}", json={"amount": "1.00"}).status_code == 404
    assert as_bob.call("DELETE", f"/expenses/{expense_id}").status_code == 404
    assert (
        as_bob.call("POST", f"/expenses/{expense_id}/receipt", json={"contentType": "image/png"}).status_code
        == 404
    )
    assert _totals(as_bob.call("GET", "/summary").json()) == {}
    # ... and Alice's expense is untouched by Bob's attempts.
    assert as_alice.call("GET", f"/expenses/{expense_id}").json()["amount"] == "99.99"


def test_invalid_input_gets_the_standard_error_body(local_runtime: LocalRuntime) -> None:
    api = Api(local_runtime, new_user(local_runtime, "typo"))
    response = api.call("POST", "/expenses", json={"amount": "12.345", "currency": "USD", "category": "Food"})
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "invalid_input"
    assert any(d["field"] == "amount" for d in body["details"])


def test_each_currency_in_its_own_units_over_http(local_runtime: LocalRuntime) -> None:
    api = Api(local_runtime, new_user(local_runtime, "units"))
    refused = api.call("POST", "/expenses", json={"amount": "5.50", "currency": "JPY", "category": "Food"})
    assert refused.status_code == 400
    assert [d["field"] for d in refused.json()["details"]] == ["amount"]
    for amount, currency in (("500", "JPY"), ("1.234", "KWD")):
        body = {"amount": amount, "currency": currency, "category": "Food", "date": "2026-03-02"}
        created = api.call("POST", "/expenses", json=body)
        assert created.status_code == 201 and created.json()["amount"] == amount
    summary = api.call("GET", "/summary", params={"from": "2026-03", "to": "2026-03"}).json()
    assert summary["totals"] == [{"currency": "JPY", "total": "500"}, {"currency": "KWD", "total": "1.234"}]


def test_concurrent_requests_keep_callers_apart(local_runtime: LocalRuntime) -> None:
    """The dashboard fires requests in parallel; each must run as its own caller, never another's."""
    from concurrent.futures import ThreadPoolExecutor

    users = [new_user(local_runtime, f"parallel{i}") for i in range(3)]
    apis = [Api(local_runtime, user) for user in users]
    for index, api in enumerate(apis):
        body = {"amount": f"{index + 1}.00", "currency": "USD", "category": "Other", "vendor": f"v{index}"}
        assert api.call("POST", "/expenses", json=body).status_code == 201

    def vendors(index: int) -> set[str]:
        response = apis[index % 3].call("GET", "/expenses")
        assert response.status_code == 200, response.text
        return {e["vendor"] for e in response.json()["items"]}

    with ThreadPoolExecutor(max_workers=6) as pool:
        seen = list(pool.map(vendors, range(24)))
    assert all(result == {f"v{i % 3}"} for i, result in enumerate(seen))
