"""Template helpers for the screening panel and the dashboard's screening alerts."""

from django import template

from assessments.models import AuditEvent, RiskLevel, ScreeningAlert, ScreeningMatch
from assessments.models.screening import PEOPLE_SUBJECTS
from assessments.permissions import visible_requests
from assessments.screening import service

register = template.Library()


@register.simple_tag
def open_screening_alerts(partnership_request):
    """Alerts on one request that no decision has cleared yet."""
    return list(
        partnership_request.screening_alerts.filter(cleared_at__isnull=True).select_related("match")
    )


@register.simple_tag
def alerted_match_ids(alerts) -> set[int]:
    """The matches these alerts are about: a reviewer may decide them again."""
    return {alert.match_id for alert in alerts}


@register.simple_tag
def other_subject_matches(partnership_request):
    """Matches about subjects that belong to no partner (funders...), by subject. People's
    matches are personal data: they show on the request's people pages only."""
    return list(
        ScreeningMatch.objects.filter(request=partnership_request, partner__isnull=True)
        .exclude(subject_kind__in=PEOPLE_SUBJECTS)
        .select_related("watchlist", "entry__version", "reviewer", "organisation")
        .order_by("subject_key", "-score", "id")
    )


@register.simple_tag
def screening_alerts_for(user, limit: int = 20):
    """Uncleared alerts on the requests this user may see, newest first."""
    return list(
        ScreeningAlert.objects.filter(
            cleared_at__isnull=True, request__in=visible_requests(user)
        ).select_related("request")[:limit]
    )


@register.simple_tag
def partner_check_preview(partner) -> list[dict]:
    """The live check's result for a partner not screened yet (see the service's docstring)."""
    return service.partner_check_preview(partner)


@register.simple_tag
def last_screened(partnership_request):
    """When the request's partners were last screened, or None."""
    event = (
        AuditEvent.objects.filter(request=partnership_request, action="screening.run")
        .order_by("-id")
        .only("at")
        .first()
    )
    return event.at if event else None


@register.filter
def risk_label(value: str) -> str:
    """'very_high' -> 'Very high', as the watchlist models name the levels."""
    try:
        return RiskLevel(value).label
    except ValueError:
        return value
