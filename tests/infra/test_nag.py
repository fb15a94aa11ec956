"""cdk-nag (AwsSolutions + Serverless) has nothing unacknowledged, and the gate really can fail."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, Stack, Stage, Validations
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Annotations, Match
from cdk_nag import AwsSolutionsChecks, ServerlessChecks

from stacks.stage import STACK_IDS
from tests.infra.conftest import Synthesized

pytestmark = pytest.mark.infra


def _findings(report: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [
        (plugin["pluginName"], violation["ruleName"], construct["constructPath"])
        for plugin in report["pluginReports"]
        for violation in plugin["violations"]
        for construct in violation["violatingConstructs"]
    ]


def test_no_unacknowledged_nag_findings(synth: Synthesized) -> None:
    findings = _findings(synth.validation_report())
    assert findings == [], "\n".join(" ".join(f) for f in findings)


def test_no_error_annotations_on_any_stack(synth: Synthesized) -> None:
    for env in synth.stages:
        for stack_id in STACK_IDS:
            errors = Annotations.from_stack(synth.stack(env, stack_id)).find_error(
                "*", Match.string_like_regexp(".*")
            )
            assert errors == [], (env, stack_id, errors)


def test_the_nag_gate_reports_a_bucket_that_breaks_the_rules(tmp_path: Path) -> None:
    """Same wiring as app.py (packs on a stage), one careless bucket: the report must name it."""
    app = App(outdir=str(tmp_path), context={"@aws-cdk/core:failSynthOnValidationErrors": False})
    stage = Stage(app, "Probe")
    stack = Stack(stage, "careless")
    s3.Bucket(stack, "Careless", block_public_access=s3.BlockPublicAccess(block_public_acls=False))
    Validations.of(stage).add_plugins(AwsSolutionsChecks(app), ServerlessChecks(app))
    app.synth()
    findings = _findings(json.loads((tmp_path / "validation-report.json").read_text()))
    rules = {rule for _, rule, path in findings if path.startswith("Probe/careless/Careless")}
    assert {"AwsSolutions-S1", "AwsSolutions-S10"} <= rules
