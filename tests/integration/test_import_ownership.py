"""Issue 11's "Done when" for imports, over real HTTP on the local runtime: edits and deletions of
imported lines survive re-imports (and the counts say so), and a 12-month backfill answers at once
with a run id and completes through the queue (local SQS poller -> worker)."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from typing import Any

import requests
from outlay.logic import months as month_rules

from local.pytest_plugin import SignedInUser, new_user
from local.runtime import LocalRuntime


def _connected_user(rt: LocalRuntime, prefix: str) -> SignedInUser:
    user = new_user(rt, prefix)
    keys = {
        "type": "keys",
        "accessKeyId": "AKIA" + uuid.uuid4().hex[:16].upper(),
        "secretAccessKey": "integration-secret-" + uuid.uuid4().hex,
        "region": rt.region,
    }
    response = requests.post(f"{rt.api_url}/aws-credentials", headers=user.headers, json=keys, timeout=30)
    assert response.status_code == 200, response.text
    return user


def _import(rt: LocalRuntime, user: SignedInUser, body: dict[str, Any]) -> requests.Response:
    return requests.post(f"{rt.api_url}/aws-cost-import", headers=user.headers, json=body, timeout=60)


def _counts(run: dict[str, Any]) -> dict[str, int]:
    names = ("Created", "Updated", "Unchanged", "KeptUserEdits", "DismissedSkipped", "Removed")
    return {name: run[f"expenses{name}"] for name in names}


def test_edit_and_delete_of_imported_lines_survive_two_reimports(local_runtime: LocalRuntime) -> None:
    rt = local_runtime
    user = _connected_user(rt, "owner")
    month = month_rules.previous_month(datetime.now(UTC).date())
    first = _import(rt, user, {"month": month})
    assert first.status_code == 200, first.text
    assert first.json()["expensesCreated"] >= 2, first.json()

    listed = requests.get(
        f"{rt.api_url}/expenses", headers=user.headers, params={"limit": 100}, timeout=30
    ).json()["items"]
    edited, deleted = [e for e in listed if e["source"] == "aws" and e["vendor"] != "AWS - Tax"][:2]

    patch = requests.patch(
        f"{rt.api_url}/expenses/{edited['id']}",
        headers=user.headers,
        json={"category": "Travel", "description": "our staging account"},
        timeout=30,
    )
    assert patch.status_code == 200, patch.text
    assert patch.json()["userEdited"] == ["category", "description"]
    gone = requests.delete(f"{rt.api_url}/expenses/{deleted['id']}", headers=user.headers, timeout=30)
    assert gone.status_code == 204, gone.text

    total = first.json()["expensesCreated"]
    for _ in range(2):
        again = _import(rt, user, {"month": month})
        assert again.status_code == 200, again.text
        counts = _counts(again.json())
        print(f"re-import counts: {counts}")
        assert counts == {
            "Created": 0,
            "Updated": 0,
            "Unchanged": total - 2,
            "KeptUserEdits": 1,
            "DismissedSkipped": 1,
            "Removed": 0,
        }
        kept = requests.get(f"{rt.api_url}/expenses/{edited['id']}", headers=user.headers, timeout=30)
        assert (kept.json()["category"], kept.json()["description"]) == ("Travel", "our staging account")
        stays = requests.get(f"{rt.api_url}/expenses/{deleted['id']}", headers=user.headers, timeout=30)
        assert stays.status_code == 404

    dismissed = requests.get(f"{rt.api_url}/aws-cost-import/dismissed", headers=user.headers, timeout=30)
    assert [d["expense"]["id"] for d in dismissed.json()["items"]] == [deleted["id"]]
    restored = requests.post(
        f"{rt.api_url}/aws-cost-import/dismissed/{deleted['id']}/restore", headers=user.headers, timeout=30
    )
    assert restored.status_code == 200 and restored.json()["id"] == deleted["id"]
    assert _counts(_import(rt, user, {"month": month}).json())["DismissedSkipped"] == 0


def test_a_twelve_month_backfill_answers_at_once_and_completes(local_runtime: LocalRuntime) -> None:
    rt = local_runtime
    user = _connected_user(rt, "backfill")
    last = month_rules.previous_month(datetime.now(UTC).date())
    first = month_rules.add_months(last, -11)
    started = time.perf_counter()
    response = _import(rt, user, {"from": first, "to": last})
    answered = time.perf_counter() - started
    assert response.status_code == 202, response.text
    run = response.json()
    assert run["status"] == "running" and len(run["progress"]) == 12

    deadline = time.monotonic() + 300
    while True:
        progress = requests.get(
            f"{rt.api_url}/aws-cost-import/runs/{run['runId']}", headers=user.headers, timeout=30
        )
        assert progress.status_code == 200, progress.text
        if progress.json()["status"] != "running" or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    done = progress.json()
    completed = time.perf_counter() - started
    print(f"backfill: 202 after {answered:.3f}s, {done['status']} after {completed:.1f}s")
    assert done["status"] == "succeeded", done
    assert [p["status"] for p in done["progress"]] == ["succeeded"] * 12
    assert [p["month"] for p in done["progress"]] == [month_rules.add_months(first, i) for i in range(12)]
