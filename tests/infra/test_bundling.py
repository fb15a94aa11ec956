"""Local bundling: arm64 wheels for the Lambda runtime without Docker, and a hash that skips re-bundling.

The two tests that run pip against PyPI are marked `slow`: a plain `pytest` (or `pytest tests/infra`)
leaves them out, `make test` runs them (`-m "slow or not slow"`)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from stacks.constructs.local_bundling import LAMBDAS_DIR, LocalPipBundling, content_hash
from stacks.constructs.python_function import RUNTIME

pytestmark = pytest.mark.infra

PY_VERSION = RUNTIME.name.removeprefix("python")


def _fake_lambdas(root: Path, requirements: str) -> Path:
    (root / "outlay").mkdir(parents=True)
    (root / "outlay" / "__init__.py").write_text("VERSION = 1\n")
    (root / "outlay" / "__pycache__").mkdir()
    (root / "outlay" / "__pycache__" / "junk.pyc").write_bytes(b"\0")
    (root / "requirements.txt").write_text(requirements)
    return root


def test_hash_follows_sources_requirements_and_target_only(tmp_path: Path) -> None:
    root = _fake_lambdas(tmp_path / "lambdas", "six==1.17.0\n")
    first = content_hash(root, PY_VERSION, "aarch64")
    (root / "outlay" / "__pycache__" / "other.pyc").write_bytes(b"\1")  # caches do not count
    assert content_hash(root, PY_VERSION, "aarch64") == first
    assert content_hash(root, PY_VERSION, "x86_64") != first
    (root / "outlay" / "__init__.py").write_text("VERSION = 2\n")
    second = content_hash(root, PY_VERSION, "aarch64")
    assert second != first
    (root / "requirements.txt").write_text("six==1.16.0\n")
    assert content_hash(root, PY_VERSION, "aarch64") not in {first, second}


def test_real_tree_hash_depends_on_content_not_location_or_caches(tmp_path: Path) -> None:
    """A fresh clone elsewhere (other path, other mtimes, stray caches) reuses the same bundle."""
    copy = tmp_path / "elsewhere" / "lambdas"
    shutil.copytree(LAMBDAS_DIR, copy, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    (copy / "outlay" / "__pycache__").mkdir(exist_ok=True)
    (copy / "outlay" / "__pycache__" / "stray.pyc").write_bytes(b"\0")
    assert content_hash(copy, PY_VERSION, "aarch64") == content_hash(LAMBDAS_DIR, PY_VERSION, "aarch64")
    (copy / "outlay" / "routes.py").write_text((copy / "outlay" / "routes.py").read_text() + "\n# edit\n")
    assert content_hash(copy, PY_VERSION, "aarch64") != content_hash(LAMBDAS_DIR, PY_VERSION, "aarch64")


@pytest.mark.slow
def test_local_bundler_installs_aarch64_wheels_for_the_runtime(tmp_path: Path) -> None:
    """Runs pip for real against PyPI: a pure package plus one with a compiled extension."""
    root = _fake_lambdas(tmp_path / "lambdas", "six==1.17.0\nmarkupsafe==3.0.3\n")
    out = tmp_path / "asset"
    out.mkdir()
    bundler = LocalPipBundling(lambdas_dir=root, python_version=PY_VERSION, arch="aarch64")
    assert bundler.try_bundle(str(out)) is True
    # Bytecode for the runtime's Python: a third-party module in place of its source, ours beside it.
    assert (out / "six.pyc").is_file() and not (out / "six.py").exists()
    assert (out / "outlay" / "__init__.py").read_text() == "VERSION = 1\n"
    tag = PY_VERSION.replace(".", "")
    assert [p.name for p in (out / "outlay" / "__pycache__").iterdir()] == [f"__init__.cpython-{tag}.pyc"]
    extensions = list(out.glob("markupsafe/*.so"))
    assert extensions and all("aarch64" in so.name and "314" in so.name for so in extensions)
    wheel = next(out.glob("markupsafe-*.dist-info")) / "WHEEL"
    tags = [line.split(": ", 1)[1] for line in wheel.read_text().splitlines() if line.startswith("Tag: ")]
    assert tags and all(t.startswith(f"cp{PY_VERSION.replace('.', '')}") and "aarch64" in t for t in tags)
    assert any("manylinux" in t for t in tags)


@pytest.mark.slow
def test_local_bundler_reports_failure_so_cdk_can_fall_back(tmp_path: Path) -> None:
    root = _fake_lambdas(tmp_path / "lambdas", "this-package-does-not-exist-outlay==0.0.0\n")
    out = tmp_path / "asset"
    out.mkdir()
    bundler = LocalPipBundling(lambdas_dir=root, python_version=PY_VERSION, arch="aarch64")
    assert bundler.try_bundle(str(out)) is False
    shutil.rmtree(out)


def test_cdk_reuses_an_unchanged_bundle_instead_of_rebuilding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through CDK itself: a second synth of the same tree into the same cdk.out does not bundle again."""
    from aws_cdk import App, Stack

    from stacks.config import EnvironmentConfig
    from stacks.constructs.python_function import OutlayFunction

    calls: list[str] = []

    def fake_bundle(self: LocalPipBundling, output_dir: str, *_args: object, **_kwargs: object) -> bool:
        calls.append(output_dir)
        (Path(output_dir) / "outlay").mkdir()
        (Path(output_dir) / "outlay" / "__init__.py").write_text("")
        return True

    monkeypatch.setattr(LocalPipBundling, "try_bundle", fake_bundle)
    config = EnvironmentConfig.model_validate({"name": "probe"})
    outdir = tmp_path / "cdk.out"
    for _ in range(2):
        stack = Stack(App(outdir=str(outdir)), "probe")
        OutlayFunction(stack, "Fn", name="expenses", config=config, environment={}, no_dlq_reason="x" * 20)
    assert len(calls) == 1
    # CDK derives the directory name from our content hash (+ bundling options): one bundle, reused.
    assert [p.name for p in outdir.glob("asset.*")] == [Path(calls[0]).name.removesuffix("-building")]
