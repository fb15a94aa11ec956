"""`KEEP_STATE=1`: every acknowledged write survives a SIGTERM during a write burst; a `kill -9`
loses at most the writes of the last snapshot interval and never leaves a state that cannot load."""

from __future__ import annotations

import json
import signal
import threading
import time
from pathlib import Path
from typing import Any

import requests

from tests.integration.local_process import Running, expense_ids, running, sign_in, sign_up


def _expense(n: int) -> dict[str, str]:
    return {"amount": f"{n + 1}.25", "currency": "USD", "category": "Food", "vendor": f"Burst {n}"}


class Burst:
    """Writers that create, patch and delete expenses until the runtime stops answering, recording
    only what was acknowledged (201 / 200 / 204)."""

    def __init__(self, run: Running, auth: dict[str, str]) -> None:
        self.run, self.auth = run, auth
        self.created: list[str] = []  # POST acknowledged, nothing else attempted on them
        self.patched: list[str] = []  # PATCH to vendor "Patched" acknowledged
        self.deleted: list[str] = []  # DELETE acknowledged
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._write, args=(kind,)) for kind in range(4)]

    def _write(self, kind: int) -> None:
        session, base, n = requests.Session(), f"{self.run.base}/api/expenses", 0
        try:
            while True:
                n += 1
                created = session.post(base, json=_expense(n), headers=self.auth, timeout=30)
                if created.status_code != 201:
                    return  # 503: the runtime is stopping
                expense_id = created.json()["id"]
                if kind == 0:
                    done = session.delete(f"{base}/{expense_id}", headers=self.auth, timeout=30)
                    if done.status_code != 204:
                        return
                    record = self.deleted
                elif kind == 1:
                    done = session.patch(
                        f"{base}/{expense_id}", json={"vendor": "Patched"}, headers=self.auth, timeout=30
                    )
                    if done.status_code != 200:
                        return
                    record = self.patched
                else:
                    record = self.created
                with self._lock:
                    record.append(expense_id)
        except requests.RequestException:
            return  # the listening socket is closed

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def acknowledged(self) -> int:
        with self._lock:
            return len(self.created) + len(self.patched) + len(self.deleted)

    def join(self) -> None:
        for thread in self._threads:
            thread.join(timeout=60)

    def lost(self, kept: dict[str, dict[str, Any]]) -> list[str]:
        missing = [f"created {i}" for i in self.created if i not in kept]
        missing += [f"patched {i}" for i in self.patched if kept.get(i, {}).get("vendor") != "Patched"]
        missing += [f"deleted {i} came back" for i in self.deleted if i in kept]
        return missing


def test_sigterm_during_a_write_burst_loses_no_acknowledged_write(tmp_path: Path) -> None:
    state, email = tmp_path / "state", "burst@example.com"
    with running("--no-seed", "--keep-state", "--state-dir", str(state)) as run:
        auth = sign_up(run, email)
        burst = Burst(run, auth)
        burst.start()
        deadline = time.monotonic() + 60
        while burst.acknowledged() < 30 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert run.interrupt(signal.SIGTERM) == 0, run.output
        burst.join()
        assert "Traceback" not in run.output
    assert burst.created and burst.patched and burst.deleted

    with running("--no-seed", "--keep-state", "--state-dir", str(state)) as run:
        kept = expense_ids(run, {"Authorization": sign_in(run, email)})
        assert burst.lost(kept) == []
        assert run.interrupt() == 0


def _snapshot_expenses(state: Path) -> set[str]:
    """Expense ids in the snapshot file as it is on disk now (replaced atomically, so always whole)."""
    path = state / "snapshot.json"
    if not path.is_file():
        return set()
    items = json.loads(path.read_text())["tables"]["expenses"]
    return {
        item["sk"]["S"].removeprefix("EXPENSE#") for item in items if item["sk"]["S"].startswith("EXPENSE#")
    }


def test_kill_9_loses_at_most_the_last_snapshot_interval(tmp_path: Path) -> None:
    state, email = tmp_path / "state", "crash@example.com"
    args = ("--no-seed", "--keep-state", "--state-dir", str(state), "--snapshot-every", "0.5")
    with running(*args) as run:
        auth = sign_up(run, email)
        base = f"{run.base}/api/expenses"
        earlier = [requests.post(base, json=_expense(n), headers=auth, timeout=30) for n in range(6)]
        assert [r.status_code for r in earlier] == [201] * 6
        earlier_ids = {r.json()["id"] for r in earlier}
        # No clean stop has happened: only the periodic snapshot can have written them.
        deadline = time.monotonic() + 60
        while not earlier_ids <= _snapshot_expenses(state) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert earlier_ids <= _snapshot_expenses(state)
        last = [requests.post(base, json=_expense(n), headers=auth, timeout=30) for n in range(6, 10)]
        assert [r.status_code for r in last] == [201] * 4
        run.kill()
    assert (state / "snapshot.json").stat().st_mode & 0o777 == 0o600

    with running(*args) as run:
        kept = set(expense_ids(run, {"Authorization": sign_in(run, email)}))
        assert earlier_ids <= kept  # older than the window: all there
        assert len(kept - earlier_ids) <= len(last)  # within the window: some may be lost, nothing else
        assert run.interrupt() == 0
