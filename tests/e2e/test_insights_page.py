"""AWS insights in a real browser (issue 17): the demo waste, anomaly and commitments on the page,
and a waste badge on the imported EC2 line; light and dark, desktop (1280 px) and phone (375 px),
each screenshot checked with axe (test-artifacts/screenshots/17-*.png)."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Browser, Page, expect

from local.gateway import LOCAL_CONTROL_HEADER
from local.runtime import LocalRuntime
from local.seed import DEMO_ACCESS_KEY_ID, DEMO_SECRET_ACCESS_KEY, seed_insights_demo
from tests.e2e.browser import WIDTHS, screenshot_checked, scrolls_sideways, sign_in_through_page, watched_page
from tests.e2e.cost_data import cost_result, previous_month

expect.set_options(timeout=30_000)

PASSWORD = "Outlay-e2e-9!"
EC2 = "Amazon Elastic Compute Cloud - Compute"


@pytest.fixture(scope="module")
def user_with_waste(local_runtime: LocalRuntime) -> str:
    rt = local_runtime
    email = f"e2e-insights-{uuid.uuid4().hex[:10]}@example.com"
    rt.sign_up(email, PASSWORD)
    auth = {"Authorization": rt.id_token(email, PASSWORD)}
    keys = {
        "type": "keys",
        "accessKeyId": DEMO_ACCESS_KEY_ID,
        "secretAccessKey": DEMO_SECRET_ACCESS_KEY,
        "region": "us-east-1",
    }
    assert (
        requests.post(rt.api_url + "/aws-credentials", headers=auth, json=keys, timeout=30).status_code == 200
    )
    seed_insights_demo(rt.aws)
    start, end = previous_month(datetime.now(UTC).date())
    bill = cost_result(start, end)
    bill["ResultsByTime"][0]["Groups"].append(
        {
            "Keys": [EC2, "Usage"],
            "Metrics": {
                m: {"Amount": "212.0000000000", "Unit": "USD"} for m in ("UnblendedCost", "AmortizedCost")
            },
        }
    )
    rt.aws.queue_cost_results([bill])
    imported = requests.post(rt.api_url + "/aws-cost-import", headers=auth, json={}, timeout=60)
    assert imported.status_code == 200, imported.text
    return email


@pytest.mark.e2e
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_insights_and_the_waste_badge_in_both_themes_at_desktop_and_phone_width(
    browser: Browser, local_runtime: LocalRuntime, user_with_waste: str, screenshots: Path, scheme: str
) -> None:
    rt = local_runtime
    for width_name, (width, height) in WIDTHS.items():
        with watched_page(browser, size=(width, height), scheme=scheme) as (page, console):
            sign_in_through_page(page, rt.url, user_with_waste, PASSWORD)
            page.goto(rt.url + "aws.html")
            panel = page.locator("#insights")
            rows = panel.locator("table tbody tr")
            expect(rows).to_have_count(3)
            expect(rows.filter(has_text="Unattached volume")).to_contain_text("~$9.60")
            expect(rows.filter(has_text="Idle Elastic IP")).to_contain_text("~$3.65")
            expect(rows.filter(has_text="Old snapshot")).to_contain_text("200 days old")
            link = panel.get_by_role("link", name="Open in the AWS console").first
            assert str(link.get_attribute("href")).startswith("https://us-east-1.console.aws.amazon.com/ec2/")
            expect(panel).to_contain_text("Amazon Relational Database Service")
            expect(panel).to_contain_text("(AWS Cost Anomaly Detection)")
            expect(panel).to_contain_text("Reservations: none")
            expect(panel).to_contain_text("Savings Plans: none")
            assert not scrolls_sideways(page), "sideways scroll"
            panel.scroll_into_view_if_needed()
            screenshot_checked(page, screenshots / f"17-insights-{scheme}-{width_name}.png")

            page.goto(rt.url + "expenses.html")
            row = page.locator("#expense-rows tr", has_text=f"AWS - {EC2}")
            badge = row.locator(".badge.waste")
            expect(badge).to_have_text("3 idle resources ~$16.25/month")
            expect(
                page.locator("#expense-rows tr", has_text="AWS - AWS Lambda").locator(".badge.waste")
            ).to_have_count(0)
            row.scroll_into_view_if_needed()
            screenshot_checked(page, screenshots / f"17-badge-{scheme}-{width_name}.png")
            assert console.errors == [], console.errors


@pytest.mark.e2e
def test_an_unknown_region_is_refused_next_to_the_field(
    page: Page, local_runtime: LocalRuntime, user_with_waste: str
) -> None:
    sign_in_through_page(page, local_runtime.url, user_with_waste, PASSWORD)
    page.goto(local_runtime.url + "aws.html")
    field = page.get_by_label("Regions to scan for waste")
    field.fill("us-east-1, atlantis-1")
    page.get_by_role("button", name="Save regions").click()
    expect(page.locator("#insights")).to_contain_text("Not an AWS region: atlantis-1")
    expect(field).to_have_attribute("aria-invalid", "true")


@pytest.mark.e2e
def test_the_opt_in_monthly_summary_appears_after_the_import_until_dismissed(
    page: Page, local_runtime: LocalRuntime, user_with_waste: str, screenshots: Path
) -> None:
    rt = local_runtime
    sign_in_through_page(page, rt.url, user_with_waste, PASSWORD)
    expect(page.locator("#insights-notice")).to_have_count(0)
    page.goto(rt.url + "aws.html")
    page.get_by_label("After each monthly import, show me a summary of these insights in Outlay").check()
    expect(page.locator("#insights")).to_contain_text(
        "You will find a summary here after each monthly import."
    )

    ran = requests.post(
        f"{rt.url}__local/import-now", headers={LOCAL_CONTROL_HEADER: "1"}, json={}, timeout=180
    )
    assert ran.status_code == 200, ran.text

    page.goto(rt.url + "expenses.html")
    notice = page.locator("#insights-notice")
    month = previous_month(datetime.now(UTC).date())[0].strftime("%B %Y")
    # From the 4th of the month the demo's run-rate anomaly joins the demo's AWS one: count either.
    summary = rf"AWS in {month}: 3 idle resources ~\$16\.25/month, \d+ cost anomal(y|ies), no commitments\."
    expect(notice).to_contain_text(re.compile(summary))
    screenshot_checked(page, screenshots / "17-summary-light-desktop.png", full_page=False)
    notice.get_by_role("button", name="Dismiss").click()
    expect(notice).to_have_count(0)
    page.reload()
    expect(page.locator("#expense-rows tr").first).to_be_visible()
    expect(page.locator("#insights-notice")).to_have_count(0)
