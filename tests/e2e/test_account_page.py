"""The account page in a real browser: two-step verification on and off (QR code drawn in the page),
change password, sign out of all devices. Cognito is moto's, behind the runtime's /cognito/ pass-through.

moto accepts any 6-digit code for VerifySoftwareToken and the TOTP sign-in challenge (it checks codes
only with MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP=true), so these tests prove the page's calls and
the states they lead to, not the arithmetic of TOTP codes."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from botocore.exceptions import ClientError
from playwright.sync_api import Page, Request, expect

from local.runtime import LocalRuntime
from tests.e2e.browser import ConsoleWatch, screenshot_checked, sign_in_through_page

expect.set_options(timeout=20_000)

PASSWORD = "Outlay-e2e-9!"


def _mfa_enabled(rt: LocalRuntime, email: str) -> bool:
    user = rt.client("cognito-idp").admin_get_user(UserPoolId=rt.user_pool_id, Username=email)
    return "SOFTWARE_TOKEN_MFA" in user.get("UserMFASettingList", [])


def _sign_in_with_code(page: Page, rt: LocalRuntime, email: str, password: str) -> None:
    page.goto(rt.url)
    view = page.locator("#view-signin")
    view.get_by_label("E-mail").fill(email)
    view.get_by_label("Password").fill(password)
    view.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", name="Two-step verification")).to_be_visible()
    page.locator("#view-totp").get_by_label("Authenticator code").fill("123456")
    page.get_by_role("button", name="Verify", exact=True).click()
    page.wait_for_url("**/expenses.html")


def _open_account(page: Page) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Account").click()
    page.wait_for_url("**/account.html")
    expect(page.locator("body")).to_have_attribute("data-ready", "true")


@pytest.mark.e2e
def test_two_step_verification_on_and_off(
    page: Page, local_runtime: LocalRuntime, console: ConsoleWatch, screenshots: Path
) -> None:
    rt = local_runtime
    email = f"e2e-account-{uuid.uuid4().hex[:10]}@example.com"
    rt.sign_up(email, PASSWORD)
    # Every request the page makes stays on the site's own origin: no QR image service, no CDN.
    requests: list[str] = []

    def remember(request: Request) -> None:
        requests.append(request.url)

    page.on("request", remember)
    sign_in_through_page(page, rt.url, email, PASSWORD)
    _open_account(page)
    expect(page.locator("#account-email")).to_have_text(email)
    expect(page.locator("#mfa-state")).to_have_text("Off")
    screenshot_checked(page, screenshots / "20-account.png")

    page.get_by_role("button", name="Turn on two-step verification").click()
    qr = page.get_by_role("img", name="QR code for your authenticator app")
    expect(qr).to_be_visible()
    expect(page.get_by_label("Authenticator code")).to_be_focused()
    # The QR code is drawn: dark and light modules on the canvas.
    shades = page.eval_on_selector(
        "#mfa-qr",
        """c => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                  let dark = 0, light = 0;
                  for (let i = 0; i < d.length; i += 4) (d[i] < 64 ? dark++ : light++);
                  return {dark, light}; }""",
    )
    assert shades["dark"] > 1000 and shades["light"] > 1000, shades
    key = page.locator("#mfa-key").inner_text().replace(" ", "")
    assert len(key) >= 8 and key.isalnum()  # moto answers a fixed 12-letter secret; AWS a 32-character one
    expect(page.get_by_role("button", name="Copy key")).to_be_visible()
    screenshot_checked(page, screenshots / "21-account-mfa-setup.png")

    # A code that is not six digits is refused next to the field, before Cognito is asked.
    page.get_by_label("Authenticator code").fill("12")
    page.get_by_role("button", name="Verify and turn on").click()
    expect(page.locator("#mfa-code-error")).to_contain_text("6-digit code")
    assert not _mfa_enabled(rt, email)
    page.get_by_label("Authenticator code").fill("123456")
    page.get_by_role("button", name="Verify and turn on").click()
    expect(page.locator("#mfa-state")).to_have_text("On")
    expect(page.locator("#mfa-status")).to_contain_text("Two-step verification is on")
    assert _mfa_enabled(rt, email)
    outside = [url for url in requests if not url.startswith(rt.url.rstrip("/"))]
    assert outside == [], f"requests left the site: {outside}"

    # Signing in now asks for the code.
    page.get_by_role("button", name=f"Sign out {email}").click()
    page.wait_for_url("**/index.html")
    _sign_in_with_code(page, rt, email, PASSWORD)

    # Off again, after a confirmation; the next sign-in asks for the password only.
    _open_account(page)
    expect(page.locator("#mfa-state")).to_have_text("On")
    page.get_by_role("button", name="Turn off two-step verification").click()
    dialog = page.get_by_role("dialog", name="Turn off two-step verification?")
    dialog.get_by_role("button", name="Turn off").click()
    expect(page.locator("#mfa-state")).to_have_text("Off")
    assert not _mfa_enabled(rt, email)
    page.get_by_role("button", name=f"Sign out {email}").click()
    page.wait_for_url("**/index.html")
    sign_in_through_page(page, rt.url, email, PASSWORD)
    assert console.errors == []


@pytest.mark.e2e
def test_change_password_then_sign_out_of_all_devices(
    page: Page, local_runtime: LocalRuntime, console: ConsoleWatch, screenshots: Path
) -> None:
    rt = local_runtime
    email = f"e2e-password-{uuid.uuid4().hex[:10]}@example.com"
    rt.sign_up(email, PASSWORD)
    sign_in_through_page(page, rt.url, email, PASSWORD)
    _open_account(page)
    form = page.locator("#password-form")

    # A weak new password is stopped in the page; a wrong current password is Cognito's refusal.
    form.get_by_label("Current password").fill(PASSWORD)
    form.get_by_label("New password").fill("short")
    form.get_by_role("button", name="Change password").click()
    expect(page.locator("#change-password-error")).to_contain_text("The new password still needs")
    new_password = "Changed-pass-42!"
    form.get_by_label("New password").fill(new_password)
    for rule in page.locator("#change-rules li").all():
        expect(rule).to_have_attribute("data-met", "true")
    form.get_by_label("Current password").fill("Not-my-password-1!")
    with console.expect_failed_requests():
        form.get_by_role("button", name="Change password").click()
        expect(page.locator("#current-password-error")).to_have_text("The current password is not right.")
    form.get_by_label("Current password").fill(PASSWORD)
    form.get_by_label("New password").fill(new_password)
    form.get_by_role("button", name="Change password").click()
    expect(page.locator("#password-status")).to_contain_text("Password changed")
    idp = rt.client("cognito-idp")
    with pytest.raises(ClientError):
        rt.sign_in(email, PASSWORD)
    # Another device, signed in with the new password: its refresh token works until "sign out everywhere".
    other_device = rt.sign_in(email, new_password)["RefreshToken"]
    screenshot_checked(page, screenshots / "22-account-password-changed.png")

    page.get_by_role("button", name="Sign out of all devices").click()
    dialog = page.get_by_role("dialog", name="Sign out of all devices?")
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    dialog.get_by_role("button", name="Sign out everywhere").click()
    page.wait_for_url("**/index.html")
    expect(page.locator("#page-status")).to_contain_text("signed out on all your devices")
    assert page.evaluate("() => sessionStorage.getItem('outlay.session')") is None
    with pytest.raises(ClientError) as refused:
        idp.initiate_auth(
            ClientId=rt.client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": other_device},
        )
    assert refused.value.response["Error"]["Code"] == "NotAuthorizedException"
    assert console.errors == []
