"""`python -m stacks.summary cdk.out`: which stacks each stage synthesized, and how many resources each.

Reads the cloud assembly only (no CDK import), so it runs in a blink after `cdk synth`.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path


def stage_stacks(cdk_out: Path) -> dict[str, list[tuple[str, int, Counter[str]]]]:
    manifest = json.loads((cdk_out / "manifest.json").read_text())
    stages: dict[str, list[tuple[str, int, Counter[str]]]] = {}
    for artifact_id, artifact in manifest.get("artifacts", {}).items():
        if artifact.get("type") != "cdk:cloud-assembly":
            continue
        nested = cdk_out / artifact["properties"]["directoryName"]
        nested_manifest = json.loads((nested / "manifest.json").read_text())
        rows = []
        for stack in nested_manifest.get("artifacts", {}).values():
            if stack.get("type") != "aws:cloudformation:stack":
                continue
            template = json.loads((nested / stack["properties"]["templateFile"]).read_text())
            types = Counter(r["Type"] for r in template.get("Resources", {}).values())
            rows.append(
                (
                    stack.get("displayName", stack["properties"].get("stackName", "?")),
                    sum(types.values()),
                    types,
                )
            )
        stages[artifact.get("displayName", artifact_id).removeprefix("assembly-")] = rows
    return stages


def main(argv: list[str]) -> int:
    cdk_out = Path(argv[1] if len(argv) > 1 else "cdk.out")
    if not (cdk_out / "manifest.json").is_file():
        print(f"{cdk_out}: no cloud assembly here; run `make synth` first", file=sys.stderr)
        return 1
    for stage, rows in stage_stacks(cdk_out).items():
        print(f"{stage}: {len(rows)} stacks, {sum(n for _, n, _ in rows)} resources")
        for name, count, types in rows:
            top = ", ".join(f"{t.split('::', 1)[1]} {n}" for t, n in types.most_common(4))
            print(f"  {name:<28} {count:>4}  ({top})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
