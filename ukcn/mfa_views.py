"""The two-factor pages: set up an authenticator app, verify a code after log-in, recovery codes."""

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .mfa import (
    RECOVERY_CODE_COUNT,
    mfa_device,
    mfa_enrol_confirm,
    mfa_enrolment_device,
    mfa_qr_svg_data_uri,
    mfa_recovery_codes_left,
    mfa_recovery_codes_renew,
    mfa_required,
    mfa_secret,
    mfa_verify,
)


class CodeForm(forms.Form):
    code = forms.CharField(
        max_length=20,
        label="Code",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )


def _next_url(request) -> str:
    """Where to go once verified: the page asked for, if it is on this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


def mfa_manage(request):
    """Whether two-factor authentication is set up, and the way to new recovery codes."""
    device = mfa_device(request.user)
    return render(
        request,
        "registration/mfa_manage.html",
        {
            "device": device,
            "codes_left": mfa_recovery_codes_left(request.user) if device else 0,
            "required": mfa_required(request.user),
        },
    )


def mfa_enrol(request):
    """Show the secret (a QR code and the otpauth:// URI) and confirm it with a first code."""
    if mfa_device(request.user) is not None:
        messages.info(request, "Two-factor authentication is already set up.")
        return redirect("mfa_manage" if request.user.is_verified() else "mfa_verify")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome, codes = mfa_enrol_confirm(request=request, code=form.cleaned_data["code"])
        if outcome.ok:
            return render(
                request,
                "registration/mfa_recovery_codes.html",
                {"codes": codes, "next": _next_url(request), "enrolled": True},
            )
        form.add_error("code", outcome.message)
    device = mfa_enrolment_device(request.user)
    return render(
        request,
        "registration/mfa_enrol.html",
        {
            "form": form,
            "qr": mfa_qr_svg_data_uri(device),
            "uri": device.config_url,
            "secret": mfa_secret(device),
            "next": _next_url(request),
        },
    )


def mfa_verify_view(request):
    """After the password: a code from the app, or a recovery code."""
    if mfa_device(request.user) is None:
        return redirect_to_login(_next_url(request), reverse("mfa_enrol"))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = mfa_verify(request=request, code=form.cleaned_data["code"])
        if outcome.ok:
            if outcome.message:
                messages.warning(request, outcome.message)
            return redirect(_next_url(request))
        form.add_error("code", outcome.message)
    return render(
        request, "registration/mfa_verify.html", {"form": form, "next": _next_url(request)}
    )


@require_POST
def mfa_recovery_codes(request):
    """Replace the recovery codes; only from a session verified with the second factor."""
    if mfa_device(request.user) is None:
        return redirect("mfa_enrol")
    if not request.user.is_verified():
        return redirect_to_login(reverse("mfa_manage"), reverse("mfa_verify"))
    codes = mfa_recovery_codes_renew(request=request)
    return render(
        request,
        "registration/mfa_recovery_codes.html",
        {"codes": codes, "next": "/", "enrolled": False, "count": RECOVERY_CODE_COUNT},
    )
