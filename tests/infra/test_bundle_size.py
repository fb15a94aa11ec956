"""The real Lambda bundles (pip against PyPI for the runtime's platform): what is inside and how big.

Two assets: every function runs from the core one (issue 19: at most 15 MB unzipped); only the two
functions that open envelopes (costs API, import worker) run from the one that adds cryptography, whose
aarch64 Rust extension alone is ~13.5 MB, so that asset is held to ENVELOPE_BUDGET_MB. Whatever the
Lambda runtime already provides (boto3 and botocore with their dependencies) is in neither.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from stacks.constructs.local_bundling import LAMBDAS_DIR, LocalPipBundling, requirements_file
from stacks.constructs.python_function import RUNTIME

pytestmark = [pytest.mark.infra, pytest.mark.slow]

CORE_BUDGET_MB = 15.0  # 10.8 MB measured: powertools 3.37, pydantic 2.13, iso4217 (aarch64)
ENVELOPE_BUDGET_MB = 27.0  # 26.5 MB measured: the core + cryptography 50 (with cffi)
RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer", "urllib3", "dateutil", "six", "aws_xray_sdk")


def _bundle(out: Path, *, opens_envelopes: bool) -> Path:
    bundler = LocalPipBundling(
        lambdas_dir=LAMBDAS_DIR,
        python_version=RUNTIME.name.removeprefix("python"),
        arch="aarch64",
        requirements=requirements_file(opens_envelopes=opens_envelopes),
    )
    assert bundler.try_bundle(str(out)) is True
    return out


@pytest.fixture(scope="module")
def core(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _bundle(tmp_path_factory.mktemp("core"), opens_envelopes=False)


@pytest.fixture(scope="module")
def envelope(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _bundle(tmp_path_factory.mktemp("envelope"), opens_envelopes=True)


def _top_level(bundle: Path) -> set[str]:
    return {p.name.split("-")[0].split(".")[0].lower() for p in bundle.iterdir()}


def _size_mb(bundle: Path) -> float:
    return sum(p.stat().st_size for p in bundle.rglob("*") if p.is_file()) / 1e6


def test_bundles_have_nothing_the_lambda_runtime_provides(core: Path, envelope: Path) -> None:
    for bundle in (core, envelope):
        assert (bundle / "outlay" / "handlers" / "expenses_api.py").is_file()
        assert _top_level(bundle).isdisjoint(RUNTIME_PROVIDED), sorted(
            _top_level(bundle) & set(RUNTIME_PROVIDED)
        )


def test_only_the_envelope_bundle_carries_cryptography(core: Path, envelope: Path) -> None:
    assert "cryptography" not in _top_level(core)
    assert "cryptography" in _top_level(envelope)


def test_core_bundle_is_at_most_15_mb(core: Path) -> None:
    assert _size_mb(core) <= CORE_BUDGET_MB, f"{_size_mb(core):.1f} MB unzipped"


def test_envelope_bundle_stays_within_its_budget(envelope: Path) -> None:
    assert _size_mb(envelope) <= ENVELOPE_BUDGET_MB, f"{_size_mb(envelope):.1f} MB unzipped"
