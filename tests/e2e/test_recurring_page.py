"""The Recurring page in a real browser: empty state, a rule created from the form (a refused amount
shown on its field), pause/resume, skip next, run now, the occurrence's badge in the expense list, and
delete; then the page with rules in both themes at desktop and phone width (axe-checked screenshots)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
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

expect.set_options(timeout=20_000)

PASSWORD = "Outlay-e2e-9!"


def _open_recurring(page: Page) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Recurring").click()
    page.wait_for_url("**/recurring.html")
    expect(page.locator("body")).to_have_attribute("data-ready", "true")


@pytest.mark.e2e
def test_create_pause_skip_run_and_delete_a_rule(
    page: Page, local_runtime: LocalRuntime, console: ConsoleWatch, screenshots: Path
) -> None:
    rt = local_runtime
    email = f"e2e-recurring-{uuid.uuid4().hex[:10]}@example.com"
    rt.sign_up(email, PASSWORD)
    sign_in_through_page(page, rt.url, email, PASSWORD)
    _open_recurring(page)
    expect(page.get_by_text("No recurring expenses yet.")).to_be_visible()
    screenshot_checked(page, screenshots / "60-recurring-empty.png")

    form = page.locator("#rule-form")
    form.get_by_label("Vendor").fill("Streaming Co")
    form.get_by_label("Amount").fill("12.345")
    form.get_by_label("Currency").fill("USD")
    with console.expect_failed_requests():
        form.get_by_role("button", name="Add rule").click()
        expect(page.locator("#rc-amount-error")).to_be_visible()
    expect(form.get_by_label("Amount")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#rules-body tr")).to_have_count(0)

    form.get_by_label("Amount").fill("15.99")
    form.get_by_role("button", name="Add rule").click()
    row = page.locator("#rules-body tr")
    expect(row).to_have_count(1)
    today = datetime.now(UTC).date()
    expect(row).to_contain_text("Every month on day")
    expect(row).to_contain_text("$15.99")

    # Created with today's start date: today's occurrence is already an expense, badged "recurring".
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Expenses").click()
    expenses = page.locator("#expense-table tbody tr")
    expect(expenses).to_have_count(1)
    expect(expenses.first.locator(".badge-recurring")).to_have_text("recurring")
    expenses.first.locator(".badge-recurring").click()
    page.wait_for_url("**/recurring.html")
    expect(page.locator("body")).to_have_attribute("data-ready", "true")

    page.get_by_role("button", name="Pause Streaming Co").click()
    expect(row.locator(".badge")).to_have_text("paused")
    page.get_by_role("button", name="Resume Streaming Co").click()
    expect(row.locator(".badge")).to_have_count(0)
    before = row.locator("time").get_attribute("datetime")
    page.get_by_role("button", name="Skip next Streaming Co").click()
    expect(row.locator("time")).not_to_have_attribute("datetime", before or "")
    page.get_by_role("button", name="Run now").click()
    expect(page.locator("#toasts")).to_contain_text("Nothing is due")
    screenshot_checked(page, screenshots / "61-recurring-rule.png")

    page.get_by_role("button", name="Delete Streaming Co").click()
    page.get_by_role("dialog").get_by_role("button", name="Delete").click()
    expect(page.get_by_text("No recurring expenses yet.")).to_be_visible()
    auth = {"Authorization": rt.id_token(email, PASSWORD)}
    listed = requests.get(rt.api_url + "/expenses", headers=auth, timeout=30).json()["items"]
    assert [(e["date"], e["source"]) for e in listed] == [(today.isoformat(), "recurring")]  # it stays
    assert console.errors == []


@pytest.fixture(scope="module")
def user_with_rules(local_runtime: LocalRuntime) -> str:
    rt = local_runtime
    email = f"e2e-recurring-themes-{uuid.uuid4().hex[:10]}@example.com"
    rt.sign_up(email, PASSWORD)
    auth = {"Authorization": rt.id_token(email, PASSWORD)}
    today = datetime.now(UTC).date()
    rules = [
        {
            "unit": "month",
            "dayOfMonth": 31,
            "startDate": today.isoformat(),
            "amount": "49.00",
            "currency": "EUR",
            "category": "Health",
            "vendor": "Urban Sports Club",
            "description": "Gym",
        },
        {
            "unit": "week",
            "every": 2,
            "startDate": today.isoformat(),
            "amount": "1650.00",
            "currency": "USD",
            "category": "Housing",
            "vendor": "Rent - Maple Street with a long vendor name",
            "endDate": "2027-12-31",
        },
    ]
    for body in rules:
        response = requests.post(rt.api_url + "/recurring", headers=auth, json=body, timeout=30)
        assert response.status_code == 201, response.text
    paused = requests.get(rt.api_url + "/recurring", headers=auth, timeout=30).json()["items"][0]
    requests.post(rt.api_url + f"/recurring/{paused['id']}/pause", headers=auth, timeout=30)
    return email


@pytest.mark.e2e
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_recurring_page_in_both_themes_at_desktop_and_phone_width(
    browser: Browser, local_runtime: LocalRuntime, user_with_rules: str, screenshots: Path, scheme: str
) -> None:
    rt = local_runtime
    for width_name, (width, height) in WIDTHS.items():
        with watched_page(browser, size=(width, height), scheme=scheme) as (page, console):
            sign_in_through_page(page, rt.url, user_with_rules, PASSWORD)
            _open_recurring(page)
            expect(page.locator("html")).to_have_attribute("data-theme", scheme)
            expect(page.locator("#rules-body tr")).to_have_count(2)
            expect(page.locator("#rules-body")).to_contain_text("(the last day in shorter months)")
            assert not scrolls_sideways(page), f"recurring scrolls sideways at {width} px"
            screenshot_checked(page, screenshots / f"62-recurring-{scheme}-{width_name}.png")
            assert console.errors == []
