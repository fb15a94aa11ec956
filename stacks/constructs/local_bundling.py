"""The Lambda asset: `lambdas/outlay` + its pip dependencies, bundled on this machine without Docker.

pip can fetch wheels for another platform (`--platform manylinux*_aarch64 --only-binary=:all:`), so a
laptop or CI runner of any architecture builds the arm64 bundle in seconds. Docker bundling stays as
the fallback CDK uses when the local bundler reports it could not run.

Two assets (issue 19: each at most 15 MB unzipped): CORE_ASSET, the whole package + requirements.txt
(Powertools, pydantic), for every function but one; ENVELOPE_ASSET for the envelope function (the only
holder of the KMS key, see OutlayFunction's `envelope`): cryptography (~14 MB of it) and only the
modules its handler imports, so no function carries both pydantic and cryptography.

Both assets carry bytecode for the runtime's Python (stacks/constructs/bytecode.py): Lambda cannot
write it, so without it every cold start compiles every module it imports.

The asset hash is our own content hash of the source tree + requirements + target (AssetHashType.CUSTOM):
CDK reuses `cdk.out/asset.<hash>` when it exists, so an unchanged tree is never re-bundled.
`--context outlay:skipBundling=true` (make synth, infra tests) stages the plain source instead.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsii
from aws_cdk import AssetHashType, BundlingOptions, ILocalBundling
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from stacks.constructs.bytecode import THIS_PYTHON, compile_for_runtime, inputs_digest_parts

LAMBDAS_DIR = Path(__file__).resolve().parents[2] / "lambdas"
PACKAGE = "outlay"
SKIP_BUNDLING_CONTEXT = "outlay:skipBundling"
_IGNORED = ("__pycache__", ".pyc", ".mypy_cache", ".pytest_cache")

# Lambda's Python runtimes on Amazon Linux 2023 ship glibc 2.34, so any wheel up to manylinux_2_34 runs;
# manylinux2014 (= 2_17) alone would miss packages that only publish newer tags.
_MANYLINUX = ("manylinux2014", "manylinux_2_28", "manylinux_2_34")


def for_this_machine(asset: AssetSpec, *, bytecode: bool = True) -> LocalPipBundling:
    """The bundler for `asset` built for this machine's Python and platform, so it runs here
    (tests and the bench run functions from it)."""
    arch = "aarch64" if os.uname().machine in ("aarch64", "arm64") else "x86_64"
    return LocalPipBundling(
        lambdas_dir=LAMBDAS_DIR, python_version=THIS_PYTHON, arch=arch, asset=asset, bytecode=bytecode
    )


def _pip_arch(architecture: lambda_.Architecture) -> str:
    return "aarch64" if architecture.name == lambda_.Architecture.ARM_64.name else "x86_64"


def _source_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and not any(part in str(p) for part in _IGNORED))


@dataclass(frozen=True)
class AssetSpec:
    """What one asset holds: `requirements` installed (without their own dependencies when `no_deps`:
    the file then lists the whole runtime closure), top-level entries pip brings that the runtime
    never imports removed (`unused`), and the package's `modules` (None: all of it)."""

    requirements: str
    no_deps: bool = False
    unused: tuple[str, ...] = ()
    modules: tuple[str, ...] | None = None


CORE_ASSET = AssetSpec(requirements="requirements.txt")
# The envelope handler's whole import closure inside outlay (stdlib and boto3 aside);
# tests/infra/test_bundle_size.py runs the handler from this asset alone, so the list cannot fall short.
ENVELOPE_MODULES = (
    "__init__.py",
    "handlers/__init__.py",
    "handlers/envelope_keeper.py",
    "handlers/wiring.py",
    "dal/__init__.py",
    "dal/kms_envelope.py",
    "logic/__init__.py",
    "logic/envelope.py",
    "logic/envelope_calls.py",
    "logic/errors.py",
    "logic/aws_errors.py",
)
ENVELOPE_ASSET = AssetSpec(
    requirements="requirements-envelope.txt",
    no_deps=True,
    # cryptography's Rust bindings load the `_cffi_backend` extension, never cffi's Python package
    # (its build-time API, 0.4 MB) nor its `cffi-gen-src` script.
    unused=("cffi", "bin"),
    modules=ENVELOPE_MODULES,
)


def content_hash(lambdas_dir: Path, python_version: str, arch: str, asset: AssetSpec = CORE_ASSET) -> str:
    """Hash of everything that changes the bundle: package sources, requirements, target platform."""
    digest = hashlib.sha256(f"{python_version}|{arch}|{_MANYLINUX}|{asset}".encode())
    # Every requirements file: one may include another (`-r`).
    pinned = sorted(lambdas_dir.glob("requirements*.txt"))
    for path in [*pinned, *_source_files(lambdas_dir / PACKAGE)]:
        digest.update(str(path.relative_to(lambdas_dir)).encode())
        digest.update(path.read_bytes())
    for part in inputs_digest_parts():
        digest.update(part)
    return digest.hexdigest()


