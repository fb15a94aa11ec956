#!/usr/bin/env python3
"""The CDK app: one `Outlay-<env>` Stage per entry of the `outlay:environments` context (cdk.json)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from aws_cdk import App, Validations
from cdk_nag import AwsSolutionsChecks, ServerlessChecks

ROOT = Path(__file__).resolve().parent
sys.path[:0] = [str(ROOT), str(ROOT / "lambdas")]  # `outlay` is importable as inside Lambda

from stacks.config import CONTEXT_KEY, load_environments  # noqa: E402
from stacks.pipeline_stack import (  # noqa: E402
    PIPELINE_CONTEXT_KEY,
    PIPELINE_STACK_ID,
    PipelineStack,
    load_pipeline_config,
)
from stacks.stage import OutlayStage  # noqa: E402


def new_app(**props: Any) -> App:
    """The App of every entry point (this file, the infra tests, the delivery check).

    CDK's built-in CloudFormation validation is off: it re-checks a subset of cfn-lint's rules in a
    WASM engine that costs seconds of CPU per synth (the largest item of a profiled synth) and only
    warns, while `make test` runs cfn-lint itself over every template (tests/infra/test_cfn_lint.py)
    and cdk-nag runs in every synth.
    """
    return App(builtin_cloud_formation_validation=False, **props)


def build_app(app: App | None = None) -> tuple[App, list[OutlayStage]]:
    app = app or new_app()
    # One instance of each pack, registered on every stage: CDK evaluates a plugin once per synth
    # over all the stages it is attached to, instead of once per stage over the whole app.
    packs = [AwsSolutionsChecks(app), ServerlessChecks(app)]
    stages = []
    for config in load_environments(app.node.try_get_context(CONTEXT_KEY)):
        stage = OutlayStage(app, config=config)
        Validations.of(stage).add_plugins(*packs)
        stages.append(stage)
    # The promotion pipeline exists only once a repository connection is configured, so `make synth`
    # and `make deploy ENV=dev` never need one.
    pipeline = load_pipeline_config(app.node.try_get_context(PIPELINE_CONTEXT_KEY))
    if pipeline.enabled:
        by_name = {stage.config.name: stage for stage in stages}
        PipelineStack(
            app, PIPELINE_STACK_ID, config=pipeline, staging=by_name["staging"], prod=by_name["prod"]
        )
        # Plugins attach to a Stage or the App only; the same pack instances also cover the stages.
        Validations.of(app).add_plugins(*packs)
    return app, stages


if __name__ == "__main__":
    cdk_app, _ = build_app()
    cdk_app.synth()
