"""The statement import page in a real browser: upload a 3-row CSV (one bad line), see the detected
columns, the bad line and the count, import, follow the progress to the result; light and dark at
desktop (1280 px) and phone (375 px) width, each screenshot checked with axe."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from local.runtime import LocalRuntime
from tests.e2e.browser import WIDTHS, screenshot_checked, scrolls_sideways, sign_in_through_page, watched_page

expect.set_options(timeout=30_000)

PASSWORD = "Outlay-e2e-9!"
CSV = (
    b"Datum;Betrag;Empfaenger\n02.05.2026;-12,50;Deli\n03.05.2026;-abc;Kaputt\n04.05.2026;-1.040,00;Garage\n"
)


@pytest.mark.e2e
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_import_a_statement_with_a_bad_line(
    browser: Browser, local_runtime: LocalRuntime, screenshots: Path, scheme: str
) -> None:
    rt = local_runtime
    for width_name, (width, height) in WIDTHS.items():
        email = f"e2e-statement-{uuid.uuid4().hex[:10]}@example.com"
        rt.sign_up(email, PASSWORD)
        prefix = f"60-statement-{scheme}-{width_name}"
        with watched_page(browser, size=(width, height), scheme=scheme) as (page, console):
            sign_in_through_page(page, rt.url, email, PASSWORD)
            page.get_by_role("navigation", name="Main").get_by_role("link", name="Import", exact=True).click()
            page.wait_for_url("**/statements.html")
            expect(page.locator("body")).to_have_attribute("data-ready", "true")
            expect(page.get_by_text("No statements imported yet.")).to_be_visible()
            screenshot_checked(page, screenshots / f"{prefix}-1-empty.png")

            page.get_by_label("Statement (CSV)").set_input_files(
                {"name": "statement.csv", "mimeType": "text/csv", "buffer": CSV}
            )
            page.get_by_role("button", name="Upload and preview").click()
            expect(page.locator("#counts")).to_contain_text("3 rows: 2 to import, 0 credits skipped, 1 bad")
            expect(page.get_by_label("Date format")).to_have_value("DD.MM.YYYY")
            expect(page.get_by_label("Decimal mark")).to_have_value(",")
            expect(page.locator("#bad-rows")).to_contain_text("amount")
            expect(page.locator("#bad-rows td").first).to_have_text("3")
            screenshot_checked(page, screenshots / f"{prefix}-2-mapping.png")
            assert not scrolls_sideways(page)

            page.get_by_label("Currency when no column has it").fill("EUR")
            page.get_by_role("button", name="Import 2 rows").click()
            expect(page.locator("#run-status")).to_contain_text("Done: 2 new expenses", timeout=90_000)
            expect(page.locator("#run-progress")).to_have_attribute("value", "100")
            expect(page.locator("#run-bad-rows td").first).to_have_text("3")
            expect(page.locator("#runs-list li")).to_have_count(1)
            screenshot_checked(page, screenshots / f"{prefix}-3-done.png")
            assert console.errors == []
