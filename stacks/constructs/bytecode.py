"""Bytecode for the Lambda runtime's Python in the asset, compiled without that Python installed.

Lambda cannot write `__pycache__` (its /var/task is read-only), so an asset without bytecode is
compiled from source on every cold start. `lambdas/compile_bytecode.py` does the compiling, in an
interpreter of the target version: this one when it is that version (an asset built for this
machine, as tests and the bench do), else Pyodide (CPython for WebAssembly, an npm devDependency
pinned to the runtime's version in package.json), so a laptop with any Python and no Docker ships
bytecode the Lambda runtime loads as is.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COMPILER = ROOT / "lambdas" / "compile_bytecode.py"
PYODIDE_RUNNER = Path(__file__).with_name("bytecode_pyodide.mjs")
THIS_PYTHON = f"{sys.version_info[0]}.{sys.version_info[1]}"  # the interpreter running this


def pyodide_pin() -> str:
    """The pinned Pyodide release (its major version is the Python it runs: 314 = 3.14)."""
    return str(json.loads((ROOT / "package.json").read_text())["devDependencies"]["pyodide"])


def inputs_digest_parts() -> list[bytes]:
    """What changes the compiled bytecode, for the asset's content hash."""
    return [COMPILER.read_bytes(), PYODIDE_RUNNER.read_bytes(), pyodide_pin().encode()]


def compile_for_runtime(asset_dir: Path, python_version: str, first_party: str) -> dict[str, object]:
    """Compile `asset_dir` for Python `python_version` (e.g. "3.14"); the summary of what was done.
    Raises with the reason when it cannot (no Node, Pyodide not installed or for another Python):
    an asset silently shipped without bytecode would only show as slower cold starts."""
    if python_version == THIS_PYTHON:
        command = [sys.executable, str(COMPILER), str(asset_dir), first_party]
    else:
        node = shutil.which("node")
        if node is None:
            raise RuntimeError("bundling the Lambda asset needs Node.js (for Pyodide); run `make install`")
        command = [node, str(PYODIDE_RUNNER), str(asset_dir), first_party, python_version]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise RuntimeError(f"compiling the Lambda asset's bytecode failed: {done.stderr.strip()[-800:]}")
    summary: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return summary
