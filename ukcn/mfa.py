"""Two-factor authentication: a TOTP authenticator app, with recovery codes for when it is lost.

Who must use it (when `MFA_REQUIRED` is on): admin-site users (staff and superusers) and
everyone who can decide a request or sign a decision off — the roles the review routes name
in `DECIDING_ROLES` and `SIGNING_ROLES` (reviewer, approver, senior officer, head of
department). A reviewer decides low- and medium-tier requests and a head of department signs
low-tier decisions off, so a stolen password for any of them could approve a partnership;
requesters, guidance editors and auditors cannot, and need only their password.

Such a user verifies a code once per browser session before any page (ukcn.middleware).
django-otp throttles wrong codes per device: each doubles the wait before the next try. Each
service here locks the device row first, so parallel guesses queue behind that throttle.
"""

from base64 import b32encode
from dataclasses import dataclass

import segno
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from assessments.audit import audit_record, client_ip
from assessments.routes import DECIDING_ROLES, SIGNING_ROLES

from .roles import has_role

MFA_ROLES = frozenset(DECIDING_ROLES) | frozenset(SIGNING_ROLES)
RECOVERY_CODE_COUNT = 10
APP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"


@dataclass(frozen=True)
class MfaOutcome:
    ok: bool
    message: str = ""


def mfa_applies_to(user) -> bool:
    """Staff, superusers and the deciding and signing roles: those MFA_REQUIRED covers."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_staff or user.is_superuser or has_role(user, *MFA_ROLES)


def mfa_required(user) -> bool:
    """Whether this user must verify a second factor before using the site."""
    return settings.MFA_REQUIRED and mfa_applies_to(user)


def mfa_device(user) -> TOTPDevice | None:
    """The user's confirmed authenticator app, or None before enrolment."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def mfa_recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def mfa_enrolment_device(user) -> TOTPDevice:
    """The unconfirmed device a user is enrolling (the same secret on every reload)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)


def mfa_qr_svg_data_uri(device: TOTPDevice) -> str:
    """The device's otpauth:// URI as a QR code, an SVG data: URI (the CSP allows data: images)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


def mfa_secret(device: TOTPDevice) -> str:
    """The secret in base32, grouped by four, for typing into an app by hand."""
    text = b32encode(device.bin_key).decode()
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def _normalised(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def _locked_message(device) -> str | None:
    allowed, data = device.verify_is_allowed()
    if allowed:
        return None
    until = timezone.localtime(data["locked_until"]).strftime("%H:%M:%S")
    return (
        f"Too many wrong codes ({data['failure_count']} in a row): wait until {until} "
        "before trying again."
    )


def _recovery_codes_replace(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def mfa_enrol_confirm(*, request, code: str) -> tuple[MfaOutcome, list[str]]:
    """Confirm the app being enrolled with a code from it; on success, verify this session
    and return the new recovery codes (shown this once)."""
    user = request.user
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=False)
            .order_by("pk")
            .first()
        )
        if device is None or TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            return MfaOutcome(False, "Start the set-up again: open the set-up page."), []
        locked = _locked_message(device)
        if locked:
            return MfaOutcome(False, locked), []
        if not device.verify_token(_normalised(code)):
            audit_record(
                actor=user,
                action="mfa.enrol_failed",
                summary=f"Wrong code while setting up an authenticator app for {user.get_username()}",
                obj=user,
                ip=client_ip(request),
            )
            return MfaOutcome(
                False, "That code is not right: enter the one your app shows now."
            ), []
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        codes = _recovery_codes_replace(user)
        audit_record(
            actor=user,
            action="mfa.enrolled",
            summary=f"{user.get_username()} set up two-factor authentication "
            f"({RECOVERY_CODE_COUNT} recovery codes issued)",
            obj=user,
            ip=client_ip(request),
        )
    otp_login(request, device)
    return MfaOutcome(True), codes


def mfa_verify(*, request, code: str) -> MfaOutcome:
    """Check a code from the app, or a recovery code (used up), and mark the session verified."""
    user = request.user
    code = _normalised(code)
    is_app_code = code.isdigit()
    model = TOTPDevice if is_app_code else StaticDevice
    with transaction.atomic():
        device = model.objects.select_for_update().filter(user=user, confirmed=True).first()
        if device is None:
            return MfaOutcome(
                False,
                "You have no authenticator app set up."
                if is_app_code
                else "You have no recovery codes left: enter the 6-digit code from your app.",
            )
        locked = _locked_message(device)
        if locked:
            return MfaOutcome(False, locked)
        if not device.verify_token(code):
            kind = "authenticator code" if is_app_code else "recovery code"
            audit_record(
                actor=user,
                action="mfa.verify_failed",
                summary=f"Wrong {kind} for {user.get_username()} "
                f"({device.throttling_failure_count} in a row)",
                obj=user,
                ip=client_ip(request),
            )
            return MfaOutcome(False, f"That {kind} is not right.")
        message = ""
        if not is_app_code:
            left = mfa_recovery_codes_left(user)
            audit_record(
                actor=user,
                action="mfa.recovery_code_used",
                summary=f"{user.get_username()} used a recovery code ({left} left)",
                obj=user,
                ip=client_ip(request),
            )
            message = (
                f"You used a recovery code: {left} left. If your authenticator app is lost, "
                "ask an administrator to reset two-factor authentication, or make new codes."
            )
    otp_login(request, device)
    return MfaOutcome(True, message)


def mfa_recovery_codes_renew(*, request) -> list[str]:
    """Replace the user's recovery codes (their session must be verified); shown this once."""
    user = request.user
    with transaction.atomic():
        codes = _recovery_codes_replace(user)
        audit_record(
            actor=user,
            action="mfa.recovery_codes_renewed",
            summary=f"{user.get_username()} made {RECOVERY_CODE_COUNT} new recovery codes",
            obj=user,
            ip=client_ip(request),
        )
    return codes


def mfa_reset(*, user, actor, ip: str | None = None) -> bool:
    """Remove a user's app and recovery codes (they lost both) so they enrol afresh."""
    with transaction.atomic():
        deleted, _ = TOTPDevice.objects.filter(user=user).delete()
        deleted += StaticDevice.objects.filter(user=user).delete()[0]
        if not deleted:
            return False
        audit_record(
            actor=actor,
            action="mfa.reset",
            summary=f"Two-factor authentication of {user.get_username()} reset: they set it up again",
            obj=user,
            ip=ip,
        )
    return True
