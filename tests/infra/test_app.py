"""The app's shape: one stage per configured environment, six stacks, dependencies in one direction."""

from __future__ import annotations

import pytest

from stacks.stage import STACK_IDS
from tests.infra.conftest import ENVIRONMENTS, Synthesized

pytestmark = pytest.mark.infra


def test_one_stage_per_environment_with_the_six_stacks(synth: Synthesized) -> None:
    assert tuple(synth.stages) == ENVIRONMENTS
    for env, stage in synth.stages.items():
        assert stage.stage_name == f"Outlay-{env}"
        assert [s.node.id for s in stage.node.children if hasattr(s, "artifact_id")] == list(STACK_IDS)


def test_stacks_only_depend_on_earlier_stacks(synth: Synthesized) -> None:
    """auth -> data -> scheduler -> api -> frontend -> analytics: references flow one way, no cycles."""
    for env in synth.stages:
        for position, stack_id in enumerate(STACK_IDS):
            depends_on = {d.node.id for d in synth.stack(env, stack_id).dependencies}
            assert depends_on <= set(STACK_IDS[:position]), (env, stack_id, depends_on)
    api_deps = {d.node.id for d in synth.stack("dev", "api").dependencies}
    assert api_deps == {"auth", "data", "scheduler"}
    assert {d.node.id for d in synth.stack("dev", "frontend").dependencies} == {"auth", "data", "api"}


def test_environment_agnostic_unless_configured(synth: Synthesized) -> None:
    """Synthesis never looks anything up: no account in config means an unresolved (token) account."""
    for env, stage in synth.stages.items():
        if synth.config(env).resolved_account is None:
            assert stage.account is None or stage.account.startswith("${Token")
