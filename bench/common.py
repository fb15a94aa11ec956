"""Shared measuring tools: medians of repeated runs in fresh interpreters, and a result row type."""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Row:
    """One line of RESULTS.md: a figure next to the floor measured in the same run."""

    what: str
    figure: str
    floor: str
    ratio: float | None
    target: str
    met: bool
    fix: str = ""  # what would fix it, shown at the top when the target is missed


def env() -> dict[str, str]:
    out = dict(os.environ)
    out["PYTHONPATH"] = f"{ROOT}{os.pathsep}{ROOT / 'lambdas'}"
    out["JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION"] = "1"
    out["JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION"] = "20"
    out.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    return out


def cpu_once(code: str, *, args: tuple[str, ...] = (), run_env: dict[str, str] | None = None) -> float:
    """CPU seconds (user + system) of one `python -c code` in a fresh interpreter.

    A cold import is single-threaded CPU work; on a shared machine its wall time mostly measures how
    many neighbours wanted the same cores, so figure and floor are compared by the CPU they burn.
    The child's stdout must end with "ok" (the code checks its own result).
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        env=run_env or env(),
        check=True,
        capture_output=True,
        text=True,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if not done.stdout.strip().endswith("ok"):
        raise RuntimeError(f"measured code did not finish as expected: {done.stdout[-500:]}")
    return after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def cpu_paired(figure: Callable[[], float], floor: Callable[[], float], runs: int) -> tuple[float, float]:
    """Medians of figure and floor measured alternately, so both see the same neighbours."""
    figures, floors = [], []
    for _ in range(runs):
        floors.append(floor())
        figures.append(figure())
    return statistics.median(figures), statistics.median(floors)


def median_of(fn: Callable[[], float], runs: int) -> float:
    return statistics.median(fn() for _ in range(runs))
