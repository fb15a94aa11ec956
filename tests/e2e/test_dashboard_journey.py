"""One user's whole journey through the dashboard in a real browser, against the local runtime.

Sign up -> confirm -> add/filter/edit/delete expenses -> receipt -> CSV export -> charts -> connect AWS
with keys -> import now -> imported expenses in the list -> phone width -> sign out -> sign in again.
Each step is a function; the test runs them in order on one page (sessionStorage is per tab).
"""

from __future__ import annotations

import csv
import io
import json
import struct
import uuid
import zlib
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Error, Locator, Page, Response, Route, expect

from local.runtime import LocalRuntime
from tests.e2e.browser import ConsoleWatch, axe_violations
from tests.e2e.cost_data import cost_result, previous_month

expect.set_options(timeout=20_000)

PASSWORD = "Outlay-e2e-9!"
ACCOUNT_ID = "123456789012"  # moto's account: any key pair "belongs" to it


def _png(width: int = 8, height: int = 8) -> bytes:
    """A small valid PNG (solid colour), made here so the test needs no fixture files."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\x1d\x4e\xd8" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def _last_12_months(today: date) -> list[str]:
    """The summary's default range: the 12 months up to and including this one, as YYYY-MM."""
    index = today.year * 12 + today.month - 1
    return [f"{i // 12}-{i % 12 + 1:02d}" for i in range(index - 11, index + 1)]


