"""In a real browser: an approver sets up two-factor authentication after the password, with a
QR code the Content-Security-Policy lets through, and reaches the dashboard."""

import re
import time

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect


def code_for(device) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():06d}"


def test_an_approver_sets_up_an_app_and_then_reaches_the_dashboard(
    login, page, live_server, approver, settings
):
    settings.MFA_REQUIRED = True
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    login(approver)
    expect(page).to_have_url(re.compile(r"/accounts/mfa/enrol/\?next=/$"))
    qr = page.get_by_role("img", name="QR code holding the secret for your authenticator app")
    expect(qr).to_be_visible()
    assert qr.evaluate("image => image.naturalWidth") > 0  # the data: image really loaded
    device = TOTPDevice.objects.get(user=approver, confirmed=False)
    expect(page.locator("#mfa-uri")).to_have_text(device.config_url)
    page.get_by_label("Code").fill(code_for(device))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    page.get_by_role("link", name="I have kept them: continue").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    assert refused == []
