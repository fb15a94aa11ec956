"""cfn-lint over every template of the session's one synthesis: zero findings (errors or warnings)."""

from __future__ import annotations

import pytest

from tests.infra.conftest import ENVIRONMENTS, Synthesized, cfn_lint

pytestmark = pytest.mark.infra


def test_every_synthesized_template_is_cfn_lint_clean(synth: Synthesized) -> None:
    templates = sorted(synth.outdir.glob("assembly-Outlay-*/*.template.json"))
    # 6 stacks per environment, none missed by the glob.
    assert len(templates) == 6 * len(ENVIRONMENTS)
    assert cfn_lint(templates) == ""


def test_the_linter_reports_a_broken_template(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The gate can fail: a bucket with an unknown property is reported."""
    broken = tmp_path_factory.mktemp("lint") / "broken.template.json"
    broken.write_text('{"Resources": {"B": {"Type": "AWS::S3::Bucket", "Properties": {"Nope": 1}}}}')
    assert "Nope" in cfn_lint([broken])
