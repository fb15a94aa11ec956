"""Bank-statement import over real HTTP: presigned upload to (moto's) S3, analyze, commit (202 + run
id), the queue's worker, the run's progress; a second upload of the same file writes nothing new."""

from __future__ import annotations

import time
from typing import Any

import requests

from local.pytest_plugin import new_user
from local.runtime import LocalRuntime
from tests.integration.test_expense_journey import Api

THREE_ROWS = "Date,Amount,Payee\n2026-05-02,-12.50,Deli\n2026-05-03,-abc,Broken\n2026-05-04,-40.00,Garage\n"


def _upload(api: Api, text: str) -> str:
    started = api.call("POST", "/imports/statements")
    assert started.status_code == 201, started.text
    upload = started.json()
    posted = requests.post(
        upload["url"],
        data=upload["fields"],
        files={"file": ("statement.csv", text.encode(), "text/csv")},
        headers={"Origin": api.origin},
        timeout=30,
    )
    assert posted.status_code in (200, 201, 204), posted.text
    return str(upload["uploadId"])


def _commit(api: Api, runtime: LocalRuntime, upload_id: str, mapping: dict[str, Any]) -> dict[str, Any]:
    committed = api.call("POST", f"/imports/statements/{upload_id}/commit", json={"mapping": mapping})
    assert committed.status_code == 202, committed.text
    run_id = committed.json()["runId"]
    assert runtime.wait_for_statements(120)
    deadline = time.monotonic() + 30
    while True:
        run = api.call("GET", f"/imports/statements/runs/{run_id}").json()
        if run["status"] == "succeeded" or time.monotonic() > deadline:
            return dict(run)
        time.sleep(0.2)


def _statement_lines(api: Api) -> list[dict[str, Any]]:
    items = api.call("GET", "/expenses", params={"from": "2026-05-01", "to": "2026-05-31"}).json()["items"]
    return [e for e in items if e["source"] == "statement"]


def test_three_rows_one_bad_reported_by_line_two_saved_once_across_two_uploads(
    local_runtime: LocalRuntime,
) -> None:
    api = Api(local_runtime, new_user(local_runtime, "statement"))
    upload_id = _upload(api, THREE_ROWS)

    analyzed = api.call("POST", f"/imports/statements/{upload_id}/analyze", json={"mapping": None})
    assert analyzed.status_code == 200, analyzed.text
    analysis = analyzed.json()
    assert analysis["counts"] == {"total": 3, "valid": 2, "credits": 0, "bad": 1, "duplicates": 0}
    assert analysis["badRows"] == [
        {"line": 3, "field": "amount", "reason": "not an amount with '.' as the decimal mark"}
    ]
    mapping = analysis["mapping"]
    assert (mapping["date"], mapping["amount"], mapping["vendor"], mapping["fixedCurrency"]) == (
        0,
        1,
        2,
        "USD",
    )

    run = _commit(api, local_runtime, upload_id, mapping)
    assert (run["status"], run["done"], run["total"], run["created"], run["bad"]) == ("succeeded", 3, 3, 2, 1)
    assert run["badRows"] == [
        {"line": 3, "field": "amount", "reason": "not an amount with '.' as the decimal mark"}
    ]
    saved = _statement_lines(api)
    assert sorted((e["vendor"], e["amount"]) for e in saved) == [("Deli", "12.50"), ("Garage", "40.00")]

    # The same file again: the remembered mapping is proposed, and nothing new is written.
    again_id = _upload(api, THREE_ROWS)
    again = api.call("POST", f"/imports/statements/{again_id}/analyze").json()
    assert again["remembered"] is True and again["counts"]["duplicates"] == 0
    second = _commit(api, local_runtime, again_id, again["mapping"])
    assert (second["created"], second["unchanged"], second["bad"]) == (0, 2, 1)
    assert sorted(e["id"] for e in _statement_lines(api)) == sorted(e["id"] for e in saved)

    listed = api.call("GET", "/imports/statements/runs").json()["items"]
    assert [r["runId"] for r in listed] == [second["runId"], run["runId"]]


def test_another_users_upload_and_run_are_not_found(local_runtime: LocalRuntime) -> None:
    alice = Api(local_runtime, new_user(local_runtime, "st-alice"))
    bob = Api(local_runtime, new_user(local_runtime, "st-bob"))
    upload_id = _upload(alice, THREE_ROWS)
    assert bob.call("POST", f"/imports/statements/{upload_id}/analyze").status_code == 404
    assert bob.call("GET", "/imports/statements/runs/20260101000000-deadbeef").status_code == 404
    bad = alice.call("POST", f"/imports/statements/{upload_id}/commit", json={"mapping": {"date": 0}})
    # API Gateway's request validator (the same schema locally) refuses it before the function runs.
    assert bad.status_code == 400, bad.text
    assert "delimiter" in str(bad.json()["details"])


def test_the_demo_user_has_an_imported_statement(local_runtime: LocalRuntime) -> None:
    report = local_runtime.wait_for_seed()
    assert report.get("statementRows") == 5  # 3 debits, 1 salary credit, 1 line with a broken date
    assert local_runtime.wait_for_statements(120)
    ddb = local_runtime.client("dynamodb")
    items = ddb.query(
        TableName=local_runtime.resources.expenses_table,
        KeyConditionExpression="pk = :pk AND begins_with(sk, :sk)",
        ExpressionAttributeValues={":pk": {"S": f"USER#{report['sub']}"}, ":sk": {"S": "EXPENSE#st-"}},
    )["Items"]
    assert sorted(i["vendor"]["S"] for i in items) == ["Deutsche Bahn", "Rewe Markt", "Stadtwerke"]
