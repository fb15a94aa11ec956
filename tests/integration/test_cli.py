"""`python -m local` as a developer runs it: banner, port clash, Ctrl-C, --keep-state, --reset-only."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import requests

from tests.integration.local_process import ENV, ROOT, cognito, running, sign_in, sign_up


def test_banner_port_clash_and_ctrl_c_during_seeding(tmp_path: Path) -> None:
    with running("--state-dir", str(tmp_path / "state")) as run:
        assert f"http://localhost:{run.port}/" in run.output
        demo = next(line for line in run.lines if "Demo login:" in line)
        email, password = demo.split("Demo login:")[1].strip().split(" / ")
        # The printed login works at once, while demo data is still being written.
        client_id = requests.get(f"{run.base}/config.json", timeout=10).json()["userPoolClientId"]
        token = cognito(
            run,
            "InitiateAuth",
            {
                "ClientId": client_id,
                "AuthFlow": "USER_PASSWORD_AUTH",
                "AuthParameters": {"USERNAME": email, "PASSWORD": password},
            },
        )["AuthenticationResult"]["IdToken"]
        assert (
            requests.get(f"{run.base}/api/profile", headers={"Authorization": token}, timeout=30).status_code
            == 200
        )

        clash = subprocess.run(  # noqa: S603 - this interpreter, our own module
            [sys.executable, "-m", "local", "--port", str(run.port)],
            cwd=ROOT,
            env=ENV,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert clash.returncode == 1
        assert f"port {run.port} is already in use" in clash.stderr
        assert f"PORT={run.port + 1}" in clash.stderr

        assert run.interrupt() == 0
        assert "Stopped." in run.output
        assert "Traceback" not in run.output
    assert not (tmp_path / "state").exists()  # no --keep-state: nothing written


def test_keep_state_survives_a_restart_and_reset_forgets_it(tmp_path: Path) -> None:
    state = tmp_path / "state"
    email = "keeper@example.com"
    with running("--no-seed", "--keep-state", "--state-dir", str(state)) as run:
        auth = sign_up(run, email)
        created = requests.post(
            f"{run.base}/api/expenses",
            json={"amount": "42.00", "currency": "EUR", "category": "Travel", "vendor": "Kept"},
            headers=auth,
            timeout=30,
        )
        assert created.status_code == 201, created.text
        connected = requests.post(
            f"{run.base}/api/aws-credentials",
            json={
                "type": "keys",
                "accessKeyId": "AKIAKEEPSTATE0000001",
                "secretAccessKey": "kept-state-secret-0001",
            },
            headers=auth,
            timeout=30,
        )
        assert connected.status_code == 200, connected.text
        assert run.interrupt() == 0
    assert (state / "snapshot.json").is_file()
    # It holds users' passwords and the KMS key material: owner-only, like ~/.aws/credentials.
    assert (state / "snapshot.json").stat().st_mode & 0o777 == 0o600
    assert state.stat().st_mode & 0o777 == 0o700

    with running("--no-seed", "--keep-state", "--state-dir", str(state)) as run:
        auth = {"Authorization": sign_in(run, email)}  # same password, same user (same sub)
        items = requests.get(f"{run.base}/api/expenses", headers=auth, timeout=30).json()["items"]
        assert [(e["vendor"], e["amount"], e["currency"]) for e in items] == [("Kept", "42.00", "EUR")]
        status = requests.get(f"{run.base}/api/aws-credentials", headers=auth, timeout=30).json()
        assert status["configured"] is True
        # The stored secret still decrypts: the KMS key came back with its key material.
        run_result = requests.post(f"{run.base}/api/aws-cost-import", json={}, headers=auth, timeout=60)
        assert run_result.status_code == 200, run_result.text
        assert run_result.json()["status"] == "succeeded", run_result.text
        assert run.interrupt() == 0

    reset = subprocess.run(  # noqa: S603 - this interpreter, our own module
        [sys.executable, "-m", "local", "--reset-only", "--state-dir", str(state)],
        cwd=ROOT,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert reset.returncode == 0
    assert not state.exists()


def test_an_unreadable_kept_state_starts_fresh_and_is_set_aside_not_overwritten(tmp_path: Path) -> None:
    from local import state

    cut_short = '{"version": 1, "tables": '
    (tmp_path / "snapshot.json").write_text(cut_short)
    assert state.load(tmp_path) is None
    assert not (tmp_path / "snapshot.json").exists()  # the next save cannot overwrite it
    [aside] = tmp_path.glob("snapshot.set-aside-*.json")
    assert aside.read_text() == cut_short
    aside.unlink()
    (tmp_path / "snapshot.json").write_text(json.dumps({"version": 999}))
    assert state.load(tmp_path) is None
    assert len(list(tmp_path.glob("snapshot.set-aside-*.json"))) == 1
