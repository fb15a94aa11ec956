"""`make browser`'s decisions (tests/e2e/provision_browser.py) and the e2e suite's Chromium choice
(tests/e2e/browser.py), without installing or launching anything: fake PATHs and a fake Playwright."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Error

from tests.e2e.browser import (
    CHROMIUM_ENV,
    PLAYWRIGHT_CHROMIUM,
    BrowserUnavailableError,
    launch_chromium,
    system_chromium,
)
from tests.e2e.provision_browser import Machine, commands, plan


def _executable(directory: Path, name: str) -> Path:
    path = directory / name
    path.write_text("#!/bin/sh\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_system_chromium_is_found_on_the_given_path(tmp_path: Path) -> None:
    chromium = _executable(tmp_path, "chromium")
    assert system_chromium(path=str(tmp_path), env={}) == str(chromium)


def test_ubuntu_package_name_chromium_browser_is_found_too(tmp_path: Path) -> None:
    chromium = _executable(tmp_path, "chromium-browser")
    assert system_chromium(path=str(tmp_path), env={}) == str(chromium)


def test_a_path_without_chromium_finds_none(tmp_path: Path) -> None:
    (tmp_path / "chromium").write_text("not executable")
    assert system_chromium(path=str(tmp_path), env={}) is None
    assert system_chromium(env={"PATH": str(tmp_path)}) is None


def test_explicit_chromium_wins_over_path(tmp_path: Path) -> None:
    _executable(tmp_path, "chromium")
    chrome = "/opt/chrome/chrome"
    assert system_chromium(path=str(tmp_path), env={CHROMIUM_ENV: chrome}) == chrome


ROOT_DEBIAN = Machine(system="Linux", has_apt=True, is_root=True, sudo="none")


@pytest.mark.parametrize(
    ("machine", "expected"),
    [
        (ROOT_DEBIAN, ["apt", "playwright"]),
        (Machine(system="Linux", has_apt=True, is_root=False, sudo="passwordless"), ["apt", "playwright"]),
        (Machine(system="Linux", has_apt=True, is_root=False, sudo="prompt"), ["apt", "playwright"]),
        (Machine(system="Linux", has_apt=True, is_root=False, sudo="none"), ["playwright"]),
        (Machine(system="Linux", has_apt=False, is_root=True, sudo="none"), ["playwright"]),
        (Machine(system="Darwin", has_apt=False, is_root=False, sudo="prompt"), ["playwright"]),
    ],
)
def test_plan_uses_apt_only_when_it_may_then_playwright(machine: Machine, expected: list[str]) -> None:
    assert plan(machine) == expected


def test_apt_as_root_runs_apt_get_directly() -> None:
    assert commands("apt", ROOT_DEBIAN) == [
        ["apt-get", "update", "-qq"],
        ["apt-get", "install", "-y", "-qq", "chromium"],
    ]


def test_apt_through_sudo_never_waits_for_a_password_it_cannot_get() -> None:
    silent = Machine(system="Linux", has_apt=True, is_root=False, sudo="passwordless")
    asking = Machine(system="Linux", has_apt=True, is_root=False, sudo="prompt")
    assert commands("apt", silent)[1] == [
        "sudo",
        "-n",
        "DEBIAN_FRONTEND=noninteractive",
        "apt-get",
        "install",
        "-y",
        "-qq",
        "chromium",
    ]
    assert commands("apt", asking)[1][:2] == ["sudo", "DEBIAN_FRONTEND=noninteractive"]


def test_playwright_download_adds_system_libraries_only_where_it_may_use_apt() -> None:
    mac = Machine(system="Darwin", has_apt=False, is_root=False, sudo="prompt")
    assert commands("playwright", ROOT_DEBIAN, python="py") == [
        ["py", "-m", "playwright", "install", "--with-deps", "chromium"]
    ]
    assert commands("playwright", mac, python="py") == [["py", "-m", "playwright", "install", "chromium"]]


class _FakeChromium:
    def __init__(self, launches: set[str | None]) -> None:
        self.launches = launches
        self.tried: list[str | None] = []

    def launch(self, *, executable_path: str | None, **_: Any) -> str:
        self.tried.append(executable_path)
        if executable_path not in self.launches:
            raise Error(f"cannot start {executable_path}\nlong log")
        return f"browser:{executable_path}"


class _FakePlaywright:
    def __init__(self, launches: set[str | None]) -> None:
        self.chromium = _FakeChromium(launches)


def test_system_chromium_is_launched_first(tmp_path: Path) -> None:
    chromium = str(_executable(tmp_path, "chromium"))
    fake = _FakePlaywright({chromium, None})
    assert launch_chromium(fake, env={"PATH": str(tmp_path)}) == f"browser:{chromium}"  # type: ignore[arg-type]
    assert fake.chromium.tried == [chromium]


def test_a_system_chromium_that_fails_falls_back_to_playwrights_own(tmp_path: Path) -> None:
    chromium = str(_executable(tmp_path, "chromium"))
    fake = _FakePlaywright({None})
    assert launch_chromium(fake, env={"PATH": str(tmp_path)}) == "browser:None"  # type: ignore[arg-type]
    assert fake.chromium.tried == [chromium, None]


def test_no_chromium_at_all_is_an_error_naming_each_attempt_and_the_fix(tmp_path: Path) -> None:
    fake = _FakePlaywright(set())
    with pytest.raises(BrowserUnavailableError) as raised:
        launch_chromium(fake, env={"PATH": str(tmp_path)})  # type: ignore[arg-type]
    message = str(raised.value)
    assert f"{PLAYWRIGHT_CHROMIUM}: cannot start None" in message
    assert "make browser" in message
    assert "long log" not in message


def test_an_explicit_chromium_that_fails_is_not_replaced_silently() -> None:
    fake = _FakePlaywright({None})
    with pytest.raises(BrowserUnavailableError, match="/opt/chrome: cannot start"):
        launch_chromium(fake, env={CHROMIUM_ENV: "/opt/chrome"})  # type: ignore[arg-type]
    assert fake.chromium.tried == ["/opt/chrome"]
