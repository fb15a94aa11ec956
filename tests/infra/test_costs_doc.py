"""docs/COSTS.md says what the stacks create and what that costs: recount and re-add it from the templates."""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal
from typing import Any

import pytest

from stacks.constructs.site import ASSETS_DIR, WEB_DIST
from stacks.stage import STACK_IDS
from tests.infra.conftest import ROOT, Synthesized, resources

pytestmark = pytest.mark.infra

DOC = (ROOT / "docs" / "COSTS.md").read_text()
TIMES = "\N{MULTIPLICATION SIGN}"  # the doc writes arithmetic with the real sign
FLAT = " ".join(DOC.split())  # prose checks ignore where the lines wrap
# List prices the doc's idle figure is built from (us-east-1): per key-, alarm- and dashboard-month.
MONTHLY = {"AWS::KMS::Key": Decimal("1.00"), "AWS::CloudWatch::Alarm": Decimal("0.10")}
DASHBOARD = Decimal("3.00")
IDLE_GOAL = Decimal("2.00")  # per environment (issue 15)


def _section(title: str) -> str:
    start = DOC.index(f"## {title}")
    end = DOC.find("\n## ", start + 1)
    return DOC[start : end if end != -1 else None]


def _money(text: str) -> Decimal:
    return Decimal(text.replace("$", "").replace(",", ""))


def _counts(synth: Synthesized, env: str) -> Counter[str]:
    return Counter(
        r["Type"] for stack_id in STACK_IDS for r in synth.json(env, stack_id)["Resources"].values()
    )


# The doc counts what `make deploy` ships: the site with its built assets (make test builds web/dist
# first). Without a build the site deploys config.json alone, one BucketDeployment fewer.
needs_web_build = pytest.mark.skipif(
    not (WEB_DIST / ASSETS_DIR).is_dir(), reason="docs/COSTS.md counts a built site: run `make web` first"
)


@needs_web_build
def test_resource_table_matches_the_dev_templates(synth: Synthesized) -> None:
    rows = re.findall(r"^\| `([\w:]+)` \| (\d+) \|", _section("What one environment creates"), re.M)
    documented = {rtype: int(count) for rtype, count in rows}
    assert len(documented) == len(rows), "a resource type is listed twice"
    assert documented == dict(_counts(synth, "dev"))


@needs_web_build
def test_documented_totals_per_environment(synth: Synthesized) -> None:
    totals = re.search(r"Totals: dev (\d+) resources, staging (\d+), prod (\d+)\.", FLAT)
    assert totals is not None
    assert tuple(map(int, totals.groups())) == tuple(
        sum(_counts(synth, env).values()) for env in ("dev", "staging", "prod")
    )


@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_idle_cost_is_what_the_monthly_priced_resources_add_up_to(synth: Synthesized, env: str) -> None:
    counts = _counts(synth, env)
    idle = (
        sum(price * counts[rtype] for rtype, price in MONTHLY.items())
        + DASHBOARD * counts["AWS::CloudWatch::Dashboard"]
    )
    stated = re.search(r"\*\*Idle: \$([\d.]+) per environment per month", FLAT)
    assert stated is not None
    assert _money(stated.group(1)) == idle
    assert idle <= IDLE_GOAL
    table = _section("Idle monthly cost of one environment")
    keys = counts["AWS::KMS::Key"]
    assert f"| {keys} key{'s' if keys != 1 else ''} {TIMES} $1.00 | ${keys:.2f} |" in table
    assert f"| {counts['AWS::CloudWatch::Alarm']} alarms {TIMES} $0.10 |" in table


def test_nothing_runs_while_nobody_uses_it(synth: Synthesized) -> None:
    for env in synth.stages:
        for stack_id in STACK_IDS:
            template = synth.json(env, stack_id)
            types = {r["Type"] for r in template["Resources"].values()}
            always_on = {
                t
                for t in types
                if t.split("::")[1] in {"EC2", "RDS", "ECS", "ElastiCache", "OpenSearchService"}
            }
            assert always_on == set(), (env, stack_id)
            assert "AWS::Lambda::Version" not in types  # provisioned concurrency needs a version/alias
            for table in resources(template, "AWS::DynamoDB::Table").values():
                assert table["Properties"]["BillingMode"] == "PAY_PER_REQUEST"


def _application_functions(synth: Synthesized, env: str) -> list[dict[str, Any]]:
    return [
        fn["Properties"]
        for stack_id in STACK_IDS
        for fn in resources(synth.json(env, stack_id), "AWS::Lambda::Function").values()
        if "POWERTOOLS_SERVICE_NAME" in fn["Properties"].get("Environment", {}).get("Variables", {})
    ]


def test_lambda_assumptions_are_the_synthesized_ones(synth: Synthesized) -> None:
    functions = _application_functions(synth, "dev")
    documented = re.search(r"\((\d+) application functions; (\d+) CDK deploy-time providers\)", FLAT)
    assert documented is not None
    total = _counts(synth, "dev")["AWS::Lambda::Function"]
    assert (len(functions), total - len(functions)) == tuple(map(int, documented.groups()))
    memory = re.search(r"Application Lambdas use \*\*(\d+) MB\*\* \(as synthesized\) on (\w+)", FLAT)
    assert memory is not None
    assert {f["MemorySize"] for f in functions} == {int(memory.group(1))}
    assert {tuple(f["Architectures"]) for f in functions} == {(memory.group(2),)}
    assert f"{TIMES} {int(memory.group(1)) / 1024:g} GB" in FLAT


def test_per_user_table_adds_up_to_the_stated_total() -> None:
    table = _section("Cost per 1,000 active users (per month)")
    amounts = [_money(m) for m in re.findall(r"\| \$([\d.]+) \|$", table, re.M)]
    assert len(amounts) == 13
    stated = re.search(r"\*\*Total: \$([\d.]+) per 1,000 active users per month\*\*", table)
    assert stated is not None
    assert sum(amounts) == _money(stated.group(1))


def test_cost_explorer_cost_per_user_follows_from_the_schedule() -> None:
    from stacks.scheduler_stack import SCHEDULES

    runs = len(SCHEDULES)
    per_user = Decimal("0.01") * runs
    assert (
        f"{runs} {TIMES} $0.01 = ${per_user:.2f} per user-month → ${per_user * 1000:,.2f} per 1,000 users"
        in FLAT
    )
