"""`python -m local` in a subprocess, as a developer runs it: start, sign up, sign in, stop."""

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

    def interrupt(self, sig: signal.Signals = signal.SIGINT) -> int:
        self.process.send_signal(sig)
        code = self.process.wait(timeout=60)
        self._reader.join(timeout=10)
        return code

    def kill(self) -> None:
        """kill -9: no handler runs, nothing is flushed."""
        self.process.kill()
        self.process.wait(timeout=30)
        self._reader.join(timeout=10)


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


def sign_up(run: Running, email: str) -> dict[str, str]:
    """Self sign-up + confirm through the gateway's Cognito pass-through; returns auth headers."""
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
    cognito(run, "ConfirmSignUp", {"ClientId": client_id, "Username": email, "ConfirmationCode": "000000"})
    return {"Authorization": sign_in(run, email)}


def expense_ids(run: Running, auth: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Every expense of the signed-in user, page by page, by id."""
    found: dict[str, dict[str, Any]] = {}
    cursor: str | None = None
    while True:
        params = {"limit": "100", **({"next": cursor} if cursor else {})}
        page = requests.get(f"{run.base}/api/expenses", params=params, headers=auth, timeout=30)
        assert page.status_code == 200, page.text
        body = page.json()
        found.update({item["id"]: item for item in body["items"]})
        cursor = body.get("next")
        if not cursor:
            return found
