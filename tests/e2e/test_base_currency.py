"""A base currency in a real browser: pick it in Settings, then the dashboard's summary shows the
converted total beside the per-currency ones, the rates used with their ECB dates, and what stayed
unconverted (KWD: no ECB rate). Rates: the local runtime's shipped ECB table."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Page, expect

from local.runtime import LocalRuntime
from tests.e2e.browser import ConsoleWatch, screenshot_checked, sign_in_through_page

expect.set_options(timeout=20_000)

PASSWORD = "Outlay-e2e-9!"


@pytest.mark.e2e
def test_picking_a_base_currency_shows_converted_totals_with_their_rates(
    page: Page, local_runtime: LocalRuntime, console: ConsoleWatch, screenshots: Path
) -> None:
    rt = local_runtime
    email = f"e2e-base-{uuid.uuid4().hex[:10]}@example.com"
    rt.sign_up(email, PASSWORD)
    headers = {"Authorization": rt.id_token(email, PASSWORD), "Origin": rt.url.rstrip("/")}
    for amount, currency, day in (("100.00", "USD", "2026-03-06"), ("1.500", "KWD", "2026-03-06")):
        body = {"amount": amount, "currency": currency, "date": day, "category": "Travel", "vendor": "Hotel"}
        created = requests.post(f"{rt.api_url}/expenses", json=body, headers=headers, timeout=30)
        assert created.status_code == 201, created.text

    sign_in_through_page(page, rt.url, email, PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    page.wait_for_url("**/settings.html")
    picker = page.get_by_label("Base currency")
    expect(picker.locator("option[value='EUR']")).to_have_count(1)
    expect(picker.locator("option[value='KWD']")).to_have_count(0)  # ECB publishes no KWD rate
    picker.select_option("EUR")
    page.locator("#base-currency-form").get_by_role("button", name="Save").click()
    expect(page.locator("#base-currency-status")).to_contain_text("Summaries now also show totals in EUR")

    page.goto(f"{rt.url}expenses.html")  # the summary covers the last 12 months: March 2026 is in
    converted = page.locator("#summary-converted")
    expect(converted).to_be_visible()
    expect(converted.locator(".converted-total")).to_contain_text("Total in EUR")
    expect(converted.locator(".converted-total")).to_have_attribute("data-base", "EUR")
    expect(converted.locator(".converted-missing")).to_contain_text("ECB publishes no reference rate for KWD")
    # The per-currency totals are still there, unconverted
    expect(page.locator("#summary-totals li[data-currency='USD']")).to_contain_text("100.00")
    converted.get_by_text("Rates used (1)").click()
    expect(converted.locator("table")).to_contain_text("2026-03-06")
    expect(converted.locator("table")).to_contain_text("1 USD")
    screenshot_checked(page, screenshots / "40-base-currency.png")
    assert console.errors == []
