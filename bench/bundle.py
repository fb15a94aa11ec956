"""The deployed Lambda bundles: the real local bundler's output (pip for the runtime's platform), unzipped.

Two assets (stacks/constructs/local_bundling.py), each held to 15 MB: the core one every function but one
runs from, and the envelope function's (cryptography + the modules its handler imports).
"""

from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path

from bench.common import Row
from stacks.constructs.local_bundling import (
    CORE_ASSET,
    ENVELOPE_ASSET,
    LAMBDAS_DIR,
    AssetSpec,
    LocalPipBundling,
)
from stacks.constructs.python_function import RUNTIME

TARGET_MB = 15.0


def _sizes(asset: AssetSpec) -> Counter[str]:
    with tempfile.TemporaryDirectory() as tmp:
        bundler = LocalPipBundling(
            lambdas_dir=LAMBDAS_DIR,
            python_version=RUNTIME.name.removeprefix("python"),
            arch="aarch64",
            asset=asset,
        )
        if not bundler.try_bundle(tmp):
            raise RuntimeError("local bundling failed")
        sizes: Counter[str] = Counter()
        for path in Path(tmp).rglob("*"):
            if path.is_file():
                top = path.relative_to(tmp).parts[0]
                sizes[top.split("-")[0].split(".")[0]] += path.stat().st_size
    return sizes


def _row(what: str, sizes: Counter[str], *, target_mb: float | None, fix: str) -> Row:
    total = sum(sizes.values()) / 1e6
    largest = ", ".join(f"{name} {size / 1e6:.1f}" for name, size in sizes.most_common(4))
    return Row(
        what=what,
        figure=f"{total:.1f} MB ({largest})",
        floor="—",
        ratio=None,
        target=f"≤ {target_mb:.0f} MB" if target_mb else "reported",
        met=target_mb is None or total <= target_mb,
        fix=fix,
    )


def measure() -> list[Row]:
    return [
        _row(
            "Lambda bundle of every function but the envelope one, unzipped (arm64, python3.14; boto3 from "
            "the runtime)",
            _sizes(CORE_ASSET),
            target_mb=TARGET_MB,
            fix="pydantic_core and Powertools' event handler are what is left; nothing to drop without "
            "dropping the library.",
        ),
        _row(
            "Lambda bundle of the envelope function (cryptography, no pydantic/Powertools), unzipped",
            _sizes(ENVELOPE_ASSET),
            target_mb=TARGET_MB,
            fix="cryptography's Rust extension is 13.5 MB of it; stripping its symbol tables (llvm-strip) "
            "would save ~3 MB more but needs an aarch64-capable strip on every build machine.",
        ),
    ]
