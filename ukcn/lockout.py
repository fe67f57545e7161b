"""The page a user sees after too many failed log-ins (django-axes calls it)."""

from django.conf import settings
from django.shortcuts import render


def login_locked_out(request, original_response=None, credentials=None):
    """Say plainly that log-in is locked, for how long, and who can unlock it (HTTP 429)."""
    return render(
        request,
        "registration/locked_out.html",
        {
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "cooloff_minutes": round(settings.AXES_COOLOFF_TIME * 60),
        },
        status=429,
    )
