from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from assessments.audit import client_ip

from .api_tokens import api_token_issue, api_token_revoke


@login_not_required
@never_cache
@require_GET
def healthz(request):
    """Report whether the app can reach its database, for load balancers and monitors."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return JsonResponse(
            {"status": "error", "database": "unavailable", "detail": type(exc).__name__},
            status=503,
        )
    return JsonResponse({"status": "ok", "database": "ok", "vendor": connection.vendor})


class ApiTokenForm(forms.Form):
    EXPIRY_DAYS = [("30", "In 30 days"), ("90", "In 90 days"), ("365", "In a year"), ("", "Never")]

    name = forms.CharField(
        max_length=100, label="Token name", help_text="What will use it, e.g. 'grants system'."
    )
    expires_in = forms.ChoiceField(
        choices=EXPIRY_DAYS,
        initial="90",
        required=False,
        label="Expires",
        help_text="After this the token is refused; a token that never expires lasts until "
        "you revoke it, change your password or your account is closed.",
    )

    def expires_at(self):
        days = self.cleaned_data["expires_in"]
        return timezone.now() + timedelta(days=int(days)) if days else None


def api_tokens(request):
    """List the user's API tokens and create a new one, whose secret is shown this once."""
    form = ApiTokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        _, secret = api_token_issue(
            user=request.user,
            name=form.cleaned_data["name"],
            expires_at=form.expires_at(),
            ip=client_ip(request),
        )
        form = ApiTokenForm()
    tokens = request.user.api_tokens.all()
    return render(
        request, "registration/api_tokens.html", {"form": form, "tokens": tokens, "secret": secret}
    )


@require_POST
def api_token_revoke_view(request, token_id):
    """Revoke one of the user's own tokens."""
    if api_token_revoke(user=request.user, token_id=token_id, ip=client_ip(request)):
        messages.success(request, "Token revoked: it no longer works.")
    else:
        messages.error(request, "No such active token.")
    return redirect("api_tokens")
