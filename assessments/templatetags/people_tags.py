"""The people panel on a request's page and the "may not start" panel on the dashboard, shown
only to those who may see people (central office, the department's requesters)."""

from django import template

from assessments.people.access import may_see_people, sees_people_anywhere
from assessments.people.status import (
    MAY_NOT_START,
    request_standings,
    requests_with_people_not_starting,
)
from assessments.permissions import visible_requests

register = template.Library()


@register.inclusion_tag("assessments/people/_request_panel.html", takes_context=True)
def people_panel(context, partnership_request):
    user = context["request"].user
    if not may_see_people(user, partnership_request):
        return {"show": False}
    standings = request_standings(partnership_request)
    return {
        "show": True,
        "object": partnership_request,
        "count": len(standings),
        "not_starting": sum(s.may_not_start for s in standings),
        "missing": sum(s.certificate_missing for s in standings),
        "unknown": sum(s.determination.outcome == "unknown" for s in standings),
        "may_not_start": MAY_NOT_START,
    }


@register.inclusion_tag("assessments/people/_dashboard_panel.html", takes_context=True)
def people_not_starting_panel(context):
    user = context["request"].user
    if not sees_people_anywhere(user):
        return {"rows": []}
    requests = visible_requests(user)
    rows = [
        (request, count)
        for request, count in requests_with_people_not_starting(requests)
        if may_see_people(user, request)
    ]
    return {"rows": rows, "may_not_start": MAY_NOT_START}
