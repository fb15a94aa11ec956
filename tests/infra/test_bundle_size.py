"""The real Lambda bundles (pip against PyPI for the runtime's platform): what is inside and how big.

Two assets (stacks/constructs/local_bundling.py), each at most 15 MB unzipped (issue 19): the core one
every function but one runs from, and the envelope function's (cryptography + the modules its handler
imports, no pydantic or Powertools). Whatever the Lambda runtime already provides (boto3 and botocore
with their dependencies) is in neither: nothing pins a version of its own.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from stacks.constructs.local_bundling import (
    CORE_ASSET,
    ENVELOPE_ASSET,
    LAMBDAS_DIR,
    AssetSpec,
    LocalPipBundling,
    for_this_machine,
)
from stacks.constructs.python_function import RUNTIME

pytestmark = [pytest.mark.infra, pytest.mark.slow]

BUDGET_MB = 15.0  # measured (aarch64, python3.14, with bytecode): core 13.6 MB, envelope 14.9 MB
RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer", "urllib3", "dateutil", "six", "aws_xray_sdk")
# Also in the runtime, but Powertools requires it, so pip puts it (0.1 MB) into the core asset.
JMESPATH = "jmespath"
# Only what the envelope handler runs: no model, HTTP or tracing library, no cffi build-time half.
NOT_FOR_THE_ENVELOPE = ("pydantic", "pydantic_core", "aws_lambda_powertools", "iso4217", "pycparser", "cffi")


def _bundle(out: Path, asset: AssetSpec) -> Path:
    """`asset` as deployed: arm64, the Lambda runtime's Python."""
    bundler = LocalPipBundling(
        lambdas_dir=LAMBDAS_DIR,
        python_version=RUNTIME.name.removeprefix("python"),
        arch="aarch64",
        asset=asset,
    )
    assert bundler.try_bundle(str(out)) is True
    return out


