"""What the browser tests share: where things are, Chromium's flags, console watching, axe checks."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import ConsoleMessage, Error, Page

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
AXE = REPO_ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.x A + AA rules (labels, names, contrast >= 4.5:1, landmarks, lang...) and axe's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


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


def axe_violations(page: Page) -> list[str]:
    """Run axe-core (a devDependency of web/, installed by `make install`) on the page as it is now."""
    assert AXE.is_file(), "axe-core is missing: run `make install` (or `cd web && npm ci`)"
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol, which the page's CSP does not (and should not) stop.
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;void 0")
    result = page.evaluate("(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:5]}"
        for v in result["violations"]
    ]


def sign_in_through_page(page: Page, site_url: str, email: str, password: str) -> None:
    """Sign in on the sign-in page as a user would and wait for the expenses page to be ready."""
    page.goto(site_url)
    view = page.locator("#view-signin")
    view.get_by_label("E-mail").fill(email)
    view.get_by_label("Password").fill(password)
    view.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url("**/expenses.html")
    page.wait_for_selector("body[data-ready='true']")


def screenshot_checked(page: Page, path: Path, *, full_page: bool = True) -> None:
    """Screenshot the page as it is now and fail on any axe (WCAG 2 A/AA + best practice) finding."""
    page.screenshot(path=str(path), full_page=full_page)
    assert axe_violations(page) == [], f"accessibility problems on {path.name}"
