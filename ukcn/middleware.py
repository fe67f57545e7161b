"""Request-wide policies that belong to no single view."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.defaults import permission_denied

from .mfa import mfa_device, mfa_required
from .refusals import FORBIDDEN, Refusal, refusal_message

# When the logged-in session started and when it was last used (seconds since the epoch).
SESSION_STARTED = "_ukcn_session_started"
SESSION_LAST_SEEN = "_ukcn_session_last_seen"
# Last-seen is written at most this often, so a busy user does not write their session on
# every request; an idle session therefore ends up to this many seconds late.
LAST_SEEN_RESOLUTION = 60


class NoStoreForAuthenticatedMiddleware:
    """Tell browsers and proxies not to keep any page a logged-in user was sent.

    A response that chose its own Cache-Control (static files, an attachment) keeps it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # Read after the view: the API's token authentication sets the user inside it.
        user = getattr(request, "user", None)
        if getattr(user, "is_authenticated", False) and not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response


class RefusalMiddleware:
    """The web's answer to a service's `Refusal` that a view let through (the API maps its own
    in `ukcn.api_errors`): forbidden is the 403 page; a conflict or bad input goes back to the
    page the user came from with the sentence shown, or answers 409/400 when there is none."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, Refusal) or request.path.startswith("/api/"):
            return None
        if exception.kind == FORBIDDEN:
            return permission_denied(request, PermissionDenied(exception.message))
        back = request.headers.get("Referer", "")
        if back and url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            refusal_message(request, exception)
            return redirect(back)
        return HttpResponse(
            exception.message, status=exception.http_status, content_type="text/plain"
        )


def session_clocks_start(sender, request, user, **kwargs) -> None:
    """At log-in (the `user_logged_in` signal): the session's lifetime and idle clocks start."""
    session = getattr(request, "session", None)
    if session is not None:
        now = time.time()
        session[SESSION_STARTED] = now
        session[SESSION_LAST_SEEN] = now


def session_end_reason(session, now: float) -> str | None:
    """Why this logged-in session is over (idle too long, or past its lifetime), or None."""
    started = session.get(SESSION_STARTED)
    last_seen = session.get(SESSION_LAST_SEEN)
    if started is not None and now - started > settings.SESSION_COOKIE_AGE:
        hours = settings.SESSION_COOKIE_AGE / 3600
        return f"Your session reached its limit of {hours:g} hours: log in again to carry on."
    if last_seen is not None and now - last_seen > settings.SESSION_IDLE_SECONDS:
        minutes = settings.SESSION_IDLE_SECONDS / 60
        return (
            f"You were logged out after {minutes:g} minutes without activity: "
            "log in again to carry on."
        )
    return None


class SessionTimeoutMiddleware:
    """Log a browser session out after `SESSION_IDLE_SECONDS` unused or `SESSION_COOKIE_AGE`
    in all, whichever comes first; the login page says why.

    Django's own expiry restarts whenever the session is saved, so it alone cannot bound a
    session's whole life. API calls with a token carry no session and are not affected.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        now = time.time()
        if _logged_in_session(request):
            reason = session_end_reason(request.session, now)
            if reason:
                logout(request)
                # The login-required check that follows sends the user to the login page.
                messages.info(request, reason)
        response = self.get_response(request)
        if _logged_in_session(request):
            session = request.session
            session.setdefault(SESSION_STARTED, now)  # a session from before this middleware
            if now - session.get(SESSION_LAST_SEEN, 0) >= min(
                LAST_SEEN_RESOLUTION, settings.SESSION_IDLE_SECONDS / 10
            ):
                session[SESSION_LAST_SEEN] = now
        return response


def _logged_in_session(request) -> bool:
    session = getattr(request, "session", None)
    return session is not None and session.get(SESSION_KEY) is not None


class MfaRequiredMiddleware:
    """Send a user who must use two-factor authentication (ukcn.mfa) to verify a code, or to
    set up an app first, before any other page of this browser session.

    Token calls to the API are not affected: a token is its own credential, issued and
    revoked by the user. A session call to the API gets a JSON 403 instead of a redirect.
    """

    # The pages an unverified user may still reach: to verify or enrol, or to leave.
    OPEN_VIEWS = frozenset(
        {"mfa_verify", "mfa_enrol", "logout", "login", "healthz", "admin:logout"}
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if (
            not user.is_authenticated
            or request.resolver_match.view_name in self.OPEN_VIEWS
            or _token_call(request)
            or user.is_verified()
            or not mfa_required(user)
        ):
            return None
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"error": "Verify your second factor in the browser first, or use an API token."},
                status=403,
            )
        target = "mfa_verify" if mfa_device(user) is not None else "mfa_enrol"
        return redirect_to_login(request.get_full_path(), reverse(target))


def _token_call(request) -> bool:
    scheme = request.headers.get("Authorization", "").split(" ", 1)[0].lower()
    return scheme in {"bearer", "token"}
