"""The deployed Lambda bundle: the real local bundler's output (pip for the runtime's platform), unzipped."""

from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path

from bench.common import Row
from stacks.constructs.local_bundling import LAMBDAS_DIR, LocalPipBundling
from stacks.constructs.python_function import RUNTIME

TARGET_MB = 15.0


def measure() -> Row:
    with tempfile.TemporaryDirectory() as tmp:
        bundler = LocalPipBundling(
            lambdas_dir=LAMBDAS_DIR, python_version=RUNTIME.name.removeprefix("python"), arch="aarch64"
        )
        if not bundler.try_bundle(tmp):
            raise RuntimeError("local bundling failed")
        sizes: Counter[str] = Counter()
        for path in Path(tmp).rglob("*"):
            if path.is_file():
                top = path.relative_to(tmp).parts[0]
                sizes[top.split("-")[0].split(".")[0]] += path.stat().st_size
    total = sum(sizes.values()) / 1e6
    largest = ", ".join(f"{name} {size / 1e6:.1f}" for name, size in sizes.most_common(4))
    return Row(
        what="Lambda bundle, unzipped (arm64, python3.14; boto3/botocore from the runtime)",
        figure=f"{total:.1f} MB ({largest})",
        floor="—",
        ratio=None,
        target=f"≤ {TARGET_MB:.0f} MB",
        met=total <= TARGET_MB,
        fix="cryptography's Rust extension is 13.5 MB: give the functions that never decrypt (expenses, "
        "lake writer, dispatcher) an asset without it, or take AES-GCM from a smaller library.",
    )
