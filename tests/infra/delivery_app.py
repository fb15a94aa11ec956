"""A second app, synthesized once per test session, for what cdk.json leaves off by default.

It is app.py's `build_app` with three context changes a real team would make: a repository connection
(so the promotion pipeline exists), staging/prod pinned to an account and region (the pipeline
deploys to fixed places), and dev with QuickSight on plus an alarm e-mail. Staging and prod keep
their cdk.json settings, so they double as the "off" case.
"""

from __future__ import annotations

import copy
import json
import os
from functools import cache
from pathlib import Path
from tempfile import mkdtemp
from typing import Any

from app import build_app, new_app
from stacks.pipeline_stack import PIPELINE_CONTEXT_KEY, PIPELINE_STACK_ID
from tests.infra.conftest import ROOT, Synthesized

ACCOUNT = "111111111111"
REGION = "us-east-1"
CONNECTION_ARN = f"arn:aws:codestar-connections:{REGION}:{ACCOUNT}:connection/abc"
REPOSITORY = "outlay-dev/outlay"
BRANCH = "release"
QUICKSIGHT_PRINCIPAL = f"arn:aws:quicksight:{REGION}:{ACCOUNT}:user/default/outlay-admin"
ALARM_EMAIL = "oncall@example.com"


@cache
def delivery() -> Synthesized:
    context: dict[str, Any] = copy.deepcopy(json.loads((ROOT / "cdk.json").read_text())["context"])
    context["outlay:skipBundling"] = "true"
    context["@aws-cdk/core:failSynthOnValidationErrors"] = False
    context[PIPELINE_CONTEXT_KEY] = {
        "connectionArn": CONNECTION_ARN,
        "repository": REPOSITORY,
        "branch": BRANCH,
    }
    environments = context["outlay:environments"]
    for name in ("staging", "prod"):
        environments[name].update(account=ACCOUNT, region=REGION)
    environments["dev"].update(
        quicksight=True, quicksightPrincipalArn=QUICKSIGHT_PRINCIPAL, alarmEmail=ALARM_EMAIL
    )
    outdir = Path(mkdtemp(prefix="outlay-delivery-"))
    # The pipeline stack itself takes its account/region from the CLI's variables, as in CodeBuild.
    saved = {k: os.environ.get(k) for k in ("CDK_DEFAULT_ACCOUNT", "CDK_DEFAULT_REGION")}
    os.environ.update(CDK_DEFAULT_ACCOUNT=ACCOUNT, CDK_DEFAULT_REGION=REGION)
    try:
        app, stages = build_app(new_app(context=context, outdir=str(outdir)))
        app.synth()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return Synthesized(outdir=outdir, stages={s.config.name: s for s in stages})


def pipeline_template() -> dict[str, Any]:
    return json.loads((delivery().outdir / f"{PIPELINE_STACK_ID}.template.json").read_text())  # type: ignore[no-any-return]
