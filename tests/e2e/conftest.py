"""Browser tests: the built dashboard (web/dist) in Debian's headless Chromium, against the local runtime.

Playwright drives /usr/bin/chromium (CI installs it via .ci/run); `playwright install` is never used.
The runtime is the same `LocalRuntime` the `local_runtime` fixture of `local.pytest_plugin` starts.
It is module-scoped here because only one runtime may run per process at a time, and the integration
suite holds its own session-scoped one: this one stops before those tests start.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Error, Page, sync_playwright

from local.runtime import LocalRuntime

REPO_ROOT = Path(__file__).resolve().parents[2]
WEB_DIST = REPO_ROOT / "web" / "dist"
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = REPO_ROOT / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="module")
def local_runtime() -> Iterator[LocalRuntime]:
    if not (WEB_DIST / "index.html").is_file():
        pytest.skip("web/dist is not built: run `make web` (make test builds it first)")
    with LocalRuntime(port=0, web_dist=WEB_DIST, seed=False) as runtime:
        yield runtime


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class ConsoleWatch:
    """Console errors and uncaught page errors; requests a step makes fail on purpose are allowed."""

    errors: list[str] = field(default_factory=list)
    _expected_failures: int = 0

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        # Chromium logs every 4xx/5xx response as "Failed to load resource"; steps that provoke one
        # (a wrong password, a refused value) say so with `expect_failed_requests`.
        if self._expected_failures and message.text.startswith("Failed to load resource"):
            return
        self.errors.append(f"console: {message.text} ({message.location.get('url', '')})")

    def on_page_error(self, error: Error) -> None:
        self.errors.append(f"pageerror: {error.message}")

    @contextmanager
    def expect_failed_requests(self) -> Iterator[None]:
        self._expected_failures += 1
        try:
            yield
        finally:
            self._expected_failures -= 1


@pytest.fixture
def console() -> ConsoleWatch:
    return ConsoleWatch()


@pytest.fixture
def page(browser: Browser, console: ConsoleWatch) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US", timezone_id="UTC")
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.on("console", console.on_console)
    page.on("pageerror", console.on_page_error)
    try:
        yield page
    finally:
        context.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
