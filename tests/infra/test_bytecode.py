"""lambdas/compile_bytecode.py on a small tree, with this machine's Python: first-party modules keep
their sources and get unchecked bytecode beside them, third-party modules become bytecode only, and
the interpreter imports both the way Lambda would (nothing written, no source compiled)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from stacks.constructs.bytecode import COMPILER, THIS_PYTHON, compile_for_runtime, pyodide_pin
from stacks.constructs.local_bundling import CORE_ASSET, ENVELOPE_ASSET, _docker_command, content_hash
from stacks.constructs.python_function import RUNTIME

pytestmark = pytest.mark.infra
HERE = THIS_PYTHON


def _tree(root: Path) -> Path:
    (root / "mine" / "inner").mkdir(parents=True)
    (root / "mine" / "__init__.py").write_text("")
    (root / "mine" / "inner" / "__init__.py").write_text("")
    (root / "mine" / "inner" / "answer.py").write_text(
        "from theirs import helper\nVALUE = helper.twice(21)\n"
    )
    (root / "theirs").mkdir()
    (root / "theirs" / "__init__.py").write_text("")
    (root / "theirs" / "helper.py").write_text("def twice(x):\n    return 2 * x\n")
    (root / "theirs" / "py2_only.py").write_text("print 'not Python 3'\n")
    return root


def test_first_party_keeps_sources_and_third_party_becomes_bytecode(tmp_path: Path) -> None:
    root = _tree(tmp_path / "asset")
    summary = compile_for_runtime(root, HERE, "mine")
    assert summary == {
        "python": HERE,
        "firstPartyCompiled": 3,
        "thirdPartyReplaced": 2,
        "leftAsSource": 1,
        "failed": [os.path.join("theirs", "py2_only.py")],
    }
    tag = sys.implementation.cache_tag
    cached = root / "mine" / "inner" / "__pycache__" / f"answer.{tag}.pyc"
    assert (root / "mine" / "inner" / "answer.py").exists()
    assert int.from_bytes(cached.read_bytes()[4:8], "little") == 0b01  # hash-based, never checked (PEP 552)
    assert sorted(p.name for p in (root / "theirs").iterdir()) == [
        "__init__.pyc",
        "helper.pyc",
        "py2_only.py",
    ]


def test_the_interpreter_runs_the_bytecode_without_compiling_a_source(tmp_path: Path) -> None:
    root = _tree(tmp_path / "asset")
    compile_for_runtime(root, HERE, "mine")
    # Lambda never re-reads a source its bytecode came from: a changed source must make no difference.
    (root / "mine" / "inner" / "answer.py").write_text("this is not Python\n")
    probe = (
        "import json, sys; sys.dont_write_bytecode = True; "
        "import mine.inner.answer as a, theirs.helper as h; "
        "print(json.dumps([a.VALUE, type(h.__loader__).__name__]))"
    )
    done = subprocess.run(  # noqa: S603 - fixed argv
        [sys.executable, "-S", "-c", probe],
        env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(done.stdout) == [42, "SourcelessFileLoader"]
    assert not list((root / "theirs").glob("__pycache__"))


def test_the_pinned_pyodide_runs_the_lambda_runtime_python() -> None:
    # Pyodide's major version is the Python it runs (314 = 3.14): bumping the runtime needs a new pin.
    assert pyodide_pin().split(".")[0] == RUNTIME.name.removeprefix("python").replace(".", "")


def test_a_change_to_the_compiler_rebuilds_the_asset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lambdas = Path(COMPILER).parent
    before = content_hash(lambdas, "3.14", "aarch64")
    monkeypatch.setattr("stacks.constructs.local_bundling.inputs_digest_parts", lambda: [b"another compiler"])
    assert content_hash(lambdas, "3.14", "aarch64") != before


def test_the_docker_fallback_compiles_in_the_runtime_image_too() -> None:
    for asset in (CORE_ASSET, ENVELOPE_ASSET):
        assert _docker_command(asset).endswith(" && python compile_bytecode.py /asset-output outlay")
