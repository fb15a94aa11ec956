"""Browser tests: the built dashboard (web/dist) in Debian's headless Chromium, against the local runtime.

Playwright drives the first Chromium that launches: $OUTLAY_CHROMIUM, Debian's `chromium` on PATH, else
Playwright's own download (`make browser`, run by `make test`, provisions one). None is a test error with
the reason, never a skip.
`local_runtime` here is the same `LocalRuntime` as local.pytest_plugin's fixture, with one difference:
no demo seed. The demo user's queued Cost Explorer answers would be the ones our user's "Import now"
receives; unseeded, the journey queues its own and can assert the exact imported expenses. It is
module-scoped: only one runtime runs per process, so it stops before the next test module starts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from local.runtime import LocalRuntime
from tests.e2e.browser import (
    SCREENSHOTS,
    WEB_DIST,
    BrowserUnavailableError,
    ConsoleWatch,
    launch_chromium,
    watched_page,
)


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
        try:
            browser = launch_chromium(p)
        except BrowserUnavailableError as exc:
            pytest.fail(str(exc), pytrace=False)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def console() -> ConsoleWatch:
    return ConsoleWatch()


@pytest.fixture
def page(browser: Browser, console: ConsoleWatch) -> Iterator[Page]:
    with watched_page(browser, console) as (page, _):
        yield page


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
