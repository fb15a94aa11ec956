"""A ledger kept with KEEP_STATE=1 before filters and search had index items still finds every match."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import requests

from tests.integration.local_process import running, sign_in, sign_up


def _index_items(snapshot: dict[str, Any]) -> list[dict[str, Any]]:
    return [i for i in snapshot["tables"]["expenses"] if i["sk"]["S"].startswith("IX#")]


def test_a_snapshot_kept_before_the_search_index_is_indexed_on_restore(tmp_path: Path) -> None:
    state = tmp_path / "state"
    email = "indexed@example.com"
    with running("--no-seed", "--keep-state", "--state-dir", str(state)) as run:
        auth = sign_up(run, email)
        for vendor, description in (("Marriott", "Trip to Lisbon"), ("IKEA", "Shelves")):
            created = requests.post(
                f"{run.base}/api/expenses",
                json={
                    "amount": "120.00",
                    "currency": "EUR",
                    "category": "Travel",
                    "vendor": vendor,
                    "description": description,
                },
                headers=auth,
                timeout=30,
            )
            assert created.status_code == 201, created.text
        assert run.interrupt() == 0
    path = state / "snapshot.json"
    snapshot = json.loads(path.read_text())
    assert _index_items(snapshot), "a snapshot of today's runtime holds index items"
    # What a snapshot written before the index existed looks like: the same expenses, no IX# items.
    snapshot["tables"]["expenses"] = [
        i for i in snapshot["tables"]["expenses"] if i not in _index_items(snapshot)
    ]
    path.write_text(json.dumps(snapshot))

    with running("--no-seed", "--keep-state", "--state-dir", str(state)) as run:
        auth = {"Authorization": sign_in(run, email)}
        by_vendor = requests.get(
            f"{run.base}/api/expenses", params={"vendor": "marr"}, headers=auth, timeout=30
        )
        by_words = requests.get(f"{run.base}/api/expenses", params={"q": "lisb"}, headers=auth, timeout=30)
        assert run.interrupt() == 0
    assert [e["vendor"] for e in by_vendor.json()["items"]] == ["Marriott"]
    assert [e["description"] for e in by_words.json()["items"]] == ["Trip to Lisbon"]