@jsii.implements(ILocalBundling)
class LocalPipBundling:
    """`pip install --platform ... -t <output>` for the Lambda's platform, then copy the package."""

    def __init__(
        self,
        *,
        lambdas_dir: Path,
        python_version: str,
        arch: str,
        asset: AssetSpec = CORE_ASSET,
        bytecode: bool = True,
    ) -> None:
        self.lambdas_dir = lambdas_dir
        self.python_version = python_version
        self.arch = arch
        self.asset = asset
        self.bytecode = bytecode  # False only for the bench's "what Lambda loaded before" twin

    def pip_command(self, output_dir: str) -> list[str]:
        platforms = [arg for tag in _MANYLINUX for arg in ("--platform", f"{tag}_{self.arch}")]
        return [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-warn-conflicts",  # judged against this venv, not the bundle: noise
            "--no-compile",
            *(["--no-deps"] if self.asset.no_deps else []),
            *platforms,
            "--implementation",
            "cp",
            "--only-binary=:all:",
            "--python-version",
            self.python_version,
            "-r",
            str(self.lambdas_dir / self.asset.requirements),
            "-t",
            output_dir,
        ]

    def try_bundle(self, output_dir: str, *_options: Any, **_kw_options: Any) -> bool:
        # jsii passes the BundlingOptions struct positionally; everything we need is in self.
        try:
            subprocess.run(self.pip_command(output_dir), check=True)  # noqa: S603 - fixed argv, no shell
        except (OSError, subprocess.CalledProcessError) as error:
            print(f"local bundling failed ({error}); falling back to Docker", file=sys.stderr)
            return False
        output = Path(output_dir)
        for name in self.asset.unused:
            shutil.rmtree(output / name, ignore_errors=True)
        if self.asset.modules is None:
            shutil.copytree(
                self.lambdas_dir / PACKAGE,
                output / PACKAGE,
                ignore=shutil.ignore_patterns(*_IGNORED),
                dirs_exist_ok=True,
            )
        for module in self.asset.modules or ():
            target = output / PACKAGE / module
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(self.lambdas_dir / PACKAGE / module, target)
        if self.bytecode:
            summary = compile_for_runtime(output, self.python_version, PACKAGE)
            print(f"bytecode for Python {self.python_version}: {summary}", file=sys.stderr)
        return True


def _docker_command(asset: AssetSpec) -> str:
    """The same bundle inside the runtime's bundling image (the fallback when pip cannot run here)."""
    no_deps = " --no-deps" if asset.no_deps else ""
    steps = [f"pip install -q{no_deps} -r {asset.requirements} -t /asset-output"]
    steps += [f"rm -rf /asset-output/{name}" for name in asset.unused]
    if asset.modules is None:
        steps.append(f"cp -r {PACKAGE} /asset-output/")
    else:
        steps += [f"cp --parents {PACKAGE}/{module} /asset-output/" for module in asset.modules]
    steps.append(f"python compile_bytecode.py /asset-output {PACKAGE}")  # the image's Python is the runtime's
    return " && ".join(steps)


def skip_bundling(scope: Construct) -> bool:
    value = scope.node.try_get_context(SKIP_BUNDLING_CONTEXT)
    return value is True or str(value).lower() == "true"


def lambda_code(
    scope: Construct,
    runtime: lambda_.Runtime,
    architecture: lambda_.Architecture,
    *,
    asset: AssetSpec = CORE_ASSET,
) -> lambda_.Code:
    """The asset an Outlay function runs from: one of two, each staged once per synth by CDK."""
    if skip_bundling(scope):
        # Same layout the bundle has (outlay/ at the root), minus dependencies: enough to synthesize.
        return lambda_.Code.from_asset(str(LAMBDAS_DIR), exclude=["**/__pycache__", "**/*.pyc"])
    version = runtime.name.removeprefix("python")
    arch = _pip_arch(architecture)
    return lambda_.Code.from_asset(
        str(LAMBDAS_DIR),
        asset_hash_type=AssetHashType.CUSTOM,
        asset_hash=content_hash(LAMBDAS_DIR, version, arch, asset),
        bundling=BundlingOptions(
            image=runtime.bundling_image,
            platform=f"linux/{'arm64' if arch == 'aarch64' else 'amd64'}",
            command=["bash", "-c", _docker_command(asset)],
            local=LocalPipBundling(  # type: ignore[arg-type]
                lambdas_dir=LAMBDAS_DIR, python_version=version, arch=arch, asset=asset
            ),
        ),
    )
