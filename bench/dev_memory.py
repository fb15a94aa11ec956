"""`make dev` under sustained use: the runtime's resident memory after start, after 1,000 and after
10,000 API writes, next to the size of the data it holds; and how stale the kept state can be.

The runtime runs as `python -m local --no-seed --keep-state` in its own process; this process is its
only client. Writes are a ledger's mix over HTTP (7 creates, 2 edits, 1 delete in every 10), so the
data held grows slower than the number of writes. "Data held" is the kept-state snapshot on disk
(every table item, lake and receipt object, users, key): what a restart would restore.
"""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests

from bench.common import ROOT, Row, env

TARGET_RATIO = 10.0  # RSS growth above the started runtime, as a multiple of the data held
TARGET_WINDOW_S = 5.0
TARGET_EDIT_GROWTH_MB = 5.0  # 1,000 writes that add no data should add no memory
PASSWORD = "Bench-memory-1!"  # noqa: S105 - a throwaway local user


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def _cognito(base: str, operation: str, body: dict[str, Any]) -> dict[str, Any]:
    response = requests.post(
        f"{base}/cognito/",
        data=json.dumps(body),
        headers={
            "X-Amz-Target": f"AWSCognitoIdentityProviderService.{operation}",
            "Content-Type": "application/x-amz-json-1.1",
        },
        timeout=30,
    )
    response.raise_for_status()
    return response.json()  # type: ignore[no-any-return]


def _sign_up(base: str) -> dict[str, str]:
    client_id = requests.get(f"{base}/config.json", timeout=10).json()["userPoolClientId"]
    email = "bench-memory@example.com"
    attributes = [{"Name": "email", "Value": email}]
    _cognito(
        base,
        "SignUp",
        {"ClientId": client_id, "Username": email, "Password": PASSWORD, "UserAttributes": attributes},
    )
    _cognito(base, "ConfirmSignUp", {"ClientId": client_id, "Username": email, "ConfirmationCode": "1"})
    auth = {"USERNAME": email, "PASSWORD": PASSWORD}
    result = _cognito(
        base,
        "InitiateAuth",
        {"ClientId": client_id, "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": auth},
    )
    return {"Authorization": result["AuthenticationResult"]["IdToken"]}


class Ledger:
    """Writes a ledger's mix: 7 creates, 2 edits and 1 delete in every 10 writes."""

    def __init__(self, base: str, auth: dict[str, str]) -> None:
        from local.seed import demo_expenses

        self.url = f"{base}/api/expenses"
        self.auth = auth
        self.session = requests.Session()
        self.bodies = demo_expenses(datetime.now(UTC).date(), 10_000)
        self.ids: list[str] = []
        self.writes = 0
        self.rng = random.Random(14)

    def edit(self, count: int) -> None:
        """Writes that change no amount of data: one field rewritten in place, same length."""
        for n in range(count):
            target = self.ids[n % len(self.ids)]
            change = {"description": f"edit {n % 10}"}
            response = self.session.patch(f"{self.url}/{target}", json=change, headers=self.auth, timeout=60)
            if response.status_code != 200:
                raise RuntimeError(f"edit {n} answered {response.status_code}: {response.text}")

    def write(self, count: int) -> None:
        for _ in range(count):
            kind = self.writes % 10
            if kind < 7 or len(self.ids) < 10:
                body = self.bodies[self.writes % len(self.bodies)]
                response = self.session.post(self.url, json=body, headers=self.auth, timeout=60)
                if response.status_code == 201:
                    self.ids.append(response.json()["id"])
            elif kind < 9:
                target = self.rng.choice(self.ids)
                change = {"description": f"edited at write {self.writes}"}
                response = self.session.patch(
                    f"{self.url}/{target}", json=change, headers=self.auth, timeout=60
                )
            else:
                target = self.ids.pop(self.rng.randrange(len(self.ids)))
                response = self.session.delete(f"{self.url}/{target}", headers=self.auth, timeout=60)
            if response.status_code not in (200, 201, 204):
                raise RuntimeError(f"write {self.writes} answered {response.status_code}: {response.text}")
            self.writes += 1


