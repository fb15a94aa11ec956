"""Download all my data and delete my account, in Chromium on the built dashboard: the confirmation
names what will go and needs the exact word, deletion ends on the sign-in page, and the user is gone."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
import requests
from botocore.exceptions import ClientError
from playwright.sync_api import Page, expect

from local.runtime import LocalRuntime
from tests.e2e.browser import ConsoleWatch, axe_violations

PASSWORD = "Correct-Horse-9!"


def test_download_then_delete_my_account(
    page: Page, local_runtime: LocalRuntime, console: ConsoleWatch, screenshots: Path
) -> None:
    rt = local_runtime
    email = f"e2e-account-{uuid.uuid4().hex[:10]}@example.com"
    rt.sign_up(email, PASSWORD)
    token = rt.id_token(email, PASSWORD)
    created = requests.post(
        f"{rt.api_url}/expenses",
        json={"amount": "7.50", "category": "Food", "vendor": "Bakery"},
        headers={"Authorization": token},
        timeout=30,
    )
    assert created.status_code == 201, created.text

    page.goto(rt.url)
    signin = page.locator("#view-signin")
    signin.get_by_label("E-mail").fill(email)
    signin.get_by_label("Password").fill(PASSWORD)
    signin.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url("**/expenses.html")
    page.goto(rt.url + "account.html")
    expect(page.locator("body")).to_have_attribute("data-ready", "true")

    # Download all my data: one JSON file, reachable through the link the page shows.
    page.get_by_role("button", name="Download all my data").click()
    status = page.locator("#account-data .status").first
    expect(status).to_contain_text("Ready: 1 expense")
    href = status.get_by_role("link", name="Download the file").get_attribute("href")
    assert href
    document = json.loads(requests.get(href, timeout=30).text)
    assert [e["vendor"] for e in document["expenses"]] == ["Bakery"]

    # Delete my account: the confirmation lists what goes and wants exactly the word.
    page.get_by_role("button", name="Delete my account…").click()
    kinds = page.locator("#account-data ul li")
    expect(kinds.first).to_have_text("1 expense")
    confirm = page.get_by_label("Type DELETE to confirm")
    delete = page.get_by_role("button", name="Delete everything")
    confirm.fill("delete")
    expect(delete).to_be_disabled()
    confirm.fill("DELETE")
    expect(delete).to_be_enabled()
    page.screenshot(path=str(screenshots / "account-delete-confirm.png"), full_page=True)
    assert axe_violations(page) == [], "accessibility problems on the delete confirmation"
    delete.click()

    page.wait_for_url("**/index.html")
    expect(page.get_by_text("Your account and all its data were deleted.")).to_be_visible()
    with pytest.raises(ClientError):
        rt.sign_in(email, PASSWORD)
    assert console.errors == []
