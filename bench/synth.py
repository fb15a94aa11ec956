"""Synthesis of one environment (warm asset cache) vs an empty CDK app, each in a fresh interpreter.

Figures are CPU seconds of the whole process tree (Python + jsii's node), as for cold starts: on the
shared machine wall time mostly measures the neighbours. Two floors: the empty app as CDK ships it
(the issue's floor; its built-in CloudFormation validation compiles a WASM engine on every synth) and
an empty app with that validation off, as app.py runs (see app.new_app), which leaves jsii's own cost
per construct. Where that goes (profiled with JSII_NODE pointing at `node --cpu-prof` and cProfile):
node loading aws-cdk-lib modules and assemblies, cdk-nag's rules, token resolution; Python importing
the stacks and the jsii bindings.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.common import ROOT, Row, env

TARGET = 1.5
EMPTY_APP = "import aws_cdk as cdk\napp = cdk.App({props})\ncdk.Stack(app, 'Empty')\napp.synth()\n"
NO_VALIDATION = "builtin_cloud_formation_validation=False"


def _synth_once(command: list[str], outdir: Path, context: dict) -> float:
    run_env = env() | {"CDK_OUTDIR": str(outdir), "CDK_CONTEXT_JSON": json.dumps(context)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(command, cwd=ROOT, env=run_env, check=True, capture_output=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def measure(runs: int = 3, environment: str = "dev") -> list[Row]:
    context = json.loads((ROOT / "cdk.json").read_text())["context"]
    envs = context["outlay:environments"]
    one_env = context | {"outlay:environments": {environment: envs[environment]}}
    with tempfile.TemporaryDirectory() as tmp:
        app_out, empty_out = Path(tmp, "app"), Path(tmp, "empty")
        # The first run bundles the Lambda asset; later runs find it staged by content hash (warm).
        _synth_once([sys.executable, "app.py"], app_out, one_env)
        app_times = [_synth_once([sys.executable, "app.py"], app_out, one_env) for _ in range(runs)]
        empty = [sys.executable, "-c", EMPTY_APP.format(props="")]
        bare = [sys.executable, "-c", EMPTY_APP.format(props=NO_VALIDATION)]
        empty_times = [_synth_once(empty, empty_out, {}) for _ in range(runs)]
        bare_times = [_synth_once(bare, empty_out, {}) for _ in range(runs)]
    app_s = statistics.median(app_times)
    empty_s, bare_s = statistics.median(empty_times), statistics.median(bare_times)
    what = f"Synthesis, `{environment}` (6 stacks, warm asset cache)"
    return [
        Row(
            what=f"{what} vs empty CDK app",
            figure=f"{app_s:.1f} s CPU",
            floor=f"{empty_s:.1f} s (empty app)",
            ratio=app_s / empty_s,
            target=f"≤ {TARGET}x",
            met=app_s / empty_s <= TARGET,
            fix="Keep CDK's built-in validation off (app.new_app): cfn-lint runs in make test.",
        ),
        Row(
            what=f"{what} vs empty CDK app, built-in validation off in both",
            figure=f"{app_s:.1f} s CPU",
            floor=f"{bare_s:.1f} s (bare empty app)",
            ratio=app_s / bare_s,
            target="reported",
            met=True,
            fix="",
        ),
    ]


if __name__ == "__main__":
    os.chdir(ROOT)
    print(measure())
