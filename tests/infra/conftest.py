"""Synthesize the whole app ONCE per test session (bundling skipped) and hand out templates per stack.

Validation (cdk-nag) runs inside that synth; `failSynthOnValidationErrors=false` makes CDK write the
report instead of raising, so test_nag can fail with the findings listed rather than error out.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

from aws_cdk import Stack
from aws_cdk.assertions import Template

from app import build_app, new_app
from stacks.config import EnvironmentConfig
from stacks.stage import STACK_IDS, OutlayStage

ROOT = Path(__file__).resolve().parents[2]
ENVIRONMENTS = tuple(json.loads((ROOT / "cdk.json").read_text())["context"]["outlay:environments"])


@dataclass
class Synthesized:
    outdir: Path
    stages: dict[str, OutlayStage]
    _templates: dict[tuple[str, str], Template] = field(default_factory=dict)

    def stack(self, env: str, stack_id: str) -> Stack:
        return getattr(self.stages[env], stack_id)  # type: ignore[no-any-return]

    def config(self, env: str) -> EnvironmentConfig:
        return self.stages[env].config

    def json(self, env: str, stack_id: str) -> dict[str, Any]:
        stack = self.stack(env, stack_id)
        assembly = self.stages[env].synth()  # cached: the app was synthesized once
        return assembly.get_stack_artifact(stack.artifact_id).template  # type: ignore[no-any-return]

    def template(self, env: str, stack_id: str) -> Template:
        key = (env, stack_id)
        if key not in self._templates:
            self._templates[key] = Template.from_json(self.json(env, stack_id))
        return self._templates[key]

    def all_templates(self) -> Iterator[tuple[str, str, dict[str, Any]]]:
        for env in self.stages:
            for stack_id in STACK_IDS:
                yield env, stack_id, self.json(env, stack_id)

    def validation_report(self) -> dict[str, Any]:
        return json.loads((self.outdir / "validation-report.json").read_text())  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def synth(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    context = json.loads((ROOT / "cdk.json").read_text())["context"]
    context["outlay:skipBundling"] = "true"
    context["@aws-cdk/core:failSynthOnValidationErrors"] = False
    outdir = tmp_path_factory.mktemp("cdk.out")
    app, stages = build_app(new_app(context=context, outdir=str(outdir)))
    app.synth()
    return Synthesized(outdir=outdir, stages={s.config.name: s for s in stages})


def cfn_lint(templates: list[Path]) -> str:
    """cfn-lint's findings for these template files ('' when clean), with the repo's .cfnlintrc.yaml."""
    result = subprocess.run(  # noqa: S603 - fixed argv: this interpreter's cfn-lint, our templates
        [str(Path(sys.executable).parent / "cfn-lint"), "--format", "parseable", "--", *map(str, templates)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return "" if result.returncode == 0 else (result.stdout + result.stderr or f"exit {result.returncode}")


def resources(template: dict[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in template.get("Resources", {}).items() if v["Type"] == resource_type}
