"""Budgets on the expenses page, in a real browser: the empty state, setting a budget (a field error
first), progress with the over-budget flag, the AWS forecast warning on the Software budget, editing,
deleting with Undo; then the section in both themes at 1280 and 375 px, checked with axe and written
to test-artifacts/screenshots/ (budgets-*.png)."""

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


@pytest.fixture(scope="module")
def user(local_runtime: LocalRuntime) -> str:
    """A user with this month's Food and Software spending and a connected AWS account (forecast)."""
    rt = local_runtime
    email = f"budgets-{uuid.uuid4().hex[:8]}@example.com"
    rt.sign_up(email, PASSWORD)
    auth = {"Authorization": rt.id_token(email, PASSWORD)}
    today = datetime.now(UTC).date().isoformat()
    for vendor, amount, category in (("Corner Deli", "50.00", "Food"), ("GitHub", "12.00", "Software")):
        body = {"vendor": vendor, "amount": amount, "currency": "USD", "category": category, "date": today}
        assert requests.post(rt.api_url + "/expenses", headers=auth, json=body, timeout=30).status_code == 201
    role = {
        "type": "role",
        "roleArn": "arn:aws:iam::123456789012:role/OutlayCostExplorerReadOnly",
        "region": "us-east-1",
        "enabled": True,
    }
    response = requests.post(rt.api_url + "/aws-credentials", headers=auth, json=role, timeout=30)
    assert response.status_code == 200, response.text
    return email


def _set_budget(page: Page, category: str, amount: str, *, rollover: bool = False) -> None:
    page.get_by_role("button", name="Set a budget").click()
    form = page.locator("#budget-form")
    form.get_by_label("Category").select_option(category)
    form.get_by_label("Currency").fill("USD")
    form.get_by_label("Amount per month").fill(amount)
    form.get_by_label("Roll over", exact=False).set_checked(rollover)
    form.get_by_role("button", name="Save budget").click()


def _budget(page: Page, category: str) -> object:
    return page.locator(f"#budget-list li[data-category='{category}'][data-currency='USD']")


@pytest.mark.e2e
def test_set_see_progress_edit_and_delete_a_budget_with_the_aws_warning(
    page: Page, local_runtime: LocalRuntime, user: str, console: ConsoleWatch
) -> None:
    sign_in_through_page(page, local_runtime.url, user, PASSWORD)
    expect(page.locator("#budgets-empty")).to_contain_text("No budgets yet.")

    # A field error first: USD has two decimals.
    with console.expect_failed_requests():
        _set_budget(page, "Food", "40.555")
        expect(page.locator("#bu-amount-error")).to_contain_text("2 decimal places")
    page.locator("#budget-form").get_by_label("Amount per month").fill("40")
    page.locator("#budget-form").get_by_role("button", name="Save budget").click()
    food = page.locator("#budget-list li[data-category='Food']")
    expect(food).to_contain_text("Over budget")
    expect(food).to_contain_text("Spent $50.00 of $40.00")
    expect(food).to_contain_text("$10.00 over")
    expect(food.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "100")
    expect(page.locator("#budgets-empty")).to_be_hidden()

    # The AWS category: this month's Cost Explorer forecast (81.45) + 12.00 spent > 60.00.
    _set_budget(page, "Software", "60")
    software = page.locator("#budget-list li[data-category='Software']")
    expect(software.locator(".budget-warning")).to_contain_text(
        "Forecast $93.45 will exceed your $60.00 AWS budget"
    )
    expect(software).not_to_contain_text("Over budget")  # spent so far is within it

    # Edit: only amount and rollover change (category + currency name the budget).
    food.get_by_role("button", name="Edit budget Food (USD)").click()
    expect(page.locator("#bu-category")).to_be_disabled()
    page.locator("#budget-form").get_by_label("Amount per month").fill("100")
    page.locator("#budget-form").get_by_role("button", name="Save budget").click()
    expect(food).to_contain_text("$50.00 left")
    expect(food).not_to_contain_text("Over budget")
    expect(food.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "50")

    # Delete with Undo.
    food.get_by_role("button", name="Delete budget Food (USD)").click()
    expect(food).to_have_count(0)
    page.locator("#toasts").get_by_role("button", name="Undo").click()
    expect(food).to_contain_text("Spent $50.00 of $100.00")
    assert console.errors == [], console.errors


@pytest.mark.e2e
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_budgets_in_both_themes_at_desktop_and_phone_width(
    browser: Browser, local_runtime: LocalRuntime, user: str, screenshots: Path, scheme: str
) -> None:
    rt = local_runtime
    auth = {"Authorization": rt.id_token(user, PASSWORD)}
    for body in (
        {"category": "Food", "currency": "USD", "amount": "40", "rollover": True},
        {"category": "Software", "currency": "USD", "amount": "60"},
        {"currency": "USD", "amount": "500"},
    ):
        assert requests.put(rt.api_url + "/budgets", headers=auth, json=body, timeout=30).status_code == 200
    for width_name, (width, height) in WIDTHS.items():
        with watched_page(browser, size=(width, height), scheme=scheme) as (page, console):
            sign_in_through_page(page, rt.url, user, PASSWORD)
            expect(page.locator("#budget-list li")).to_have_count(3)
            expect(page.locator("#budget-list li").first).to_contain_text("All spending")
            expect(page.locator(".budget-warning")).to_contain_text("AWS budget")
            expect(page.locator("#budgets-month")).to_contain_text(datetime.now(UTC).strftime("%b %Y"))
            page.get_by_role("button", name="Set a budget").click()  # the form is part of the look
            assert not scrolls_sideways(page)
            page.locator("#budgets").scroll_into_view_if_needed()
            screenshot_checked(page, screenshots / f"budgets-{scheme}-{width_name}.png")
            page.locator("#budgets").screenshot(
                path=str(screenshots / f"budgets-section-{scheme}-{width_name}.png")
            )
            assert console.errors == []
