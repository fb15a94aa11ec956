"""Settings' "Rules for imported AWS lines" in a real browser: add a tag rule and a service rule with
the category picker (the user's own category included), reorder, delete, choose to leave credits out;
what the page shows is what GET /aws-cost-rules returns."""

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
EC2 = "Amazon Elastic Compute Cloud - Compute"


@pytest.mark.e2e
def test_rules_are_added_reordered_deleted_and_saved(
    page: Page, local_runtime: LocalRuntime, console: ConsoleWatch, screenshots: Path
) -> None:
    rt = local_runtime
    email = f"e2e-rules-{uuid.uuid4().hex[:10]}@example.com"
    rt.sign_up(email, PASSWORD)
    headers = {"Authorization": rt.id_token(email, PASSWORD)}
    own = requests.post(f"{rt.api_url}/categories", headers=headers, json={"name": "Client work"}, timeout=30)
    assert own.status_code in (200, 201), own.text
    sign_in_through_page(page, rt.url, email, PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    page.wait_for_url("**/settings.html")
    expect(page.locator("body")).to_have_attribute("data-ready", "true")

    section = page.locator("#rules-section")
    expect(section.locator("#rules-status")).to_contain_text("No rules yet")
    form = section.locator("#rule-form")

    # A tag rule without its key is stopped in the page, naming the field.
    form.get_by_label("Match").select_option("tag")
    form.get_by_label("Tag value").fill("acme")
    form.get_by_label("Category").select_option("Client work")
    form.get_by_role("button", name="Add rule").click()
    expect(section.locator("#rule-tag-key-error")).to_be_visible()
    form.get_by_label("Tag key").fill("project")
    form.get_by_label("Tags (optional)").fill("acme")
    form.get_by_role("button", name="Add rule").click()
    rows = section.locator("#rules-list li")
    expect(rows).to_have_count(1)
    expect(rows.nth(0).locator(".rule-text")).to_have_text("Tag project = acme → Client work, tagged acme")
    # Nothing imported yet: the preview only says tag rules act at the next import.
    expect(section.locator("#rules-preview")).to_have_text(
        "Tag rules also split tagged costs into lines of their own at the next import."
    )

    form.get_by_label("Match").select_option("service")
    form.get_by_label("Service name").fill(EC2)
    form.get_by_label("Category").select_option("Utilities")
    form.get_by_role("button", name="Add rule").click()
    expect(rows).to_have_count(2)
    expect(rows.nth(1)).to_contain_text(f"Service {EC2} → Utilities")

    # The service rule first: it now wins for tagged EC2 usage too.
    section.get_by_role("button", name=f"Move up: Service {EC2} → Utilities").click()
    expect(rows.nth(0)).to_contain_text(f"Service {EC2}")
    section.get_by_label("Credits and refunds").select_option("omit")
    expect(section.locator("#rules-status")).to_contain_text("left out")
    screenshot_checked(page, screenshots / "30-settings-rules.png")

    saved = requests.get(f"{rt.api_url}/aws-cost-rules", headers=headers, timeout=30).json()
    assert [r["match"] for r in saved["rules"]] == ["service", "tag"]
    assert saved["rules"][1]["category"] == "Client work" and saved["rules"][1]["tags"] == ["acme"]
    assert saved["credits"] == "omit"

    section.get_by_role("button", name="Delete: Tag project = acme → Client work, tagged acme").click()
    expect(rows).to_have_count(1)
    page.reload()
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    expect(section.locator("#rules-list li")).to_have_count(1)
    expect(section.get_by_label("Credits and refunds")).to_have_value("omit")
    assert console.errors == []
