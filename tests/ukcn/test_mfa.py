"""Two-factor authentication: who needs it, enrolment, verification after the password,
recovery codes, throttling, audit events. Codes are computed from each device's own secret."""

import re
import time
from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from assessments.models import AuditEvent
from tests.conftest import PASSWORD
from ukcn.api_tokens import api_token_issue
from ukcn.mfa import mfa_applies_to
from ukcn.roles import Role

from .test_settings import AUDIT_KEY, run_check


@pytest.fixture
def mfa_on(settings):
    settings.MFA_REQUIRED = True


def code_for(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code the user's app shows now (or that many 30-second steps later)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def log_in(client, user):
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, "the password step failed"
    return response


def enrol(client, user) -> list[str]:
    """Log in and set up an app through the pages; returns the recovery codes shown."""
    log_in(client, user)
    client.get("/accounts/mfa/enrol/")
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post("/accounts/mfa/enrol/", {"code": code_for(device), "next": "/"})
    assert response.status_code == 200
    return re.findall(r"<li>([a-z2-7]{8})</li>", response.content.decode())


def new_session(client, user):
    client.post("/accounts/logout/")
    log_in(client, user)


def actions(action):
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def test_it_covers_staff_and_those_who_decide_or_sign_off_not_the_others(
    make_user, engineering, requester, reviewer, approver, guidance_editor, auditor, admin_user
):
    head = make_user("head", Role.HEAD_OF_DEPARTMENT, engineering)
    senior = make_user("senior", Role.SENIOR_OFFICER)
    staff = make_user("staff", is_staff=True)
    for user in (reviewer, approver, head, senior, staff, admin_user):
        assert mfa_applies_to(user), user
    for user in (requester, guidance_editor, auditor):
        assert not mfa_applies_to(user), user


def test_without_a_device_an_approver_is_sent_to_set_one_up_before_any_page(
    client, approver, mfa_on
):
    log_in(client, approver)
    response = client.get("/requests/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/mfa/enrol/?next=/requests/"


def test_the_enrolment_page_shows_the_otpauth_uri_and_a_qr_code(client, approver, mfa_on):
    log_in(client, approver)
    body = client.get("/accounts/mfa/enrol/").content.decode()
    device = TOTPDevice.objects.get(user=approver, confirmed=False)
    assert device.config_url.startswith("otpauth://totp/ukcn%3Aapprover?secret=")
    assert device.config_url.replace("&", "&amp;") in body
    assert 'src="data:image/svg+xml' in body
    # The same secret on a reload: the app the user just scanned stays right.
    client.get("/accounts/mfa/enrol/")
    assert TOTPDevice.objects.filter(user=approver).count() == 1


def test_a_qr_code_as_a_data_uri_is_allowed_by_the_content_security_policy(client, approver):
    log_in(client, approver)
    response = client.get("/accounts/mfa/enrol/")
    policy = response["Content-Security-Policy"]
    img_src = next(part for part in policy.split(";") if part.strip().startswith("img-src"))
    assert "data:" in img_src
    assert "<script" not in response.content.decode().split("<body", 1)[1].replace(
        '<script src="/static/', ""
    )


def test_enrolling_with_a_real_code_verifies_the_session_and_shows_recovery_codes_once(
    client, approver, mfa_on
):
    codes = enrol(client, approver)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert TOTPDevice.objects.get(user=approver).confirmed
    assert sorted(
        StaticToken.objects.filter(device__user=approver).values_list("token", flat=True)
    ) == sorted(codes)
    assert client.get("/requests/").status_code == 200
    manage = client.get("/accounts/mfa/").content.decode()
    assert "10 recovery codes left" in manage
    assert not any(code in manage for code in codes)
    [event] = actions("mfa.enrolled")
    assert event.actor == approver


def test_a_wrong_code_at_enrolment_is_refused_and_audited(client, approver, mfa_on):
    log_in(client, approver)
    client.get("/accounts/mfa/enrol/")
    device = TOTPDevice.objects.get(user=approver)
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"
    response = client.post("/accounts/mfa/enrol/", {"code": wrong})
    assert "That code is not right" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert len(actions("mfa.enrol_failed")) == 1
    assert client.get("/requests/").status_code == 302


def test_the_next_session_asks_for_a_code_after_the_password(client, approver, mfa_on):
    enrol(client, approver)
    new_session(client, approver)
    response = client.get("/requests/")
    assert response["Location"] == "/accounts/mfa/verify/?next=/requests/"
    device = TOTPDevice.objects.get(user=approver)
    response = client.post(
        "/accounts/mfa/verify/", {"code": code_for(device, steps_ahead=1), "next": "/requests/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/requests/"
    assert client.get("/requests/").status_code == 200


def test_a_wrong_code_is_refused_audited_and_then_throttled(client, approver, mfa_on):
    enrol(client, approver)
    new_session(client, approver)
    device = TOTPDevice.objects.get(user=approver)
    right = code_for(device, steps_ahead=1)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"

    def wait_out_the_throttle():
        # Move the device's last failure back in time, as the seconds passing would.
        failed_at = TOTPDevice.objects.get(pk=device.pk).throttling_failure_timestamp
        TOTPDevice.objects.filter(pk=device.pk).update(
            throttling_failure_timestamp=failed_at - timedelta(seconds=60)
        )

    response = client.post("/accounts/mfa/verify/", {"code": wrong})
    assert "That authenticator code is not right." in response.content.decode()
    # Even the right code must wait out the throttle after a wrong one.
    response = client.post("/accounts/mfa/verify/", {"code": right})
    assert "Too many wrong codes (1 in a row): wait until" in response.content.decode()
    assert client.get("/requests/").status_code == 302
    wait_out_the_throttle()
    client.post("/accounts/mfa/verify/", {"code": wrong})
    assert [e.summary for e in actions("mfa.verify_failed")] == [
        "Wrong authenticator code for approver (1 in a row)",
        "Wrong authenticator code for approver (2 in a row)",
    ]  # a try refused by the throttle is no guess, and is not recorded as one
    response = client.post("/accounts/mfa/verify/", {"code": right})
    assert "Too many wrong codes (2 in a row)" in response.content.decode()
    wait_out_the_throttle()
    response = client.post("/accounts/mfa/verify/", {"code": right, "next": "/requests/"})
    assert response["Location"] == "/requests/"
    assert TOTPDevice.objects.get(pk=device.pk).throttling_failure_count == 0


def test_a_recovery_code_lets_one_in_once_and_is_audited(client, approver, mfa_on):
    codes = enrol(client, approver)
    new_session(client, approver)
    response = client.post(
        "/accounts/mfa/verify/", {"code": codes[0].upper(), "next": "/"}, follow=True
    )
    assert "You used a recovery code: 9 left" in response.content.decode()
    assert client.get("/requests/").status_code == 200
    [event] = actions("mfa.recovery_code_used")
    assert event.summary == "approver used a recovery code (9 left)"
    new_session(client, approver)
    response = client.post("/accounts/mfa/verify/", {"code": codes[0]})
    assert "That recovery code is not right" in response.content.decode()


def test_new_recovery_codes_replace_the_old_ones_from_a_verified_session(client, approver, mfa_on):
    old = enrol(client, approver)
    response = client.post("/accounts/mfa/recovery-codes/")
    new = re.findall(r"<li>([a-z2-7]{8})</li>", response.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    assert StaticDevice.objects.filter(user=approver).count() == 1
    assert len(actions("mfa.recovery_codes_renewed")) == 1


def test_new_recovery_codes_need_a_verified_session(client, approver):
    enrol(client, approver)
    new_session(client, approver)  # MFA not required here: the session is simply unverified
    response = client.post("/accounts/mfa/recovery-codes/")
    assert response["Location"] == "/accounts/mfa/verify/?next=/accounts/mfa/"
    assert not actions("mfa.recovery_codes_renewed")


def test_an_enrolled_user_cannot_enrol_a_second_app_without_verifying(client, approver, mfa_on):
    enrol(client, approver)
    new_session(client, approver)
    response = client.get("/accounts/mfa/enrol/")
    assert response["Location"] == "/accounts/mfa/verify/"
    assert TOTPDevice.objects.filter(user=approver).count() == 1


def test_a_requester_is_never_asked(client, requester, mfa_on):
    log_in(client, requester)
    assert client.get("/requests/").status_code == 200


def test_nobody_is_asked_when_mfa_is_not_required(client, approver):
    log_in(client, approver)
    assert client.get("/requests/").status_code == 200


def test_the_admin_site_asks_staff_too(client, admin_user, mfa_on):
    log_in(client, admin_user)
    response = client.get("/admin/")
    assert response["Location"] == "/accounts/mfa/enrol/?next=/admin/"


def test_an_unverified_user_may_still_log_out(client, approver, mfa_on):
    log_in(client, approver)
    assert client.post("/accounts/logout/").status_code == 302
    assert SESSION_KEY not in client.session


def test_api_tokens_are_not_affected_but_an_unverified_session_is(client, approver, mfa_on):
    _token, secret = api_token_issue(user=approver, name="crm")
    response = client.get("/api/v1/me/", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200
    log_in(client, approver)
    response = client.get("/api/v1/me/")
    assert response.status_code == 403
    assert response.json()["error"].startswith("Verify your second factor")


def test_after_verifying_it_never_redirects_off_the_site(client, approver, mfa_on):
    enrol(client, approver)
    new_session(client, approver)
    device = TOTPDevice.objects.get(user=approver)
    response = client.post(
        "/accounts/mfa/verify/",
        {"code": code_for(device, steps_ahead=1), "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"


def test_an_administrator_resets_a_users_two_factor_with_an_audit_event(
    client, approver, admin_user
):
    enrol(client, approver)
    client.post("/accounts/logout/")
    client.force_login(admin_user)
    client.post(
        "/admin/auth/user/",
        {"action": "reset_two_factor", "_selected_action": [approver.pk]},
    )
    assert not TOTPDevice.objects.filter(user=approver).exists()
    assert not StaticDevice.objects.filter(user=approver).exists()
    [event] = actions("mfa.reset")
    assert event.actor == admin_user
    assert event.object_id == str(approver.pk)


def test_production_requires_it_and_development_does_not():
    show = ("shell", "-c", "from django.conf import settings; print(settings.MFA_REQUIRED)")
    production = {
        "DEBUG": "false",
        "SECRET_KEY": "x" * 50,
        "AUDIT_HMAC_KEYS": AUDIT_KEY,
        "ALLOWED_HOSTS": "ukcn.example.ac.uk",
    }
    assert run_check(*show, **production).stdout.splitlines()[-1] == "True"
    assert run_check(*show).stdout.splitlines()[-1] == "False"
    assert run_check(*show, **production, MFA_REQUIRED="off").stdout.splitlines()[-1] == "False"
    result = run_check(MFA_REQUIRED="sometimes")
    assert result.returncode != 0
    assert "MFA_REQUIRED='sometimes' is not a boolean" in result.stderr


def test_check_deploy_warns_when_production_turns_it_off():
    production = {
        "DEBUG": "false",
        "SECRET_KEY": "x" * 50,
        "AUDIT_HMAC_KEYS": AUDIT_KEY,
        "ALLOWED_HOSTS": "ukcn.example.ac.uk",
        "CSRF_TRUSTED_ORIGINS": "https://ukcn.example.ac.uk",
    }
    result = run_check("check", "--deploy", **production, MFA_REQUIRED="false")
    assert "ukcn.W001" in result.stderr + result.stdout
    assert "MFA_REQUIRED is off" in result.stderr + result.stdout
    result = run_check("check", "--deploy", **production)
    assert "ukcn.W001" not in result.stderr + result.stdout
