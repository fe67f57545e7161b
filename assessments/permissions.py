"""Who may see what: the one place views, the API and exports ask."""

from django.http import Http404

from ukcn.roles import sees_all_departments, visible_department_ids

from .models import Organisation, Partner, PartnershipRequest


def visible_requests(user):
    """The requests a user may see: all for central office staff; otherwise those of the
    departments they hold the requester or head-of-department role for (none without one)."""
    requests = PartnershipRequest.objects.all()
    if sees_all_departments(user):
        return requests
    departments = visible_department_ids(user)
    if not departments:
        return requests.none()
    return requests.filter(department_id__in=departments)


def request_visible_to(user, request) -> bool:
    """What `visible_requests(user)` answers for one request, without a query once the user's
    roles are cached (notifications ask it for every recipient of every event)."""
    if sees_all_departments(user):
        return True
    return request.department_id in visible_department_ids(user)


def visible_organisations(user):
    """The organisations a user may see: all for central office staff; otherwise those that are
    partners in a request the user may see."""
    organisations = Organisation.objects.all()
    if sees_all_departments(user):
        return organisations
    partner_orgs = Partner.objects.filter(request__in=visible_requests(user)).values(
        "organisation_id"
    )
    return organisations.filter(pk__in=partner_orgs)


def visibility_scope(user) -> str:
    """A key naming the set of requests `visible_requests` gives this user, for caches."""
    if sees_all_departments(user):
        return "all"
    departments = sorted(visible_department_ids(user))
    if not departments:
        return "none"
    return "departments-" + "-".join(map(str, departments))


def get_request_for_user(user, reference: str) -> PartnershipRequest:
    """The request with this reference if the user may see it; 404 otherwise, never 403."""
    try:
        return visible_requests(user).get(reference=reference)
    except PartnershipRequest.DoesNotExist:
        raise Http404("No such request.") from None
