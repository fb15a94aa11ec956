"""`make browser` (run by `make test`): make sure the browser tests have a Chromium that launches.

On a fresh machine: Debian's `chromium` through apt when that is possible (root, or sudo), else
Playwright's own Chromium download; when neither works, exit 1 with what was tried and what to do.
Which path to take is decided by `plan()` from a probed `Machine`, so the decision is testable.
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
from dataclasses import dataclass
from typing import Literal

from playwright.sync_api import sync_playwright

from tests.e2e.browser import NO_BROWSER_HELP, BrowserUnavailableError, launch_chromium

Sudo = Literal["none", "passwordless", "prompt"]
Step = Literal["apt", "playwright"]


@dataclass(frozen=True)
class Machine:
    system: str  # platform.system(): "Linux", "Darwin", ...
    has_apt: bool
    is_root: bool
    sudo: Sudo


def plan(machine: Machine) -> list[Step]:
    """The installs to try, in order, when no Chromium launches yet."""
    steps: list[Step] = []
    if machine.system == "Linux" and machine.has_apt and (machine.is_root or machine.sudo != "none"):
        steps.append("apt")
    steps.append("playwright")
    return steps


def _privileged(machine: Machine, argv: list[str]) -> list[str]:
    if machine.is_root:
        return argv
    flags = ["-n"] if machine.sudo == "passwordless" else []
    return ["sudo", *flags, "DEBIAN_FRONTEND=noninteractive", *argv]


def commands(step: Step, machine: Machine, python: str = sys.executable) -> list[list[str]]:
    """The argv lists a step runs (each must succeed before the next)."""
    if step == "apt":
        return [
            _privileged(machine, ["apt-get", "update", "-qq"]),
            _privileged(machine, ["apt-get", "install", "-y", "-qq", "chromium"]),
        ]
    install = [python, "-m", "playwright", "install"]
    # Playwright's Linux build needs system libraries; it installs them itself when it may use apt.
    if machine.system == "Linux" and machine.has_apt and (machine.is_root or machine.sudo == "passwordless"):
        install.append("--with-deps")
    return [[*install, "chromium"]]


def probe() -> Machine:
    sudo: Sudo = "none"
    sudo_path = shutil.which("sudo")
    if sudo_path:
        ok = subprocess.run([sudo_path, "-n", "true"], capture_output=True, check=False).returncode == 0  # noqa: S603
        sudo = "passwordless" if ok else "prompt" if sys.stdin.isatty() else "none"
    return Machine(
        system=platform.system(),
        has_apt=shutil.which("apt-get") is not None,
        is_root=hasattr(os, "geteuid") and os.geteuid() == 0,
        sudo=sudo,
    )


def try_launch() -> tuple[str | None, str]:
    """(description of the Chromium that launched, "") or (None, why none did)."""
    with sync_playwright() as p:
        try:
            browser = launch_chromium(p)
        except BrowserUnavailableError as exc:
            return None, str(exc)
        try:
            return f"Chromium {browser.version}", ""
        finally:
            browser.close()


def main() -> int:
    launched, why = try_launch()
    if launched:
        print(f"browser tests: {launched}")
        return 0
    machine = probe()
    tried = []
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for step in plan(machine):
        print(f"browser tests: no Chromium launches yet; installing through {step}", flush=True)
        for argv in commands(step, machine):
            result = subprocess.run(argv, env=env, check=False)  # noqa: S603 - fixed argv, no shell
            if result.returncode != 0:
                tried.append(f"{' '.join(argv)} exited {result.returncode}")
                break
        else:
            launched, why = try_launch()
            if launched:
                print(f"browser tests: {launched} (installed through {step})")
                return 0
            tried.append(f"{step} installed a Chromium that does not launch: {why}")
    print(
        "\n".join(
            [
                "make browser: FAILED, the browser tests cannot run.",
                NO_BROWSER_HELP,
                f"This machine: {machine}",
                "Tried:",
                *(f"  - {t}" for t in tried),
            ]
        ),
        file=sys.stderr,
    )
    return 1


if __name__ == "__main__":
    sys.exit(main())
