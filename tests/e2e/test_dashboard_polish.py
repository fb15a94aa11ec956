"""The dashboard's finish, in a real browser: friendly empty states, keyboard shortcuts, toasts that do
not pile up, stable category colours, the AWS forecast where AWS spend is shown, and every page in the
light and the dark theme at desktop (1280 px) and phone (375 px) width, each checked with axe and
written to test-artifacts/screenshots/ (3x-*.png)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Browser, Page, expect

from local.runtime import LocalRuntime
from tests.e2e.browser import (
    WIDTHS,
    ConsoleWatch,
    screenshot_checked,
    scrolls_sideways,
    sign_in_through_page,
    watched_page,
)
from tests.e2e.cost_data import cost_result, previous_month

expect.set_options(timeout=20_000)

PASSWORD = "Outlay-e2e-9!"


def _colours(page: Page) -> dict[str, str]:
    data = page.eval_on_selector(
        "#chart-category", "c => ({labels: c.dataset.labels, colours: c.dataset.colours})"
    )
    return dict(zip(json.loads(data["labels"]), json.loads(data["colours"]), strict=True))


def _breaks_only_between_parts(page: Page, selector: str) -> bool:
    """Every line of the element's text (as laid out) ends at ":" or "/" or at the end of the text."""
    lines: list[str] = page.eval_on_selector(
        selector,
        """el => {
            const text = el.textContent, range = document.createRange(), lines = [];
            let top = null, line = '';
            const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                for (let i = 0; i < node.length; i++) {
                    range.setStart(node, i); range.setEnd(node, i + 1);
                    const y = Math.round(range.getClientRects()[0]?.top ?? top);
                    if (top !== null && y > top + 2) { lines.push(line); line = ''; }
                    top = y; line += node.data[i];
                }
            }
            lines.push(line);
            return lines;
        }""",
    )
    return all(line.endswith((":", "/")) for line in lines[:-1])


@pytest.mark.e2e
def test_new_user_empty_states_shortcuts_and_toasts(
    page: Page, local_runtime: LocalRuntime, console: ConsoleWatch, screenshots: Path
) -> None:
    rt = local_runtime
    email = f"e2e-polish-{uuid.uuid4().hex[:10]}@example.com"
    rt.sign_up(email, PASSWORD)
    sign_in_through_page(page, rt.url, email, PASSWORD)

    # Nothing yet: a sentence and a way forward instead of an empty doughnut and a 0-1 axis.
    empty = page.locator("#summary-empty")
    expect(empty).to_contain_text("Nothing to chart yet")
    expect(page.locator("#summary-charts")).to_be_hidden()
    expect(page.locator("#summary-forecast")).to_be_hidden()  # no AWS account connected
    screenshot_checked(page, screenshots / "30-expenses-empty.png")
    empty.get_by_role("button", name="Add an expense").click()
    amount = page.locator("#expense-form").get_by_label("Amount")
    expect(amount).to_be_focused()

    # Shortcuts never fire while typing: "/" and "n" land in the field as text.
    page.keyboard.type("n/")
    expect(amount).to_have_value("n/")
    amount.fill("")
    page.locator("#list-title").focus()
    page.keyboard.press("/")
    search_box = page.locator("#filter-form").get_by_label("Search")
    expect(search_box).to_be_focused()
    page.keyboard.type("n")
    expect(search_box).to_have_value("n")
    search_box.fill("")
    page.locator("#list-title").focus()
    page.keyboard.press("n")
    expect(amount).to_be_focused()
    page.locator("#list-title").focus()
    page.keyboard.press("?")
    help_dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(help_dialog).to_be_visible()
    expect(help_dialog).to_contain_text("New expense")
    # Under an open dialog the keys do nothing else.
    page.keyboard.press("n")
    expect(amount).not_to_be_focused()
    screenshot_checked(page, screenshots / "31-shortcuts-help.png", full_page=False)
    page.keyboard.press("Escape")
    expect(help_dialog).to_have_count(0)
    # The header's "?" button opens the same help.
    page.get_by_role("button", name="Keyboard shortcuts").click()
    expect(help_dialog).to_be_visible()
    help_dialog.get_by_role("button", name="Close").click()

    # Five quick adds: never more than three toasts, the newest on top.
    form = page.locator("#expense-form")
    for i in range(5):
        form.get_by_label("Amount").fill(f"{i + 1}.00")
        form.get_by_label("Category", exact=True).select_option("Food" if i % 2 else "Software")
        form.get_by_label("Vendor").fill(f"Quick {i}")
        form.get_by_role("button", name="Add expense").click()
        expect(page.locator("#expense-rows tr").filter(has_text=f"Quick {i}")).to_have_count(1)
        assert page.locator("#toasts .toast").count() <= 3
    toasts = page.locator("#toasts .toast")
    expect(toasts.first).to_contain_text("Expense added: Quick 4.")
    # The oldest confirmations made room (or timed out): never below the newer ones.
    expect(toasts.filter(has_text="Quick 0")).to_have_count(0)
    expect(toasts.filter(has_text="Quick 1")).to_have_count(0)
    # The category select shows whole names (nothing cut to "Softwar").
    select = form.get_by_label("Category", exact=True)
    select.select_option("Entertainment")
    fits = select.evaluate("s => s.scrollWidth <= s.clientWidth")
    assert fits, "the category select cuts its longest starter name"

    # Each category keeps its colour when other categories come and go.
    expect(page.locator("#summary-charts")).to_be_visible()
    page.wait_for_function("() => document.getElementById('chart-category').dataset.colours")
    before = _colours(page)
    form.get_by_label("Amount").fill("7.00")
    form.get_by_label("Category", exact=True).select_option("Travel")
    form.get_by_label("Vendor").fill("Train")
    form.get_by_role("button", name="Add expense").click()
    page.wait_for_function(
        "() => JSON.parse(document.getElementById('chart-category').dataset.labels).includes('Travel')"
    )
    after = _colours(page)
    assert {name: after[name] for name in before} == before
    assert len(set(after.values())) == len(after), f"two categories share a colour: {after}"

    # From another page, "n" opens the expenses page on a new expense.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    page.wait_for_url("**/settings.html")
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    page.keyboard.press("n")
    page.wait_for_url("**/expenses.html#new")
    expect(page.locator("#expense-form").get_by_label("Amount")).to_be_focused()
    assert console.errors == []


