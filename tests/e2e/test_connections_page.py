"""Settings → AWS connections in a real browser: add two accounts by role, see them listed with their
account, rename, pause, delete after confirming (and undo it), and read what each permission is for."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import Locator, Page, expect

from local.runtime import LocalRuntime
from tests.e2e.browser import ConsoleWatch, sign_in_through_page

expect.set_options(timeout=20_000)
PASSWORD = "Outlay-e2e-9!"


def add_role(page: Page, name: str, account: str) -> None:
    form = page.locator("#add-connection-form")
    form.get_by_label("Connection name").fill(name)
    form.get_by_label("New account's role ARN").fill(
        f"arn:aws:iam::{account}:role/OutlayCostExplorerReadOnly"
    )
    form.get_by_role("button", name="Validate and add").click()
    expect(page.locator(f"#connections-list li:has-text('{name}')")).to_contain_text(account)


def delete_confirmed(page: Page, row: Locator, name: str) -> None:
    row.get_by_role("button", name="Delete").click()
    page.get_by_role("dialog", name=f"Delete the connection “{name}”?").get_by_role(
        "button", name="Delete connection"
    ).click()


@pytest.mark.e2e
def test_connections_are_added_renamed_paused_and_deleted(
    page: Page, local_runtime: LocalRuntime, console: ConsoleWatch
) -> None:
    rt = local_runtime
    email = f"e2e-conn-{uuid.uuid4().hex[:10]}@example.com"
    rt.sign_up(email, PASSWORD)
    sign_in_through_page(page, rt.url, email, PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    page.wait_for_url("**/settings.html")
    expect(page.locator("#connections-status")).to_contain_text("No AWS account is connected yet")

    add_role(page, "Work", "111122223333")
    # the cost import card above shows the first connection at once, without a reload
    expect(page.locator("#aws-status")).to_be_visible()
    expect(page.locator("#aws-status-message")).not_to_contain_text("No AWS account is connected")
    add_role(page, "Side project", "222233334444")
    rows = page.locator("#connections-list li")
    expect(rows).to_have_count(2)
    # the same account again is refused with its connection's name
    add = page.locator("#add-connection-form")
    add.get_by_label("New account's role ARN").fill("arn:aws:iam::111122223333:role/Other")
    add.get_by_role("button", name="Validate and add").click()
    expect(page.locator("#add-connection-status")).to_contain_text("already connected as 'Work'")

    side = page.locator("#connections-list li:has-text('Side project')")
    page.once("dialog", lambda dialog: dialog.accept("Hobby"))
    side.get_by_role("button", name="Rename").click()
    hobby = page.locator("#connections-list li:has-text('Hobby')")
    expect(hobby).to_contain_text("222233334444")
    hobby.get_by_role("button", name="Pause").click()
    expect(hobby).to_contain_text("paused")
    delete_confirmed(page, hobby, "Hobby")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Work")
    # Undo brings the same connection back, paused as it was
    page.locator("#toasts").get_by_role("button", name="Undo").click()
    expect(rows).to_have_count(2)
    expect(hobby).to_contain_text("paused")
    delete_confirmed(page, hobby, "Hobby")
    expect(rows).to_have_count(1)

    page.get_by_text("What the role lets Outlay do").click()
    permissions = page.locator("#permissions-list li")
    expect(permissions).to_have_count(4)
    expect(permissions.filter(has_text="organizations:ListAccounts")).to_contain_text("optional")
