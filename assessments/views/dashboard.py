"""The home page."""

from django.shortcuts import render

from ..queues import dashboard_panels
from ..reports.analytics import dashboard_analytics_html


def dashboard(request):
    """The home page: what needs the user's attention, and the portfolio at a glance."""
    return render(
        request,
        "dashboard.html",
        {
            "panels": dashboard_panels(request.user),
            "analytics_html": dashboard_analytics_html(user=request.user),
        },
    )
