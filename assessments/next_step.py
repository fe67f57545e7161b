"""The request page's "Next step" panel: who must act now, what they do, and what is missing.

It reads the gate list (`gates.request_gates`) for what stands between a request and its next
gated step, so the panel and the workflow's refusals never disagree.
"""

from dataclasses import dataclass

from django.utils.formats import date_format

from ukcn.roles import Role

from .gates import Gate, gates_summary
from .labels import person_name
from .models import Condition, PartnershipRequest, RequestStatus
from .workflow.rules import decider_role, next_sign_off


@dataclass(frozen=True)
class NextStep:
    """One sentence each: who acts, what they do, what still stops them (may be empty)."""

    who: str
    what: str
    missing: str = ""
    yours: bool = False
    closed: bool = False


def _role_phrase(role: str) -> str:
    label = Role(role).label if role in Role.values else role
    return f"{'An' if label[0].lower() in 'aeiou' else 'A'} {label.lower()}"


def request_next_step(
    request: PartnershipRequest, *, user, actions, gates: list[Gate], pending_decision=None
) -> NextStep:
    """What happens next on `request`, told to `user` (whose `actions` say what they may do)."""
    status = request.status
    missing = gates_summary(gates)
    if status == RequestStatus.DRAFT:
        return NextStep(
            who=f"The requester ({person_name(request.created_by)})",
            what="Finish the draft and submit it for review.",
            yours="submit" in actions,
        )
    if status == RequestStatus.SUBMITTED:
        return NextStep(
            who="A reviewer in the central office",
            what="Take the request into review.",
            yours="take_into_review" in actions,
        )
    if status == RequestStatus.UNDER_REVIEW:
        return NextStep(
            who=f"The reviewer ({person_name(request.reviewer)})"
            if request.reviewer
            else "A reviewer",
            what="Finish the checks below, then recommend an outcome.",
            missing=missing,
            yours="recommend" in actions,
        )
    if status == RequestStatus.RECOMMENDED:
        return NextStep(
            who=_role_phrase(decider_role(request)) + " who did not recommend it",
            what="Decide: approve, approve with conditions or decline.",
            missing=missing,
            yours="decide" in actions,
        )
    if status == RequestStatus.AWAITING_SIGN_OFF:
        step = next_sign_off(pending_decision)
        return NextStep(
            who=_role_phrase(step.role) if step else "The next signer",
            what="Sign off the decision, or refuse with a reason.",
            missing=missing,
            yours="sign_off" in actions,
        )
    if status == RequestStatus.APPROVED_WITH_CONDITIONS:
        return _conditions_step(request, user)
    if status == RequestStatus.APPROVED:
        when = request.next_review_date
        return NextStep(
            who="The central office",
            what=f"Review the partnership by {date_format(when, 'j F Y')}."
            if when
            else "Nothing until the partnership's review.",
        )
    reopen = " A reviewer can reopen it if something changes." if status == "declined" else ""
    return NextStep(
        who="Nobody",
        what=f"The request is {request.get_status_display().lower()}: nothing is waiting.{reopen}",
        closed=True,
    )


def _conditions_step(request: PartnershipRequest, user) -> NextStep:
    open_conditions = list(
        request.conditions.filter(decision__superseded=False)
        .exclude(status=Condition.Status.MET)
        .select_related("owner")
        .order_by("due_date", "id")
    )
    if not open_conditions:
        return NextStep(who="The central office", what="Every condition is met.")
    owners = sorted({person_name(c.owner) for c in open_conditions if c.owner} or {"A reviewer"})
    first = open_conditions[0]
    count = len(open_conditions)
    return NextStep(
        who=", ".join(owners),
        what=f"Meet {count} open condition{'s' if count != 1 else ''} "
        f"(the first due {date_format(first.due_date, 'j F Y')}) and mark each met.",
        missing=f"{count} condition{'s' if count != 1 else ''} not yet met",
        yours=any(c.owner_id == user.pk for c in open_conditions),
    )
