"""What the browser tests share: where things are, which Chromium they launch and with which flags,
console watching, axe checks."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Browser, ConsoleMessage, Error, Page, Playwright

REPO_ROOT = Path(__file__).resolve().parents[2]
WEB_DIST = REPO_ROOT / "web" / "dist"
# An explicit Chromium (any path); else the system's (Debian/Ubuntu package names); else Playwright's own.
CHROMIUM_ENV = "OUTLAY_CHROMIUM"
SYSTEM_CHROMIUM_NAMES = ("chromium", "chromium-browser")
PLAYWRIGHT_CHROMIUM = "Playwright's own Chromium"
NO_BROWSER_HELP = (
    "No Chromium launches for the browser tests. `make browser` (which `make test` runs) installs one: "
    "Debian's `chromium` with apt when run as root or with sudo, else Playwright's own download "
    "(`.venv/bin/playwright install chromium`, needs network access to Playwright's CDN). "
    f"Or point {CHROMIUM_ENV} at a Chromium/Chrome executable."
)
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


class BrowserUnavailableError(RuntimeError):
    """No Chromium could be launched; the message says what was tried and how to get one."""


def system_chromium(path: str | None = None, env: Mapping[str, str] | None = None) -> str | None:
    """The Chromium to try before Playwright's own: $OUTLAY_CHROMIUM, else `chromium` on PATH."""
    env = os.environ if env is None else env
    if override := env.get(CHROMIUM_ENV):
        return override
    search = env.get("PATH", os.defpath) if path is None else path
    for name in SYSTEM_CHROMIUM_NAMES:
        if found := shutil.which(name, path=search):
            return found
    return None


def launch_chromium(playwright: Playwright, *, env: Mapping[str, str] | None = None) -> Browser:
    """The first Chromium that launches headless: the system's (or $OUTLAY_CHROMIUM, then the only
    candidate), else the one Playwright downloaded. Raises BrowserUnavailableError naming each failure."""
    env = os.environ if env is None else env
    found = system_chromium(env=env)
    candidates: list[str | None] = [found] if env.get(CHROMIUM_ENV) else [found, None] if found else [None]
    failures = []
    for executable in candidates:
        try:
            return playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        except Error as exc:
            reason = exc.message.strip().splitlines()[0] if exc.message.strip() else type(exc).__name__
            failures.append(f"{executable or PLAYWRIGHT_CHROMIUM}: {reason}")
    raise BrowserUnavailableError(NO_BROWSER_HELP + "\nTried:\n" + "\n".join(f"  - {f}" for f in failures))


# The two widths every page is looked at in: a laptop and a phone.
WIDTHS = {"desktop": (1280, 900), "phone": (375, 740)}


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


@contextmanager
def watched_page(
    browser: Browser,
    console: ConsoleWatch | None = None,
    *,
    size: tuple[int, int] = (1280, 900),
    scheme: str | None = None,
) -> Iterator[tuple[Page, ConsoleWatch]]:
    """A page in a fresh context (US English, UTC, at `size`, in the `scheme` the system prefers, else
    the browser's default) and the ConsoleWatch (`console`, else a new one) its console errors and
    page errors go to; the context is closed on exit."""
    console = ConsoleWatch() if console is None else console
    width, height = size
    context = browser.new_context(
        viewport={"width": width, "height": height},
        color_scheme=scheme,  # type: ignore[arg-type]
        locale="en-US",
        timezone_id="UTC",
    )
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.on("console", console.on_console)
    page.on("pageerror", console.on_page_error)
    try:
        yield page, console
    finally:
        context.close()


def scrolls_sideways(page: Page) -> bool:
    return bool(page.evaluate("() => document.documentElement.scrollWidth > window.innerWidth"))


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
