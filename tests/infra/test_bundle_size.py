"""The real Lambda bundles (pip against PyPI for the runtime's platform): what is inside and how big.

Two assets (stacks/constructs/local_bundling.py), each at most 15 MB unzipped (issue 19): the core one
every function but one runs from, and the envelope function's (cryptography + the modules its handler
imports, no pydantic or Powertools). Whatever the Lambda runtime already provides (boto3 and botocore
with their dependencies) is in neither: nothing pins a version of its own.
"""

from __future__ import annotations

import json
import os
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
)
from stacks.constructs.python_function import RUNTIME

pytestmark = [pytest.mark.infra, pytest.mark.slow]

BUDGET_MB = 15.0  # measured (aarch64, python3.14): core 11.1 MB, envelope 14.6 MB
RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer", "urllib3", "dateutil", "six", "aws_xray_sdk")
# Also in the runtime, but Powertools requires it, so pip puts it (0.1 MB) into the core asset.
JMESPATH = "jmespath"
# Only what the envelope handler runs: no model, HTTP or tracing library, no cffi build-time half.
NOT_FOR_THE_ENVELOPE = ("pydantic", "pydantic_core", "aws_lambda_powertools", "iso4217", "pycparser", "cffi")


def _bundle(out: Path, asset: AssetSpec, *, arch: str = "aarch64", python_version: str | None = None) -> Path:
    bundler = LocalPipBundling(
        lambdas_dir=LAMBDAS_DIR,
        python_version=python_version or RUNTIME.name.removeprefix("python"),
        arch=arch,
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
print(json.dumps(sorted(
    m for m in sys.modules if m.split(".")[0] not in sys.stdlib_module_names and not m.startswith("__")
)))
"""


def test_the_envelope_handler_runs_from_its_asset_alone(tmp_path: Path) -> None:
    """The same asset built for this machine (its Python, its platform), run with nothing else on the path
    but boto3 (the runtime's): the handler imports, seals and opens, and loads nothing the asset lacks."""
    here = f"{sys.version_info.major}.{sys.version_info.minor}"
    arch = "aarch64" if os.uname().machine in ("aarch64", "arm64") else "x86_64"
    bundle = _bundle(tmp_path / "asset", ENVELOPE_ASSET, arch=arch, python_version=here)
    runtime = tmp_path / "runtime"  # what Lambda's Python runtime adds: boto3 and its dependencies
    runtime.mkdir()
    site = Path(sysconfig.get_paths()["purelib"])
    for name in (*RUNTIME_PROVIDED, JMESPATH):
        for found in (site / name, site / f"{name}.py"):
            if found.exists():
                (runtime / found.name).symlink_to(found)
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": f"{bundle}{os.pathsep}{runtime}"}
    result = subprocess.run(  # noqa: S603 - fixed argv
        [sys.executable, "-S", "-c", _RUNS_ALONE], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    loaded = {m.split(".")[0] for m in json.loads(result.stdout)}
    # `_openssl` is a module cryptography's Rust extension registers (no file of its own).
    allowed = {"outlay", "cryptography", "_openssl", "_cffi_backend", *RUNTIME_PROVIDED, JMESPATH}
    assert loaded <= allowed, sorted(loaded)