class Journey:
    """Shared state and helpers of the steps."""

    def __init__(self, page: Page, runtime: LocalRuntime, console: ConsoleWatch, shots: Path) -> None:
        self.page = page
        self.rt = runtime
        self.console = console
        self.shots = shots
        self.email = f"e2e-{uuid.uuid4().hex[:10]}@example.com"
        self.today = datetime.now(UTC).date()
        self.earlier = self.today - timedelta(days=40)  # another month, for the bar chart
        # The API calls the page made, printed when a step fails (what did the page ask, and get?).
        self.api_log: list[str] = []
        page.on("response", self._log_api)

    def _log_api(self, response: Response) -> None:
        if "/api/" not in response.url:
            return
        try:
            body = response.body()[:120]
        except Error:  # the page navigated away before the body was read
            body = b"?"
        self.api_log.append(f"{response.request.method} {response.url} -> {response.status} {body!r}")

    def shot(self, name: str, *, accessible: bool = True) -> None:
        """Screenshot of the page; by default also checks it with axe (WCAG 2 A/AA, best practices)."""
        self.page.screenshot(path=str(self.shots / f"{name}.png"), full_page=True)
        if accessible:
            assert axe_violations(self.page) == [], f"accessibility problems on {name}"

    def url(self, page: str = "") -> str:
        return self.rt.url + page

    def wait_ready(self) -> None:
        expect(self.page.locator("body")).to_have_attribute("data-ready", "true")

    def rows(self) -> Locator:
        return self.page.locator("#expense-rows tr")

    def row(self, vendor: str) -> Locator:
        return self.rows().filter(has_text=vendor)

    def row_action(self, vendor: str, action: str) -> Locator:
        """A row's action (Edit, Receipt, Delete) sits in the row's compact menu: open it first, once
        the list is not loading. A refresh that still lands (the rows drawn anew) closes the menu, as
        it would for a user, who opens it again: so does this, once."""
        expect(self.page.locator("#list-region")).not_to_have_attribute("aria-busy", "true")
        row = self.row(vendor)
        button = row.get_by_role("button", name=action)
        row.get_by_role("button", name="Actions for").click()
        try:
            expect(button).to_be_visible(timeout=5_000)
        except AssertionError:
            row.get_by_role("button", name="Actions for").click()
            expect(button).to_be_visible()
        return button

    def by_month(self, totals: dict[str, str]) -> dict[str, str]:
        """The month chart's data: every month of the default range, months without spend at 0.00."""
        return {month: totals.get(month, "0.00") for month in _last_12_months(self.today)}

    def chart(self, canvas_id: str) -> dict[str, str]:
        data = self.page.eval_on_selector(
            f"#{canvas_id}",
            "c => ({currency: c.dataset.currency, labels: c.dataset.labels, values: c.dataset.values})",
        )
        pairs = zip(json.loads(data["labels"]), json.loads(data["values"]), strict=True)
        # Months without spend are drawn as 0 (the month chart covers the whole period): compare spend.
        return dict(((label, value) for label, value in pairs if value != "0"), currency=data["currency"])

    def expect_chart(self, canvas_id: str, expected: dict[str, str]) -> None:
        """Charts redraw asynchronously after each change: poll the exposed data until it matches."""
        self.page.wait_for_function(
            """([id, want]) => {
                const c = document.getElementById(id);
                if (!c || !c.dataset.labels) return false;
                const labels = JSON.parse(c.dataset.labels), values = JSON.parse(c.dataset.values);
                const pairs = labels.map((l, i) => [l, values[i]]);
                const got = Object.fromEntries(pairs.filter(([, v]) => v !== '0'));
                got.currency = c.dataset.currency;
                const sorted = (o) => JSON.stringify(Object.entries(o).sort());
                return sorted(got) === sorted(want);
            }""",
            arg=[canvas_id, expected],
        )
        assert self.chart(canvas_id) == expected

    # ---------------------------------------------------------------------------- the steps

    def sign_up(self) -> None:
        page = self.page
        response = page.goto(self.url())
        # The pages run under the CSP CloudFront sends, so whatever it would block fails these tests.
        assert response is not None
        csp = response.headers.get("content-security-policy", "")
        assert "default-src 'self'" in csp and "unsafe-inline" not in csp
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        self.shot("01-sign-in")
        page.get_by_role("button", name="Create an account").click()
        expect(page.get_by_role("heading", name="Create your account")).to_be_visible()
        view = page.locator("#view-signup")
        view.get_by_label("E-mail").fill(self.email)
        password = view.get_by_label("Password", exact=True)
        rules = page.locator("#signup-rules li")
        password.fill("abc")
        expect(rules.filter(has_text="At least 8 characters")).to_have_attribute("data-met", "false")
        expect(rules.filter(has_text="A lower-case letter")).to_have_attribute("data-met", "true")
        expect(rules.filter(has_text="A symbol")).to_have_attribute("data-met", "false")
        # Submitting a weak password is stopped before it reaches Cognito.
        page.get_by_role("button", name="Create account").click()
        expect(page.get_by_role("alert")).to_contain_text("The password still needs")
        password.fill(PASSWORD)
        for rule in rules.all():
            expect(rule).to_have_attribute("data-met", "true")
        self.shot("02-sign-up")
        page.get_by_role("button", name="Create account").click()
        expect(page.get_by_role("heading", name="Confirm your e-mail")).to_be_visible()
        expect(page.locator("#page-status")).to_contain_text("Account created")
        expect(page.locator("#view-confirm").get_by_label("E-mail")).to_have_value(self.email)

    def confirm(self) -> None:
        page = self.page
        page.locator("#view-confirm").get_by_label("Confirmation code").fill(
            "123456"
        )  # moto accepts any code
        self.shot("03-confirm")
        page.get_by_role("button", name="Confirm", exact=True).click()
        # The password typed at sign-up is still in memory: confirming signs the user straight in.
        page.wait_for_url("**/expenses.html")
        self.wait_ready()
        expect(page.locator("#nav-user")).to_have_text(self.email)
        expect(page.locator("#empty-state")).to_contain_text("No expenses yet")
        # The first Tab reaches "Skip to content", which moves focus past the navigation.
        page.locator("body").focus()
        page.keyboard.press("Tab")
        expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
        page.keyboard.press("Enter")
        expect(page.locator("main")).to_be_focused()
        # Nothing that belongs to another state is on show.
        for hidden in ("#load-more", "#cancel-edit", "#upload-progress", "#new-category", "#expense-table"):
            expect(page.locator(hidden)).to_be_hidden()
        self.assert_tokens_only_in_session_storage()

    def assert_tokens_only_in_session_storage(self) -> None:
        storage = self.page.evaluate(
            "() => ({session: JSON.stringify(sessionStorage), local: JSON.stringify(localStorage)})"
        )
        assert "idToken" in storage["session"]
        assert storage["local"] == "{}"

    def add_expense(self, **fields: str) -> None:
        page = self.page
        form = page.locator("#expense-form")
        form.get_by_label("Date").fill(fields["date"])
        form.get_by_label("Amount").fill(fields["amount"])
        form.get_by_label("Currency").fill(fields["currency"])
        form.get_by_label("Category", exact=True).select_option(fields["category"])
        form.get_by_label("Vendor").fill(fields["vendor"])
        form.get_by_label("Description").fill(fields.get("description", ""))
        form.get_by_label("Tags").fill(fields.get("tags", ""))
        form.get_by_role("button", name="Add expense").click()
        expect(self.row(fields["vendor"])).to_have_count(1)

    def add_three_expenses(self) -> None:
        page = self.page
        form = page.locator("#expense-form")
        # A wrong amount is caught next to the field before anything is sent.
        form.get_by_label("Amount").fill("12.345")
        form.get_by_label("Vendor").fill("Cafe Lumen")
        form.get_by_role("button", name="Add expense").click()
        expect(page.locator("#ex-amount-error")).to_contain_text("at most 2 decimals")
        expect(form.get_by_label("Amount")).to_have_attribute("aria-invalid", "true")
        # A currency only the API knows is wrong comes back as a field error from the API's details.
        form.get_by_label("Amount").fill("12.50")
        form.get_by_label("Currency").fill("XYZ")
        with self.console.expect_failed_requests():
            form.get_by_role("button", name="Add expense").click()
            expect(page.locator("#ex-currency-error")).to_contain_text("ISO 4217")
        self.shot("04-validation")
        # The amount follows the currency's ISO 4217 minor units: JPY has none, KWD three.
        form.get_by_label("Currency").fill("JPY")
        expect(form.get_by_label("Amount")).to_have_attribute("placeholder", "0")
        expect(page.locator("#ex-amount-hint")).to_have_text("JPY: no decimals")
        form.get_by_role("button", name="Add expense").click()
        expect(page.locator("#ex-amount-error")).to_contain_text("JPY: no decimals")
        form.get_by_label("Currency").fill("KWD")
        expect(form.get_by_label("Amount")).to_have_attribute("placeholder", "0.000")
        # A category of the user's own, added inline, is selected and offered in the filter.
        page.get_by_role("button", name="New category").click()
        page.get_by_label("New category name").fill("Coffee & Tea")
        page.get_by_role("button", name="Add category").click()
        expect(form.get_by_label("Category", exact=True)).to_have_value("Coffee & Tea")
        expect(page.locator("#new-category")).to_be_hidden()
        expect(page.locator("#f-category option", has_text="Coffee & Tea")).to_have_count(1)

        self.add_expense(
            date=self.today.isoformat(), amount="12.50", currency="EUR", category="Food",
            vendor="Cafe Lumen", description="Team coffee", tags="team, morning",
        )  # fmt: skip
        self.add_expense(
            date=self.today.isoformat(), amount="40.00", currency="EUR", category="Transport",
            vendor="Metro Pass", description="Monthly pass",
        )  # fmt: skip
        self.add_expense(
            date=self.earlier.isoformat(), amount="99.99", currency="USD", category="Software",
            vendor="JetBrains", description="IDE licence", tags="work",
        )  # fmt: skip
        expect(self.rows()).to_have_count(3)
        # Four quick confirmations (category + three adds): at most three toasts, the newest on top.
        toasts = page.locator("#toasts .toast")
        assert 1 <= toasts.count() <= 3
        expect(toasts.first).to_contain_text("Expense added: JetBrains.")
        expect(self.row("Cafe Lumen")).to_contain_text("€12.50")
        expect(self.row("JetBrains")).to_contain_text("$99.99")
        # Desktop rows are one line each, the actions folded into one small menu button.
        heights = page.eval_on_selector_all("#expense-rows tr", "rows => rows.map(r => r.offsetHeight)")
        assert max(heights) <= 48, f"expense rows are {heights} px tall"
        expect(self.row("Cafe Lumen").get_by_role("button")).to_have_count(1)
        expect(page.locator("#empty-state")).to_be_hidden()
        expect(page.locator("#load-more")).to_be_hidden()
        expect(page.locator("#cancel-edit")).to_be_hidden()

    def charts_after_adding(self) -> None:
        page = self.page
        # Two currencies -> a currency selector; the charts never mix currencies.
        expect(page.locator("#summary-currency-field")).to_be_visible()
        page.locator("#summary-currency").select_option("EUR")
        self.expect_chart("chart-category", {"Food": "12.50", "Transport": "40.00", "currency": "EUR"})
        self.expect_chart(
            "chart-month", self.by_month({self.today.strftime("%Y-%m"): "52.50"}) | {"currency": "EUR"}
        )
        expect(page.locator('#summary-totals li[data-currency="EUR"]')).to_contain_text("€52.50")
        expect(page.locator('#summary-totals li[data-currency="USD"]')).to_contain_text("$99.99")
        page.locator("#summary-currency").select_option("USD")
        self.expect_chart("chart-category", {"Software": "99.99", "currency": "USD"})
        self.expect_chart(
            "chart-month", self.by_month({self.earlier.strftime("%Y-%m"): "99.99"}) | {"currency": "USD"}
        )
        page.locator("#summary-currency").select_option("EUR")
        self.shot("05-expenses")

    def filter(self) -> None:
        page = self.page
        filters = page.locator("#filter-form")
        filters.get_by_label("Vendor").fill("Metro")
        filters.get_by_role("button", name="Apply filters").click()
        expect(self.rows()).to_have_count(1)
        expect(self.rows().first).to_contain_text("Metro Pass")
        filters.get_by_role("button", name="Clear").click()
        expect(self.rows()).to_have_count(3)
        filters.get_by_label("Tag").fill("team")
        filters.get_by_role("button", name="Apply filters").click()
        expect(self.rows()).to_have_count(1)
        expect(self.rows().first).to_contain_text("Cafe Lumen")
        filters.get_by_label("Tag").fill("")
        filters.get_by_label("From").fill(self.today.isoformat())
        filters.get_by_role("button", name="Apply filters").click()
        expect(self.rows()).to_have_count(2)
        expect(self.row("JetBrains")).to_have_count(0)
        filters.get_by_label("From").fill("")
        filters.get_by_label("Category").select_option("Software")
        filters.get_by_role("button", name="Apply filters").click()
        expect(self.rows()).to_have_count(1)
        filters.get_by_label("Category").select_option("")
        filters.get_by_label("Currency").fill("USD")
        filters.get_by_role("button", name="Apply filters").click()
        expect(self.rows()).to_have_count(1)
        expect(self.rows().first).to_contain_text("JetBrains")
        filters.get_by_label("Currency").fill("")
        filters.get_by_label("Min amount").fill("20")
        filters.get_by_role("button", name="Apply filters").click()
        expect(self.rows()).to_have_count(2)
        expect(self.row("Cafe Lumen")).to_have_count(0)
        filters.get_by_label("Min amount").fill("1000")
        filters.get_by_role("button", name="Apply filters").click()
        expect(page.locator("#empty-state")).to_contain_text("No expenses match these filters")
        filters.get_by_role("button", name="Clear").click()
        expect(self.rows()).to_have_count(3)

    def edit(self) -> None:
        page = self.page
        self.row_action("Cafe Lumen", "Edit").click()
        form = page.locator("#expense-form")
        expect(page.locator("#form-title")).to_have_text("Edit expense")
        expect(form.get_by_label("Amount")).to_have_value("12.50")
        expect(form.get_by_label("Tags")).to_have_value("team, morning")
        form.get_by_label("Amount").fill("14.00")
        form.get_by_role("button", name="Save changes").click()
        expect(self.row("Cafe Lumen")).to_contain_text("€14.00")
        expect(page.locator("#form-title")).to_have_text("Add an expense")
        self.expect_chart("chart-category", {"Food": "14.00", "Transport": "40.00", "currency": "EUR"})

    def delete(self) -> None:
        page = self.page
        # By keyboard: Enter opens the row's menu on its first action, Down reaches Delete, Enter opens
        # the dialog with focus on the safe choice, Escape cancels.
        row = self.row("Metro Pass")
        row.get_by_role("button", name="Actions for").focus()
        page.keyboard.press("Enter")
        expect(row.get_by_role("button", name="Edit")).to_be_focused()
        page.keyboard.press("ArrowDown")
        expect(row.get_by_role("button", name="Delete")).to_be_focused()
        page.keyboard.press("Enter")
        dialog = page.get_by_role("dialog", name="Delete this expense?")
        expect(dialog).to_be_visible()
        expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
        page.keyboard.press("Escape")
        expect(dialog).to_have_count(0)
        expect(row.get_by_role("button", name="Actions for")).to_be_focused()
        # Cancel keeps the expense.
        self.row_action("Metro Pass", "Delete").click()
        dialog.get_by_role("button", name="Cancel").click()
        expect(dialog).to_have_count(0)
        expect(self.rows()).to_have_count(3)
        # Delete, then Undo brings the same expense back (same id, from the trash).
        original_id = self.row("Metro Pass").get_attribute("data-id")
        self.row_action("Metro Pass", "Delete").click()
        page.get_by_role("dialog", name="Delete this expense?").get_by_role("button", name="Delete").click()
        expect(self.row("Metro Pass")).to_have_count(0)
        # Focus moves to "Undo" (the focused row is gone), so Enter brings the expense back.
        undo = page.locator("#toasts").get_by_role("button", name="Undo")
        expect(undo).to_be_focused()
        page.keyboard.press("Enter")
        expect(self.row("Metro Pass")).to_have_count(1)
        expect(page.get_by_role("heading", name="Your expenses")).to_be_focused()
        assert self.row("Metro Pass").get_attribute("data-id") == original_id
        # Delete again (to the trash).
        self.row_action("Metro Pass", "Delete").click()
        page.get_by_role("dialog", name="Delete this expense?").get_by_role("button", name="Delete").click()
        expect(self.row("Metro Pass")).to_have_count(0)
        expect(self.rows()).to_have_count(2)
        self.expect_chart("chart-category", {"Food": "14.00", "currency": "EUR"})
        # The trash holds it for 30 days; "Delete for good" removes it from there.
        page.get_by_role("button", name="Show trash").click()
        trashed = page.locator("#trash-rows tr", has_text="Metro Pass")
        expect(trashed).to_have_count(1)
        expect(trashed).to_contain_text("30 days left")
        trashed.get_by_role("button", name="for good").click()  # "Delete <label> for good"
        confirm = page.get_by_role("dialog", name="Delete for good?")
        confirm.get_by_role("button", name="Delete for good").click()
        expect(page.locator("#trash-empty")).to_be_visible()
        page.get_by_role("button", name="Hide trash").click()
        expect(page.locator('#summary-totals li[data-currency="EUR"]')).to_contain_text("€14.00")

    def upload_receipt(self) -> None:
        page = self.page
        png = _png()
        self.row_action("JetBrains", "Edit").click()
        form = page.locator("#expense-form")
        # A file type receipts cannot be is refused on the spot.
        form.get_by_label("Receipt (optional)").set_input_files(
            files=[{"name": "notes.txt", "mimeType": "text/plain", "buffer": b"hello"}]
        )
        expect(page.locator("#ex-receipt-error")).to_contain_text("JPEG, PNG, WebP, HEIC or PDF")
        form.get_by_label("Receipt (optional)").set_input_files(
            files=[{"name": "receipt.png", "mimeType": "image/png", "buffer": png}]
        )
        expect(page.locator("#ex-receipt-error")).to_be_hidden()
        expect(page.get_by_role("img", name="Preview of receipt.png")).to_be_visible()
        self.shot("06-receipt-preview")
        form.get_by_role("button", name="Save changes").click()
        expect(page.locator("#form-title")).to_have_text("Add an expense")
        self.row_action("JetBrains", "Receipt").click()
        dialog = page.get_by_role("dialog")
        link = dialog.get_by_role("link", name="Open the receipt in a new tab")
        expect(link).to_be_visible()
        expect(dialog.get_by_role("img")).to_be_visible()
        href = link.get_attribute("href")
        assert href
        stored = requests.get(href, timeout=30)
        assert stored.status_code == 200
        assert stored.content == png
        dialog.get_by_role("button", name="Close").click()
        expect(page.get_by_role("dialog")).to_have_count(0)

    def export_csv(self) -> None:
        page = self.page
        page.get_by_role("button", name="Export CSV").click()
        status = page.locator("#export-status")
        expect(status).to_contain_text("Export ready: 2 rows")
        href = status.get_by_role("link", name="Download the CSV").get_attribute("href")
        assert href
        response = requests.get(href, timeout=30)
        assert response.status_code == 200
        rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert len(rows) == 2
        by_vendor = {row.get("vendor") or row.get("Vendor"): row for row in rows}
        assert set(by_vendor) == {"Cafe Lumen", "JetBrains"}
        amounts = {v: (r.get("amount") or r.get("Amount")) for v, r in by_vendor.items()}
        assert amounts == {"Cafe Lumen": "14.00", "JetBrains": "99.99"}

    def connect_aws_with_keys(self) -> None:
        page = self.page
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
        page.wait_for_url("**/settings.html")
        self.wait_ready()
        expect(page.locator("#aws-status-message")).to_contain_text("No AWS account is connected")
        # The recommended way is shown first: the ExternalId and the policy to give the role.
        expect(page.locator("#external-id")).not_to_have_text("…")
        external_id = page.locator("#external-id").inner_text()
        assert len(external_id) >= 32
        # "Copy" puts exactly the ExternalId on the clipboard.
        page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=self.rt.url.rstrip("/"))
        page.get_by_role("button", name="Copy External ID").click()
        expect(page.locator("#toasts")).to_contain_text("External ID copied.")
        assert page.evaluate("() => navigator.clipboard.readText()") == external_id
        page.locator("#toasts").get_by_role("button", name="Dismiss").click()
        expect(page.get_by_role("button", name="Copy trusted principal ARN")).to_be_visible()
        self.shot("07-settings-role")
        # Connect with a role first (the recommended way) ...
        role_arn = "arn:aws:iam::123456789012:role/OutlayCostExplorerReadOnly"
        page.get_by_label("Role ARN", exact=True).fill(role_arn)
        page.get_by_role("button", name="Validate and save").click()
        expect(page.locator("#aws-status-message")).to_contain_text(f"Connected to AWS account {ACCOUNT_ID}")
        expect(page.locator("#st-type")).to_have_text("IAM role")
        expect(page.locator("#st-identity")).to_contain_text(role_arn)
        expect(page.get_by_label("Role ARN", exact=True)).to_have_value("")
        # Connected, the form folds into a summary: the role ARN can be copied, the schedule is spelled
        # out, and the forecast for this month sits with the connection.
        expect(page.locator("#connect-section")).to_be_hidden()
        expect(page.get_by_role("button", name="Copy role ARN")).to_be_visible()
        expect(page.locator("#schedule")).to_contain_text("1st of every month at 09:00 UTC")
        expect(page.locator("#schedule")).to_contain_text("8th")
        expect(page.locator("#st-forecast")).to_contain_text("$81.45")
        # ... then replace it with an access key pair.
        page.get_by_role("button", name="Change connection").click()
        expect(page.get_by_role("heading", name="Change the AWS connection")).to_be_visible()
        page.get_by_label("Access keys").check()
        expect(page.get_by_label("Role ARN", exact=True)).to_be_hidden()
        page.get_by_label("Access key ID").fill("AKIAIOSFODNN7EXAMPLE")
        secret = page.get_by_label("Secret access key")
        expect(secret).to_have_attribute("autocomplete", "off")
        secret.fill("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
        page.get_by_label("Region").fill("us-east-1")
        page.get_by_role("button", name="Validate and replace").click()
        expect(page.locator("#aws-status-message")).to_contain_text(f"Connected to AWS account {ACCOUNT_ID}")
        expect(page.locator("#connect-section")).to_be_hidden()
        # The secret is gone from the page and was never stored in the browser.
        expect(secret).to_have_value("")
        storage = page.evaluate("() => JSON.stringify(sessionStorage) + JSON.stringify(localStorage)")
        assert "wJalrXUtnFEMI" not in storage
        assert "wJalrXUtnFEMI" not in page.content()
        expect(page.locator("#st-configured")).to_have_text("Connected")
        expect(page.locator("#st-account")).to_have_text(ACCOUNT_ID)
        expect(page.locator("#st-type")).to_contain_text("Access keys")
        expect(page.locator("#st-enabled")).to_contain_text("On")
        # Pause and resume the monthly import.
        page.get_by_role("button", name="Pause monthly import").click()
        expect(page.locator("#st-enabled")).to_have_text("Paused")
        page.get_by_role("button", name="Resume monthly import").click()
        expect(page.locator("#st-enabled")).to_contain_text("On")

    def import_now(self) -> None:
        page = self.page
        start, end = previous_month(self.today)
        self.rt.queue_cost_results([cost_result(start, end)], account_id=ACCOUNT_ID)
        page.get_by_role("button", name="Import costs now").click()
        result = page.locator("#import-result")
        expect(result).to_contain_text("Import finished")
        expect(result).to_have_attribute("data-created", "2")
        expect(result).to_contain_text("2 created")
        expect(page.locator("#history-rows tr")).to_have_count(1)
        expect(page.locator("#history-rows tr").first).to_contain_text("Succeeded")
        expect(page.locator("#st-last")).not_to_have_text("Never")
        self.shot("08-settings-imported")
        # Preferences: the default currency the expense form starts with.
        page.get_by_label("Default currency").fill("EUR")
        page.locator("#profile-form").get_by_role("button", name="Save", exact=True).click()
        expect(page.locator("#profile-status")).to_have_text("Default currency set to EUR.")

    def remove_connection(self) -> None:
        """Removing the connection asks first and keeps the expenses already imported."""
        page = self.page
        page.get_by_role("button", name="Remove connection").click()
        dialog = page.get_by_role("dialog", name="Remove the AWS connection?")
        dialog.get_by_role("button", name="Remove").click()
        expect(page.locator("#aws-status-message")).to_contain_text("No AWS account is connected")
        expect(page.locator("#aws-status")).to_be_hidden()
        expect(page.get_by_role("button", name="Import costs now")).to_be_hidden()

    def see_imported_expenses(self) -> None:
        page = self.page
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Expenses").click()
        page.wait_for_url("**/expenses.html")
        self.wait_ready()
        expect(page.locator("#expense-form").get_by_label("Currency")).to_have_value("EUR")
        expect(self.row("AWS - AWS Lambda")).to_contain_text("$0.84")
        expect(self.row("AWS - Amazon Simple Storage Service")).to_contain_text("$3.12")
        expect(self.row("AWS - AWS Lambda")).to_contain_text("Software")
        filters = page.locator("#filter-form")
        filters.get_by_label("Vendor").fill("AWS - ")
        filters.get_by_role("button", name="Apply filters").click()
        expect(self.rows()).to_have_count(2)
        filters.get_by_role("button", name="Clear").click()
        expect(self.rows()).to_have_count(4)
        page.locator("#summary-currency").select_option("USD")
        self.expect_chart("chart-category", {"Software": "103.95", "currency": "USD"})  # 99.99 + 0.84 + 3.12
        self.shot("09-expenses-imported")

    def dismiss_imported_line(self) -> None:
        """Deleting an imported line says it dismisses it; Undo and Settings' Restore bring it back."""
        page = self.page
        self.row_action("AWS - AWS Lambda", "Delete").click()
        dialog = page.get_by_role("dialog", name="Delete this imported line?")
        expect(dialog).to_contain_text("later imports will not bring it back")
        dialog.get_by_role("button", name="Delete").click()
        expect(self.row("AWS - AWS Lambda")).to_have_count(0)
        page.locator("#toasts").get_by_role("button", name="Undo").click()
        expect(self.row("AWS - AWS Lambda")).to_have_count(1)
        # Deleted again, it is listed under Settings and restored from there.
        self.row_action("AWS - AWS Lambda", "Delete").click()
        page.get_by_role("dialog", name="Delete this imported line?").get_by_role(
            "button", name="Delete"
        ).click()
        expect(self.row("AWS - AWS Lambda")).to_have_count(0)
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
        page.wait_for_url("**/settings.html")
        self.wait_ready()
        dismissed = page.locator("#dismissed-list li")
        expect(dismissed).to_have_count(1)
        expect(dismissed.first).to_contain_text("AWS - AWS Lambda")
        dismissed.first.get_by_role("button", name="Restore").click()
        expect(page.locator("#dismissed-status")).to_have_text("No dismissed lines.")
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Expenses").click()
        page.wait_for_url("**/expenses.html")
        self.wait_ready()
        expect(self.row("AWS - AWS Lambda")).to_have_count(1)
        expect(self.rows()).to_have_count(4)

    def load_more(self) -> None:
        """Cursor pagination: a page holds 25; "Load more" fetches the rest with the API's `next`."""
        page = self.page
        token = self.rt.id_token(self.email, PASSWORD)
        for i in range(26):
            body = {
                "amount": f"{i + 1}.00",
                "currency": "GBP",
                "date": (self.today - timedelta(days=60 + i)).isoformat(),
                "category": "Other",
                "vendor": f"Bulk {i:02d}",
            }
            response = requests.post(
                self.rt.api_url + "/expenses", headers={"Authorization": token}, json=body, timeout=30
            )
            assert response.status_code == 201, response.text
        page.reload()
        self.wait_ready()
        expect(self.rows()).to_have_count(25)
        expect(page.locator("#list-status")).to_contain_text("Showing 25 expenses (more available)")
        page.get_by_role("button", name="Load more").click()
        expect(self.rows()).to_have_count(30)
        expect(page.get_by_role("button", name="Load more")).to_be_hidden()
        # Filters apply across pages: all 26 GBP expenses, in two pages.
        filters = page.locator("#filter-form")
        filters.get_by_label("Currency").fill("GBP")
        filters.get_by_role("button", name="Apply filters").click()
        expect(self.rows()).to_have_count(25)
        page.get_by_role("button", name="Load more").click()
        expect(self.rows()).to_have_count(26)
        filters.get_by_role("button", name="Clear").click()
        expect(self.rows()).to_have_count(25)

    def list_error_state(self) -> None:
        """When the list cannot be loaded the page says so (instead of "No expenses"), and recovers."""
        page = self.page

        def unreachable(route: Route) -> None:
            route.abort("connectionrefused")

        page.route("**/api/expenses?*", unreachable)
        with self.console.expect_failed_requests():
            page.locator("#filter-form").get_by_role("button", name="Apply filters").click()
            expect(page.locator("#list-status")).to_have_text(
                "Could not load expenses: The server cannot be reached. Check your connection."
            )
        expect(page.locator("#list-status")).to_have_attribute("data-kind", "error")
        expect(page.locator("#empty-state")).to_be_hidden()
        page.unroute("**/api/expenses?*", unreachable)
        page.locator("#filter-form").get_by_role("button", name="Apply filters").click()
        expect(self.rows()).to_have_count(25)
        expect(page.locator("#list-status")).to_have_attribute("data-kind", "info")

    def assert_no_horizontal_scroll(self, where: str) -> None:
        overflow = self.page.evaluate(
            """() => {
                const width = window.innerWidth;
                if (document.documentElement.scrollWidth <= width) return null;
                const wide = [...document.querySelectorAll('body *')]
                    .filter((el) => el.getBoundingClientRect().right > width + 1)
                    .slice(0, 5)
                    .map((el) => `${el.tagName.toLowerCase()}#${el.id}.${el.className}`);
                return {scrollWidth: document.documentElement.scrollWidth, width, wide};
            }"""
        )
        assert overflow is None, f"horizontal scroll at 375 px on {where}: {overflow}"

    def phone_width(self) -> None:
        page = self.page
        page.set_viewport_size({"width": 375, "height": 740})
        page.reload()
        self.wait_ready()
        expect(self.rows()).to_have_count(25)
        self.assert_no_horizontal_scroll("expenses")
        page.evaluate("() => window.scrollTo(0, 0)")
        # Dense phone layout: the form waits behind "New expense", so the list starts on the first
        # screen, and each expense is a two-line card.
        expect(page.locator("#expense-editor")).to_be_hidden()
        first = self.rows().first.bounding_box()
        assert first is not None and first["y"] + first["height"] <= 740, f"first expense at {first}"
        heights = page.eval_on_selector_all("#expense-rows tr", "rows => rows.map(r => r.offsetHeight)")
        assert max(heights) <= 64, f"expense cards are {max(heights)} px tall"
        page.screenshot(path=str(self.shots / "10-expenses-phone.png"), full_page=False)
        assert axe_violations(page) == [], "accessibility problems on 10-expenses-phone"
        page.get_by_role("button", name="New expense").click()
        expect(page.locator("#expense-form").get_by_label("Amount")).to_be_focused()
        self.assert_no_horizontal_scroll("expenses with the form open")
        page.goto(self.url("settings.html"))
        self.wait_ready()
        self.assert_no_horizontal_scroll("settings")
        page.evaluate("() => window.scrollTo(0, 0)")
        page.screenshot(path=str(self.shots / "11-settings-phone.png"), full_page=False)
        assert axe_violations(page) == [], "accessibility problems on 11-settings-phone"
        page.set_viewport_size({"width": 1280, "height": 900})

    def session_expiry(self) -> None:
        """A rejected ID token is refreshed once, transparently; a session that cannot be refreshed
        sends the user to the sign-in page with a message."""
        page = self.page
        tamper = """(fields) => {
            const s = JSON.parse(sessionStorage.getItem('outlay.session'));
            Object.assign(s, fields);
            sessionStorage.setItem('outlay.session', JSON.stringify(s));
        }"""
        page.goto(self.url("expenses.html"))
        self.wait_ready()
        page.evaluate(tamper, {"idToken": "not-a-valid-token"})
        with self.console.expect_failed_requests():
            page.reload()
            self.wait_ready()
        expect(self.rows()).to_have_count(25)
        token = page.evaluate("() => JSON.parse(sessionStorage.getItem('outlay.session')).idToken")
        assert token != "not-a-valid-token" and token.count(".") == 2
        page.evaluate(tamper, {"idToken": "not-a-valid-token", "refreshToken": "revoked"})
        with self.console.expect_failed_requests():
            page.reload()
            page.wait_for_url("**/index.html")
            expect(page.locator("#page-status")).to_contain_text("Your session has expired")
        view = page.locator("#view-signin")
        view.get_by_label("E-mail").fill(self.email)
        view.get_by_label("Password").fill(PASSWORD)
        view.get_by_role("button", name="Sign in", exact=True).click()
        page.wait_for_url("**/expenses.html")
        self.wait_ready()

    def sign_out_and_back_in(self) -> None:
        page = self.page
        page.get_by_role("button", name=f"Sign out {self.email}").click()
        page.wait_for_url("**/index.html")
        expect(page.locator("#page-status")).to_contain_text("You have signed out")
        assert page.evaluate("() => sessionStorage.getItem('outlay.session')") is None
        # The pages behind sign-in send a signed-out visitor back to the sign-in page.
        page.goto(self.url("expenses.html"))
        page.wait_for_url("**/index.html")
        expect(page.locator("#page-status")).to_contain_text("Please sign in")
        view = page.locator("#view-signin")
        view.get_by_label("E-mail").fill(self.email)
        view.get_by_label("Password").fill("Wrong-password-1!")
        with self.console.expect_failed_requests():
            view.get_by_role("button", name="Sign in", exact=True).click()
            expect(page.locator("#auth-error")).to_have_text("Incorrect e-mail or password.")
        view.get_by_label("Password").fill(PASSWORD)
        view.get_by_role("button", name="Sign in", exact=True).click()
        page.wait_for_url("**/expenses.html")
        self.wait_ready()
        expect(self.rows()).to_have_count(25)
        page.get_by_role("button", name=f"Sign out {self.email}").click()
        page.wait_for_url("**/index.html")
        self.shot("12-signed-out")


@pytest.mark.e2e
def test_dashboard_journey(
    page: Page, local_runtime: LocalRuntime, console: ConsoleWatch, screenshots: Path
) -> None:
    journey = Journey(page, local_runtime, console, screenshots)
    try:
        _run(journey)
    except BaseException:
        print("Last API calls of the page:", *journey.api_log[-30:], sep="\n  ")
        print("Console errors so far:", *console.errors, sep="\n  ")
        raise
    assert console.errors == []


def _run(journey: Journey) -> None:
    journey.sign_up()
    journey.confirm()
    journey.add_three_expenses()
    journey.charts_after_adding()
    journey.filter()
    journey.edit()
    journey.delete()
    journey.upload_receipt()
    journey.export_csv()
    journey.connect_aws_with_keys()
    journey.import_now()
    journey.remove_connection()
    journey.see_imported_expenses()
    journey.dismiss_imported_line()
    journey.load_more()
    journey.list_error_state()
    journey.phone_width()
    journey.session_expiry()
    journey.sign_out_and_back_in()


@pytest.mark.e2e
def test_unconfirmed_sign_in_password_reset_and_authenticator_code(
    page: Page, local_runtime: LocalRuntime, console: ConsoleWatch, screenshots: Path
) -> None:
    rt = local_runtime
    email = f"e2e-mfa-{uuid.uuid4().hex[:10]}@example.com"
    rt.sign_up(email, PASSWORD, confirm=False)
    page.goto(rt.url)
    signin = page.locator("#view-signin")

    # Signing in before confirming leads to the confirm step, then straight into the app.
    signin.get_by_label("E-mail").fill(email)
    signin.get_by_label("Password").fill(PASSWORD)
    with console.expect_failed_requests():
        signin.get_by_role("button", name="Sign in", exact=True).click()
        expect(page.get_by_role("heading", name="Confirm your e-mail")).to_be_visible()
    expect(page.locator("#auth-error")).to_contain_text("not confirmed yet")
    expect(page.locator("#view-confirm").get_by_label("E-mail")).to_have_value(email)
    page.locator("#view-confirm").get_by_label("Confirmation code").fill("123456")
    page.get_by_role("button", name="Confirm", exact=True).click()
    page.wait_for_url("**/expenses.html")
    expect(page.locator("#nav-user")).to_have_text(email)
    page.get_by_role("button", name=f"Sign out {email}").click()
    page.wait_for_url("**/index.html")

    # Forgot password -> code -> new password (rules checked live) -> sign in with it.
    new_password = "Brand-new-pass-7?"
    page.get_by_role("button", name="Forgot your password?").click()
    page.locator("#view-forgot").get_by_label("E-mail").fill(email)
    page.get_by_role("button", name="Send reset code").click()
    reset = page.locator("#view-reset")
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    expect(reset.get_by_label("E-mail")).to_have_value(email)
    reset.get_by_label("Reset code").fill("123456")
    reset.get_by_label("New password").fill(new_password)
    for rule in page.locator("#reset-rules li").all():
        expect(rule).to_have_attribute("data-met", "true")
    page.get_by_role("button", name="Set new password").click()
    expect(page.locator("#page-status")).to_contain_text("Password changed")
    expect(signin.get_by_label("E-mail")).to_have_value(email)

    # Turn on an authenticator app for the account (as the user would from a device).
    idp = rt.client("cognito-idp")
    access = rt.sign_in(email, new_password)["AccessToken"]
    idp.associate_software_token(AccessToken=access)
    idp.verify_software_token(AccessToken=access, UserCode="123456")
    idp.set_user_mfa_preference(
        AccessToken=access, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True}
    )

    signin.get_by_label("Password").fill(new_password)
    signin.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", name="Two-step verification")).to_be_visible()
    page.locator("#view-totp").get_by_label("Authenticator code").fill("123456")
    page.screenshot(path=str(screenshots / "13-sign-in-authenticator.png"), full_page=True)
    assert axe_violations(page) == []
    page.get_by_role("button", name="Verify", exact=True).click()
    page.wait_for_url("**/expenses.html")
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    expect(page.locator("#nav-user")).to_have_text(email)
    assert console.errors == []


