"""`make test` wall time on this machine (the README's test command, start to finish, warm installs)."""

from __future__ import annotations

import subprocess
import time

from bench.common import ROOT, Row, env

TARGET_SECONDS = 300


def measure() -> Row:
    start = time.perf_counter()
    done = subprocess.run(["make", "test"], cwd=ROOT, env=env(), capture_output=True, text=True)
    seconds = time.perf_counter() - start
    ok = done.returncode == 0
    return Row(
        what="`make test` wall time (warm installs)" + ("" if ok else " — FAILED"),
        figure=f"{seconds:.0f} s",
        floor="—",
        ratio=None,
        target=f"≤ {TARGET_SECONDS} s",
        met=ok and seconds <= TARGET_SECONDS,
        fix="Run pytest with -n 2 (pytest-xdist) and keep one synthesis per session.",
    )
