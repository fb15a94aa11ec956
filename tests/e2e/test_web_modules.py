"""The dashboard's pure modules (exact money sums, password rules, query cleaning) under Node's own
test runner: web/test/*.test.js, no browser and no extra npm dependency. Run here so `make test`
covers them; `cd web && npm test` runs the same files."""

from __future__ import annotations

import shutil
import subprocess

from tests.e2e.browser import REPO_ROOT

WEB = REPO_ROOT / "web"


def test_web_modules_pass_their_node_tests() -> None:
    node = shutil.which("node")
    assert node, "node is needed for the dashboard (make install)"
    result = subprocess.run(  # noqa: S603 - fixed argv, no shell
        [node, "--test", "test/"], cwd=WEB, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "# fail 0" in result.stdout
    assert "# pass 0" not in result.stdout
