"""The AWS costs page in a real browser: the empty state with its link to Settings, then a connected
user's month to date, forecast, last month and 12 months (moto's Cost Explorer through the local
runtime), the freshness line, a refresh and the cooldown after it; screenshots at 1280 and 375 px in
light and dark, each checked with axe."""

from __future__ import annotations

import json
import uuid
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

PASSWORD = "Outlay-e2e-9!"
KEYS = {
    "type": "keys",
    "accessKeyId": "AKIAEXAMPLEOUTLAY002",
    "secretAccessKey": "outlay-e2e-secret-not-a-real-key",
    "region": "us-east-1",
    "enabled": True,
}


def _user(rt: LocalRuntime, connect: bool) -> str:
    email = f"e2e-aws-{uuid.uuid4().hex[:10]}@example.com"
    rt.sign_up(email, PASSWORD)
    if connect:
        auth = {"Authorization": rt.id_token(email, PASSWORD)}
        response = requests.post(rt.api_url + "/aws-credentials", headers=auth, json=KEYS, timeout=30)
        assert response.status_code == 200, response.text
    return email


@pytest.mark.e2e
def test_without_a_connection_the_page_links_to_settings(
    page: Page, local_runtime: LocalRuntime, console: ConsoleWatch, screenshots: Path
) -> None:
    sign_in_through_page(page, local_runtime.url, _user(local_runtime, connect=False), PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="AWS costs").click()
    page.wait_for_url("**/aws.html")
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    empty = page.locator("#aws-empty")
    expect(empty).to_contain_text("No AWS account connected yet")
    expect(page.locator("#aws-sections")).to_be_hidden()
    screenshot_checked(page, screenshots / "60-aws-empty.png")
    empty.get_by_role("link", name="Settings").click()
    page.wait_for_url("**/settings.html")
    assert console.errors == []


@pytest.mark.e2e
def test_a_connected_user_sees_month_to_date_forecast_and_twelve_months_then_refreshes_once(
    page: Page, local_runtime: LocalRuntime, console: ConsoleWatch, screenshots: Path
) -> None:
    sign_in_through_page(page, local_runtime.url, _user(local_runtime, connect=True), PASSWORD)
    page.goto(local_runtime.url + "aws.html")
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    expect(page.locator("#aws-sections")).to_be_visible()
    expect(page.locator("#aws-forecast")).to_have_text("$81.45")  # the local demo forecast
    expect(page.locator("#aws-mtd")).to_contain_text("$")
    expect(page.locator("#aws-last-month")).to_contain_text("$")
    expect(page.locator("#aws-freshness")).to_contain_text("A refresh costs 3 Cost Explorer requests ($0.03)")
    expect(page.locator("#aws-services tbody tr").first).to_contain_text("Amazon Elastic Compute Cloud")
    months = page.locator("#aws-chart-months")
    page.wait_for_function("() => document.getElementById('aws-chart-months').dataset.labels")
    assert len(json.loads(months.get_attribute("data-labels") or "[]")) == 12
    page.get_by_text("Show as a table").click()
    expect(page.locator("#aws-months-table tbody tr")).to_have_count(12)
    expect(page.get_by_label("Account")).to_have_value("all")

    page.get_by_role("button", name="Refresh from AWS").click()
    expect(page.locator("#toasts")).to_contain_text("Refreshed from AWS: 3 Cost Explorer requests ($0.03)")
    page.get_by_role("button", name="Refresh from AWS").click()
    expect(page.locator("#page-status")).to_contain_text("the next one is possible at")
    assert console.errors == []


@pytest.mark.e2e
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_aws_costs_page_in_both_themes_at_desktop_and_phone_width(
    browser: Browser, local_runtime: LocalRuntime, screenshots: Path, scheme: str
) -> None:
    email = _user(local_runtime, connect=True)
    for width_name, (width, height) in WIDTHS.items():
        with watched_page(browser, size=(width, height), scheme=scheme) as (page, console):
            sign_in_through_page(page, local_runtime.url, email, PASSWORD)
            page.goto(local_runtime.url + "aws.html")
            expect(page.locator("body")).to_have_attribute("data-ready", "true")
            expect(page.locator("html")).to_have_attribute("data-theme", scheme)
            page.wait_for_function("() => document.getElementById('aws-chart-daily').dataset.labels")
            assert not scrolls_sideways(page), f"the AWS costs page scrolls sideways at {width} px"
            screenshot_checked(page, screenshots / f"61-aws-costs-{scheme}-{width_name}.png")
            assert console.errors == []