def _snapshot_after(path: Path, moment: float, timeout: float = 120.0) -> float:
    """Seconds from `moment` until a snapshot written after it is on disk."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if path.is_file() and path.stat().st_mtime > moment:
            return path.stat().st_mtime - moment
        time.sleep(0.05)
    raise RuntimeError("no snapshot was written")


def measure(counts: tuple[int, ...] = (1_000, 10_000)) -> list[Row]:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        snapshot = Path(tmp) / "snapshot.json"
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "local",
                "--port",
                str(port),
                "--no-seed",
                "--quiet",
                "--keep-state",
                "--state-dir",
                tmp,
            ],
            cwd=ROOT,
            env={**env(), "PYTHONUNBUFFERED": "1"},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            assert process.stdout is not None
            for line in process.stdout:
                if "Ctrl-C to stop" in line:
                    break
            else:
                raise RuntimeError("the local runtime did not start")
            ledger = Ledger(base, _sign_up(base))
            ledger.write(10)  # first calls import the handlers: part of a started runtime
            _snapshot_after(snapshot, time.time())
            start_rss = _rss_mb(process.pid)
            rows = [
                Row(
                    what="`make dev` RSS after start (one user, 10 writes)",
                    figure=f"{start_rss:.0f} MB",
                    floor=f"{snapshot.stat().st_size / 1e6:.2f} MB data held",
                    ratio=None,
                    target="reported",
                    met=True,
                )
            ]
            window = 0.0
            for count in counts:
                started = time.perf_counter()
                ledger.write(count - ledger.writes)
                seconds = time.perf_counter() - started
                window = _snapshot_after(snapshot, time.time())
                rss = _rss_mb(process.pid)
                data = snapshot.stat().st_size / 1e6
                ratio = (rss - start_rss) / data
                rows.append(
                    Row(
                        what=f"`make dev` RSS after {count:,} API writes ({len(ledger.ids):,} expenses held)",
                        figure=f"{rss:.0f} MB (+{rss - start_rss:.0f} MB over start)",
                        floor=f"{data:.1f} MB data held",
                        ratio=ratio,
                        target=f"growth ≤ {TARGET_RATIO:g}x data held",
                        met=ratio <= TARGET_RATIO,
                        fix="Find what moto keeps per write (gc.get_objects by type after N writes) "
                        "and drop it in local/moto_extras.py.",
                    )
                )
                print(
                    f"  {count:,} writes in {seconds:.0f} s ({seconds / max(count, 1) * 1000:.0f} ms/write)"
                )
            before, data_before = _rss_mb(process.pid), snapshot.stat().st_size / 1e6
            ledger.edit(1_000)
            _snapshot_after(snapshot, time.time())
            growth = _rss_mb(process.pid) - before
            rows.append(
                Row(
                    what=f"`make dev` RSS growth, 1,000 edits ({len(ledger.ids):,} expenses kept)",
                    figure=f"{growth:+.1f} MB",
                    floor=f"data held {data_before:.2f} → {snapshot.stat().st_size / 1e6:.2f} MB",
                    ratio=None,
                    target=f"≤ {TARGET_EDIT_GROWTH_MB:g} MB",
                    met=growth <= TARGET_EDIT_GROWTH_MB,
                    fix="Something is kept per write: compare gc.get_objects() by type before and after.",
                )
            )
            rows.append(
                Row(
                    what=f"KEEP_STATE: last write to on disk, {len(ledger.ids):,} expenses (kill -9 window)",
                    figure=f"{window:.1f} s",
                    floor="2.0 s snapshot interval",
                    ratio=window / 2.0,
                    target=f"≤ {TARGET_WINDOW_S:g} s",
                    met=window <= TARGET_WINDOW_S,
                    fix="Journal writes between snapshots, or snapshot only the items that changed.",
                )
            )
            return rows
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=120)
                except subprocess.TimeoutExpired:
                    process.kill()


if __name__ == "__main__":  # python -m bench.dev_memory [counts...]: a dry run
    sizes = tuple(int(n) for n in sys.argv[1:]) or (1_000, 10_000)
    for row in measure(sizes):
        print(f"{row.what}: {row.figure} (floor {row.floor}, ratio {row.ratio})")
    os._exit(0)
