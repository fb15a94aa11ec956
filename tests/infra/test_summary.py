"""`python -m stacks.summary cdk.out` (what `make synth` prints) lists every stage and stack."""

from __future__ import annotations

import pytest

from stacks import summary
from stacks.stage import STACK_IDS
from tests.infra.conftest import ENVIRONMENTS, Synthesized

pytestmark = pytest.mark.infra


def test_summary_lists_stages_stacks_and_counts(
    synth: Synthesized, capsys: pytest.CaptureFixture[str]
) -> None:
    assert summary.main(["summary", str(synth.outdir)]) == 0
    out = capsys.readouterr().out
    for env in ENVIRONMENTS:
        assert f"Outlay-{env}: {len(STACK_IDS)} stacks" in out
        for stack_id in STACK_IDS:
            assert f"Outlay-{env}/{stack_id} " in out
    stages = summary.stage_stacks(synth.outdir)
    assert all(count > 0 for rows in stages.values() for _, count, _ in rows)


def test_summary_explains_a_missing_assembly(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert summary.main(["summary", str(tmp_path)]) == 1
    assert "make synth" in capsys.readouterr().err
