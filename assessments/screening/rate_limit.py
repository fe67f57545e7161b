"""One screening rate limit per user, across API tokens, browser sessions and the live check."""

from django.core.cache import caches
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


class ScreeningThrottle(SimpleRateThrottle):
    """Calls per user at the `screening` rate, however they call: a second token or the browser
    session does not start a fresh count."""

    scope = "screening"

    @property
    def cache(self):
        # Shared by the machine's workers: a per-process count would multiply the limit.
        return caches["shared"]

    def get_rate(self):
        # Read at call time, so a changed setting (or a test's override) applies at once.
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]

    def get_ident(self, request):
        # DRF's own reading believes any X-Forwarded-For; ours only a trusted proxy's.
        from ..audit import client_ip

        return client_ip(request) or ""

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": f"user-{request.user.pk}"}


def screening_wait(request) -> int | None:
    """Count one screening call by this Django request's user: None if allowed, or the seconds
    to wait when over the limit."""
    throttle = ScreeningThrottle()
    if throttle.allow_request(request, None):
        return None
    return max(1, int(throttle.wait() or 1))
