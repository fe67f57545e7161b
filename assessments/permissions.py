"""Who may see what: the one place views, the API and exports ask."""

from django.http import Http404

from ukcn.models import department_of
from ukcn.roles import sees_all_departments

from .models import PartnershipRequest


def visible_requests(user):
    """The requests a user may see: all for central office staff, their department's otherwise."""
    requests = PartnershipRequest.objects.all()
    if sees_all_departments(user):
        return requests
    department = department_of(user)
    if department is None:
        return requests.filter(created_by=user)
    return requests.filter(department=department)


def visibility_scope(user) -> str:
    """A key naming the set of requests `visible_requests` gives this user, for caches."""
    if sees_all_departments(user):
        return "all"
    department = department_of(user)
    if department is None:
        return f"user-{user.pk}"
    return f"department-{department.pk}"


def get_request_for_user(user, reference: str) -> PartnershipRequest:
    """The request with this reference if the user may see it; 404 otherwise, never 403."""
    try:
        return visible_requests(user).get(reference=reference)
    except PartnershipRequest.DoesNotExist:
        raise Http404("No such request.") from None
