"""A ledger kept with KEEP_STATE=1 before filters and search had index items still finds every match."""

from __future__ import annotations

import json
from pathlib import Path

import requests

from local.pytest_plugin import new_user
from local.runtime import LocalRuntime


def _index_items(snapshot: dict) -> list[dict]:
    return [i for i in snapshot["tables"]["expenses"] if i["sk"]["S"].startswith("IX#")]


def test_a_snapshot_kept_before_the_search_index_is_indexed_on_restore(tmp_path: Path) -> None:
    with LocalRuntime(port=0, web_dist=None, seed=False, keep_state=True, state_dir=tmp_path) as runtime:
        alice = new_user(runtime, "alice")
        for vendor, description in (("Marriott", "Trip to Lisbon"), ("IKEA", "Shelves")):
            created = requests.post(
                f"{runtime.api_url}/expenses",
                json={
                    "amount": "120.00",
                    "currency": "EUR",
                    "category": "Travel",
                    "date": "2026-11-03",
                    "vendor": vendor,
                    "description": description,
                },
                headers=alice.headers,
                timeout=30,
            )
            assert created.status_code == 201, created.text
    path = tmp_path / "snapshot.json"
    snapshot = json.loads(path.read_text())
    assert _index_items(snapshot), "a snapshot of today's runtime holds index items"
    # What a snapshot written before the index existed looks like: the same expenses, no IX# items.
    snapshot["tables"]["expenses"] = [
        i for i in snapshot["tables"]["expenses"] if i not in _index_items(snapshot)
    ]
    path.write_text(json.dumps(snapshot))

    with LocalRuntime(port=0, web_dist=None, seed=False, keep_state=True, state_dir=tmp_path) as runtime:
        headers = {"Authorization": runtime.id_token(alice.email, alice.password)}
        by_vendor = requests.get(
            f"{runtime.api_url}/expenses", params={"vendor": "marr"}, headers=headers, timeout=30
        )
        by_words = requests.get(
            f"{runtime.api_url}/expenses", params={"q": "lisb"}, headers=headers, timeout=30
        )
    assert [e["vendor"] for e in by_vendor.json()["items"]] == ["Marriott"]
    assert [e["description"] for e in by_words.json()["items"]] == ["Trip to Lisbon"]
