"""`python -m local` as a developer runs it: banner, port clash, Ctrl-C, --keep-state, --reset-only."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'lambdas'}", "PYTHONUNBUFFERED": "1"}
PASSWORD = "Kept-state-pass-1!"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Running:
    def __init__(self, process: subprocess.Popen[str], port: int) -> None:
        self.process = process
        self.port = port
        self.lines: list[str] = []
        self.ready = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)
            if "Ctrl-C to stop" in line:
                self.ready.set()
        self.ready.set()

    @property
    def output(self) -> str:
        return "".join(self.lines)

    @property
    def base(self) -> str:
        return f"http://localhost:{self.port}"

    def interrupt(self) -> int:
        self.process.send_signal(signal.SIGINT)
        code = self.process.wait(timeout=60)
        self._reader.join(timeout=10)
        return code


@contextmanager
def running(*args: str, port: int | None = None) -> Iterator[Running]:
    port = port or _free_port()
    process = subprocess.Popen(  # noqa: S603 - this interpreter, our own module
        [sys.executable, "-m", "local", "--port", str(port), "--quiet", *args],
        cwd=ROOT,
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    run = Running(process, port)
    try:
        assert run.ready.wait(120), run.output
        assert process.poll() is None, run.output
        yield run
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)


def cognito(run: Running, operation: str, body: dict[str, Any]) -> dict[str, Any]:
    response = requests.post(
        f"{run.base}/cognito/",
        data=json.dumps(body),
        headers={
            "X-Amz-Target": f"AWSCognitoIdentityProviderService.{operation}",
            "Content-Type": "application/x-amz-json-1.1",
        },
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def sign_in(run: Running, email: str) -> str:
    client_id = requests.get(f"{run.base}/config.json", timeout=10).json()["userPoolClientId"]
    result = cognito(
        run,
        "InitiateAuth",
        {
            "ClientId": client_id,
            "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": email, "PASSWORD": PASSWORD},
        },
    )
    return str(result["AuthenticationResult"]["IdToken"])


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
        client_id = requests.get(f"{run.base}/config.json", timeout=10).json()["userPoolClientId"]
        cognito(
            run,
            "SignUp",
            {
                "ClientId": client_id,
                "Username": email,
                "Password": PASSWORD,
                "UserAttributes": [{"Name": "email", "Value": email}],
            },
        )
        cognito(
            run, "ConfirmSignUp", {"ClientId": client_id, "Username": email, "ConfirmationCode": "000000"}
        )
        auth = {"Authorization": sign_in(run, email)}
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


def test_an_unreadable_kept_state_starts_fresh_instead_of_failing(tmp_path: Path) -> None:
    from local import state

    (tmp_path / "snapshot.json").write_text('{"version": 1, "tables": ')  # cut short by a crash
    assert state.load(tmp_path) is None
    (tmp_path / "snapshot.json").write_text(json.dumps({"version": 999}))
    assert state.load(tmp_path) is None