@pytest.fixture(scope="module")
def core(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _bundle(tmp_path_factory.mktemp("core"), CORE_ASSET)


@pytest.fixture(scope="module")
def envelope(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _bundle(tmp_path_factory.mktemp("envelope"), ENVELOPE_ASSET)


def _top_level(bundle: Path) -> set[str]:
    """Importable top-level names (a wheel's .dist-info metadata imports nothing)."""
    return {p.name.split(".")[0].lower() for p in bundle.iterdir() if not p.name.endswith(".dist-info")}


def _size_mb(bundle: Path) -> float:
    return sum(p.stat().st_size for p in bundle.rglob("*") if p.is_file()) / 1e6


def test_bundles_have_nothing_the_lambda_runtime_provides(core: Path, envelope: Path) -> None:
    assert (core / "outlay" / "handlers" / "expenses_api.py").is_file()
    assert (envelope / "outlay" / "handlers" / "envelope_keeper.py").is_file()
    for bundle in (core, envelope):
        assert _top_level(bundle).isdisjoint(RUNTIME_PROVIDED), sorted(
            _top_level(bundle) & set(RUNTIME_PROVIDED)
        )


def test_only_the_envelope_bundle_carries_cryptography(core: Path, envelope: Path) -> None:
    assert "cryptography" not in _top_level(core)
    assert "cryptography" in _top_level(envelope)
    assert _top_level(envelope).isdisjoint(NOT_FOR_THE_ENVELOPE), sorted(
        _top_level(envelope) & set(NOT_FOR_THE_ENVELOPE)
    )


@pytest.mark.parametrize("which", ["core", "envelope"])
def test_each_bundle_is_at_most_15_mb(which: str, request: pytest.FixtureRequest) -> None:
    bundle: Path = request.getfixturevalue(which)
    assert _size_mb(bundle) <= BUDGET_MB, f"{which}: {_size_mb(bundle):.2f} MB unzipped"


_RUNS_ALONE = """
import base64, json, sys
from outlay.handlers import envelope_keeper
from outlay.dal.kms_envelope import KmsEnvelope

class Kms:  # stands in for KMS: the asset's own code and cryptography do the rest
    def generate_data_key(self, **kw):
        return {"Plaintext": bytes(range(32)), "CiphertextBlob": b"wrapped"}
    def decrypt(self, **kw):
        return {"Plaintext": bytes(range(32))}

box = KmsEnvelope("key", kms_client=Kms())
plain = base64.b64encode(b"secret").decode()
sealed = envelope_keeper.handle({"op": "seal", "sub": "alice", "plaintext": plain}, box)
opened = envelope_keeper.handle({"op": "open", "sub": "alice", "envelope": sealed["envelope"]}, box)
assert opened == {"plaintext": plain}, opened
"""


def _run_alone(tmp_path: Path, asset: AssetSpec, code: str) -> set[str]:
    """`code` run from `asset` built for this machine (its Python, its platform, with bytecode), with
    nothing else on the path but boto3 (the runtime's) and nothing written; the top-level names of
    the non-stdlib modules it loaded."""
    bundle = tmp_path / "asset"
    bundle.mkdir()
    assert for_this_machine(asset).try_bundle(str(bundle)) is True
    runtime = tmp_path / "runtime"  # what Lambda's Python runtime adds: boto3 and its dependencies
    runtime.mkdir()
    site = Path(sysconfig.get_paths()["purelib"])
    for name in (*RUNTIME_PROVIDED, JMESPATH):
        for found in (site / name, site / f"{name}.py"):
            if found.exists():
                (runtime / found.name).symlink_to(found)
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": f"{bundle}{os.pathsep}{runtime}",
        "PYTHONDONTWRITEBYTECODE": "1",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    result = subprocess.run(  # noqa: S603 - fixed argv
        [sys.executable, "-S", "-c", code + _LOADED], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return {m.split(".")[0] for m in json.loads(result.stdout)}


_LOADED = """
print(json.dumps(sorted(
    m for m in sys.modules if m.split(".")[0] not in sys.stdlib_module_names and not m.startswith("__")
)))
"""


def test_the_envelope_handler_runs_from_its_asset_alone(tmp_path: Path) -> None:
    """The handler imports, seals and opens, and loads nothing the asset lacks."""
    loaded = _run_alone(tmp_path, ENVELOPE_ASSET, _RUNS_ALONE)
    # `_openssl` is a module cryptography's Rust extension registers (no file of its own).
    allowed = {"outlay", "cryptography", "_openssl", "_cffi_backend", *RUNTIME_PROVIDED, JMESPATH}
    assert loaded <= allowed, sorted(loaded)


_IMPORTS_EVERY_HANDLER = """
import importlib, json, sys
from outlay.routes import EVENT_FUNCTIONS, HTTP_FUNCTIONS
for name, entry in {**HTTP_FUNCTIONS, **EVENT_FUNCTIONS}.items():
    if name != "envelope":
        assert callable(getattr(importlib.import_module(entry.rsplit(".", 1)[0]), "handler")), name
import outlay.dal.wiring  # what the handlers import on their first request
"""


def test_every_core_handler_imports_from_its_asset_alone(tmp_path: Path) -> None:
    """Powertools and pydantic as bytecode only (no sources) import and build under CPython."""
    loaded = _run_alone(tmp_path, CORE_ASSET, _IMPORTS_EVERY_HANDLER)
    assert {"outlay", "pydantic", "pydantic_core", "aws_lambda_powertools"} <= loaded
    assert loaded.isdisjoint({"cryptography", "aws_xray_sdk"}), sorted(loaded)


def _runtime_cache_tag() -> str:
    return "cpython-" + RUNTIME.name.removeprefix("python").replace(".", "")


@pytest.mark.parametrize("which", ["core", "envelope"])
def test_each_asset_carries_bytecode_for_the_runtime_python(
    which: str, request: pytest.FixtureRequest
) -> None:
    """Lambda cannot write bytecode: each of our modules has the runtime's, and every other module is
    shipped as bytecode only."""
    bundle: Path = request.getfixturevalue(which)
    ours = sorted((bundle / "outlay").rglob("*.py"))
    assert ours
    for source in ours:
        cached = source.parent / "__pycache__" / f"{source.stem}.{_runtime_cache_tag()}.pyc"
        assert int.from_bytes(cached.read_bytes()[4:8], "little") == 0b01, cached  # unchecked hash
    theirs = [p for p in bundle.rglob("*.py") if p.relative_to(bundle).parts[0] != "outlay"]
    assert theirs == []


_PYODIDE_IMPORTS = """
import { loadPyodide } from 'pyodide';
const py = await loadPyodide();
py.FS.mkdirTree('/asset');
py.FS.mount(py.FS.filesystems.NODEFS, { root: process.argv[1] }, '/asset');
console.log(py.runPython(`
import json, sys
sys.path.insert(0, '/asset'); sys.dont_write_bytecode = True
import outlay.logic.months as months, typing_extensions, annotated_types
json.dumps([months.__name__, type(annotated_types.__loader__).__name__])
`));
"""


def test_the_runtime_python_imports_the_core_asset_bytecode(core: Path, tmp_path: Path) -> None:
    """In Python 3.14 itself (Pyodide): a third-party package with no source, and one of our modules
    whose source is broken in this copy, so only its bytecode can have been run."""
    copy = tmp_path / "asset"
    for name in ("outlay", "typing_extensions.pyc", "annotated_types"):
        copy.mkdir(exist_ok=True)
        source = core / name
        if source.is_dir():
            shutil.copytree(source, copy / name)
        else:
            shutil.copyfile(source, copy / name)
    (copy / "outlay" / "logic" / "months.py").write_text("this is not Python\n")
    node = shutil.which("node")
    assert node is not None
    done = subprocess.run(  # noqa: S603 - fixed argv
        [node, "--input-type=module", "-e", _PYODIDE_IMPORTS, str(copy)],
        cwd=LAMBDAS_DIR.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == ["outlay.logic.months", "SourcelessFileLoader"]
