"""Who may see and change the people on a request (personal data: UK GDPR).

People are visible to the central office roles (reviewer, approver, senior officer, auditor)
and to the requesters of the request's own department; never to a head of department, a
guidance editor, the portfolio dashboard or the guidance feed.
"""

from django.http import Http404

from ukcn.roles import CENTRAL_ROLES, Role, has_department_role, has_role

from ..models import RequestStatus
from ..permissions import get_request_for_user
from ..workflow.rules import action_role_refusal

_REQUESTER_EDITS = {RequestStatus.DRAFT}
_REVIEWER_EDITS = {
    RequestStatus.DRAFT,
    RequestStatus.SUBMITTED,
    RequestStatus.UNDER_REVIEW,
    RequestStatus.RECOMMENDED,
    RequestStatus.AWAITING_SIGN_OFF,
    RequestStatus.APPROVED,
    RequestStatus.APPROVED_WITH_CONDITIONS,
}


def may_see_people(user, request) -> bool:
    if not user.is_authenticated:
        return False
    if has_role(user, *CENTRAL_ROLES):
        return True
    return has_department_role(user, request.department_id, Role.REQUESTER)


def sees_people_anywhere(user) -> bool:
    """Whether the user could see people on some request (for lists and exports)."""
    return has_role(user, *CENTRAL_ROLES, Role.REQUESTER)


def is_department_requester(user, request) -> bool:
    return has_department_role(user, request.department_id, Role.REQUESTER)


def people_edit_refusal(user, request) -> str | None:
    """May this user add, correct or remove people on the request now?"""
    role = action_role_refusal(user, "people_edit")
    if role:
        return role
    if has_role(user, Role.REVIEWER):
        if request.status in _REVIEWER_EDITS:
            return None
        return f"The people of a {request.get_status_display().lower()} request can no longer be changed."
    if not is_department_requester(user, request):
        return "Only a requester from the request's department may enter its people."
    if request.status in _REQUESTER_EDITS:
        return None
    return "Once submitted, only a reviewer may correct the people on a request."


def people_edit_refuse(user, request) -> None:
    """Raise the refusal of `people_edit_refusal`: forbidden when the user's roles never allow
    it for this request, conflict when the request's state does not allow it now."""
    from ukcn.refusals import Refusal

    message = people_edit_refusal(user, request)
    if message is None:
        return
    allowed_some_time = has_role(user, Role.REVIEWER) or is_department_requester(user, request)
    raise Refusal(message, kind="conflict" if allowed_some_time else "forbidden")


def evidence_refusal(user, request) -> str | None:
    """Certificates and declarations: the department's requesters and reviewers, while the
    request is not closed."""
    if not (has_role(user, Role.REVIEWER) or is_department_requester(user, request)):
        return "Only the request's department requesters and reviewers record this."
    if request.status in {RequestStatus.DECLINED, RequestStatus.WITHDRAWN}:
        return "The request is closed."
    return None


def get_request_with_people(user, reference: str):
    """The request if the user may see it and its people; 404 otherwise (never 403)."""
    request = get_request_for_user(user, reference)
    if not may_see_people(user, request):
        raise Http404("No such page.")
    return request