@pytest.mark.e2e
def test_account_created_by_an_administrator_chooses_its_password(
    page: Page, local_runtime: LocalRuntime, console: ConsoleWatch
) -> None:
    rt = local_runtime
    email = f"e2e-invited-{uuid.uuid4().hex[:10]}@example.com"
    rt.client("cognito-idp").admin_create_user(
        UserPoolId=rt.user_pool_id,
        Username=email,
        TemporaryPassword="Temp-pass-123!",
        UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}],
        MessageAction="SUPPRESS",
    )
    page.goto(rt.url)
    signin = page.locator("#view-signin")
    signin.get_by_label("E-mail").fill(email)
    signin.get_by_label("Password").fill("Temp-pass-123!")
    signin.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", name="Choose your password")).to_be_visible()
    expect(page.locator("#page-status")).to_contain_text("temporary password")
    new_password = page.locator("#view-new-password").get_by_label("New password")
    expect(new_password).to_be_focused()
    new_password.fill("weak")
    page.get_by_role("button", name="Save password and sign in").click()
    expect(page.locator("#auth-error")).to_contain_text("The password still needs")
    new_password.fill("Chosen-by-me-42!")
    expect(page.locator("#auth-error")).to_be_hidden()
    page.get_by_role("button", name="Save password and sign in").click()
    page.wait_for_url("**/expenses.html")
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    expect(page.locator("#nav-user")).to_have_text(email)
    assert rt.sign_in(email, "Chosen-by-me-42!")["IdToken"]
    assert console.errors == []