@pytest.fixture(scope="module")
def connected_user(local_runtime: LocalRuntime) -> str:
    """A user with expenses in two currencies over several months, an AWS connection and one import."""
    rt = local_runtime
    email = f"e2e-themes-{uuid.uuid4().hex[:10]}@example.com"
    rt.sign_up(email, PASSWORD)
    auth = {"Authorization": rt.id_token(email, PASSWORD)}
    today = datetime.now(UTC).date()
    rows = [
        ("Cafe Lumen", "12.50", "EUR", "Food", "Team coffee", ["team", "morning"]),
        ("Metro Pass", "40.00", "EUR", "Transport", "Monthly pass", []),
        ("JetBrains", "99.99", "USD", "Software", "IDE licence, all products pack for the year", ["work"]),
        ("Landlord", "900.00", "EUR", "Housing", "", []),
    ]
    for i, (vendor, amount, currency, category, description, tags) in enumerate(rows * 2):
        body = {
            "vendor": vendor,
            "amount": amount,
            "currency": currency,
            "category": category,
            "date": (today - timedelta(days=45 * i)).isoformat(),
            "tags": tags,
        }
        if description:
            body["description"] = description
        response = requests.post(rt.api_url + "/expenses", headers=auth, json=body, timeout=30)
        assert response.status_code == 201, response.text
    role = {
        "type": "role",
        # Long enough to wrap on a phone: it may break only after ":" or "/", never inside a word.
        "roleArn": "arn:aws:iam::123456789012:role/finance-team/OutlayCostExplorerReadOnly",
        "region": "us-east-1",
        "enabled": True,
    }
    response = requests.post(rt.api_url + "/aws-credentials", headers=auth, json=role, timeout=30)
    assert response.status_code == 200, response.text
    rt.queue_cost_results([cost_result(*previous_month(today))])
    response = requests.post(rt.api_url + "/aws-cost-import", headers=auth, json={}, timeout=60)
    assert response.status_code in (200, 201, 202), response.text
    return email


@pytest.mark.e2e
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_page_in_both_themes_at_desktop_and_phone_width(
    browser: Browser, local_runtime: LocalRuntime, connected_user: str, screenshots: Path, scheme: str
) -> None:
    rt = local_runtime
    for width_name, (width, height) in WIDTHS.items():
        prefix = screenshots / f"3{2 + list(WIDTHS).index(width_name)}"
        with watched_page(browser, size=(width, height), scheme=scheme) as (page, console):
            page.goto(rt.url)
            expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
            expect(page.locator("html")).to_have_attribute("data-theme", scheme)
            screenshot_checked(page, Path(f"{prefix}-sign-in-{scheme}-{width_name}.png"))
            sign_in_through_page(page, rt.url, connected_user, PASSWORD)
            # The system's scheme is followed when the user has not chosen one.
            expect(page.locator("html")).to_have_attribute("data-theme", scheme)
            expect(page.locator("#summary-forecast")).to_contain_text("$81.45")
            expect(page.locator("#summary-charts")).to_be_visible()
            page.wait_for_function("() => document.getElementById('chart-month').dataset.values")
            for name in ("expenses", "settings", "account"):
                if name != "expenses":
                    page.goto(rt.url + f"{name}.html")
                    expect(page.locator("body")).to_have_attribute("data-ready", "true")
                if name == "settings":
                    expect(page.locator("#history-rows tr")).to_have_count(1)
                    # On a phone the wide history table says it scrolls sideways.
                    cue = page.locator("#history-cue")
                    if width_name == "phone":
                        expect(cue).to_be_visible()
                    else:
                        expect(cue).to_be_hidden()
                if name == "settings":
                    expect(page.get_by_role("button", name="Copy role ARN")).to_be_visible()
                    assert _breaks_only_between_parts(page, "#st-identity code")
                assert not scrolls_sideways(page), f"{name} scrolls sideways at {width} px"
                screenshot_checked(page, Path(f"{prefix}-{name}-{scheme}-{width_name}.png"))
            assert console.errors == []


@pytest.mark.e2e
def test_theme_toggle_is_remembered_over_the_system_scheme(
    page: Page, local_runtime: LocalRuntime, connected_user: str, console: ConsoleWatch
) -> None:
    page.emulate_media(color_scheme="light")
    sign_in_through_page(page, local_runtime.url, connected_user, PASSWORD)
    html = page.locator("html")
    toggle = page.get_by_role("button", name="Dark mode")
    expect(html).to_have_attribute("data-theme", "light")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    toggle.click()
    expect(html).to_have_attribute("data-theme", "dark")
    expect(toggle).to_have_attribute("aria-pressed", "true")
    background = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    page.reload()
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    expect(html).to_have_attribute("data-theme", "dark")
    assert page.evaluate("() => getComputedStyle(document.body).backgroundColor") == background
    # Only the choice is kept in localStorage; the tokens stay in sessionStorage.
    assert page.evaluate("() => Object.keys(localStorage)") == ["outlay.theme"]
    toggle.click()
    expect(html).to_have_attribute("data-theme", "light")
    assert console.errors == []
