"""One function per event: who hears about it, and what each recipient may be told."""

import hashlib
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.urls import NoReverseMatch
from django.utils.formats import date_format

from ukcn.roles import Role

from ..models import (
    Condition,
    Decision,
    NotificationKind,
    PartnershipRequest,
    Recommendation,
    Tier,
)
from ..permissions import request_visible_to
from .delivery import Message, Recipient, notification_send, notification_send_many

HIGH_TIERS = frozenset({Tier.HIGH, Tier.VERY_HIGH})


def _users_with_role(role: str, department_id: int | None = None) -> list:
    """Active users holding the role (for the department, when given), from their assignments."""
    User = get_user_model()
    users = User.objects.filter(role_assignments__role=role, is_active=True)
    if department_id is not None:
        users = users.filter(role_assignments__department_id=department_id)
    users = list(users.order_by("pk").distinct().prefetch_related("role_assignments"))
    for user in users:
        # Prime ukcn.roles' per-user cache: asking each recipient's roles costs no query.
        user._ukcn_assignments = tuple(
            (assignment.role, assignment.department_id)
            for assignment in user.role_assignments.all()
        )
    return users


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


def _day(value) -> str:
    return date_format(value, "j F Y")


def _link(request: PartnershipRequest) -> str:
    try:
        return request.get_absolute_url()
    except NoReverseMatch:
        return ""


def _may_see(user, request: PartnershipRequest) -> bool:
    # What visible_requests() answers, without a query per person once their roles are cached.
    return request_visible_to(user, request)


def _reviewers_of(request: PartnershipRequest) -> list:
    """The assigned reviewer, or the whole reviewers' queue while nobody has taken it."""
    return [request.reviewer] if request.reviewer_id else _users_with_role(Role.REVIEWER)


def _visible_only(
    request: PartnershipRequest, write: Callable[[Recipient], Message]
) -> Callable[[Recipient], Message | None]:
    """Compose for users who may see the request; everyone else gets nothing about it."""

    def compose(recipient: Recipient) -> Message | None:
        if recipient.user is not None and not _may_see(recipient.user, request):
            return None
        return write(recipient)

    return compose


def _users(users) -> list[Recipient]:
    return [Recipient(user=user) for user in users if user is not None]


def notify_request_submitted(*, request: PartnershipRequest) -> list:
    """Tell the reviewers' queue (or the reviewer already assigned) that a request awaits review."""
    submitted = request.submitted_at.isoformat() if request.submitted_at else f"v{request.version}"

    def write(recipient):
        return Message(
            title=f"{request.reference} submitted for review: {request.title}",
            body=(
                f"{_name(request.created_by)} ({request.department}) submitted "
                f"{request.reference} “{request.title}” for review.\n"
                f"Lead academic: {request.lead_academic}.\n"
                f"Collaboration: {request.get_collaboration_type_display()}."
            ),
            link=_link(request),
        )

    return notification_send(
        kind=NotificationKind.REQUEST_SUBMITTED,
        event_key=f"request:{request.pk}:submitted:{submitted}",
        recipients=_users(_reviewers_of(request)),
        compose=_visible_only(request, write),
    )


def notify_request_taken_into_review(*, request: PartnershipRequest, reviewer) -> list:
    """Tell the requester who is now reviewing their request."""
    submitted = request.submitted_at.isoformat() if request.submitted_at else f"v{request.version}"

    def write(recipient):
        return Message(
            title=f"{request.reference} is under review",
            body=(
                f"{_name(reviewer)} of the central office has taken your request "
                f"{request.reference} “{request.title}” into review and may contact you "
                "with questions."
            ),
            link=_link(request),
        )

    return notification_send(
        kind=NotificationKind.REQUEST_TAKEN_INTO_REVIEW,
        event_key=f"request:{request.pk}:review:{reviewer.pk}:{submitted}",
        recipients=_users([request.created_by]),
        compose=_visible_only(request, write),
    )


def notify_request_recommended(
    *, request: PartnershipRequest, recommendation: Recommendation
) -> list:
    """Tell those who may decide: the role the tier's route names (approvers for a request
    that has been high or very high since submission, or has no tier), reviewers otherwise.

    The person who recommended is left out: they may not approve their own recommendation.
    """
    from ..workflow.rules import decider_role

    deciders = (
        _users_with_role(Role.APPROVER)
        if not request.tier or decider_role(request) == Role.APPROVER
        else _users_with_role(Role.REVIEWER)
    )
    deciders = [user for user in deciders if user.pk != recommendation.recommended_by_id]
    tier = request.get_tier_display() or "not yet scored"

    def write(recipient):
        return Message(
            title=f"{request.reference} awaits your decision",
            body=(
                f"{_name(recommendation.recommended_by)} recommends: "
                f"{recommendation.get_outcome_display()}.\n"
                f"Request: {request.reference} “{request.title}” ({request.department}).\n"
                f"Tier: {tier}.\n\nReasoning:\n{recommendation.reasoning}"
            ),
            link=_link(request),
        )

    return notification_send(
        kind=NotificationKind.REQUEST_RECOMMENDED,
        event_key=f"recommendation:{recommendation.pk}",
        recipients=_users(deciders),
        compose=_visible_only(request, write),
    )


def _lead_academic(request: PartnershipRequest) -> Recipient | None:
    """The lead academic's account when their address has exactly one, else the bare address."""
    address = request.lead_academic_email.strip()
    if not address:
        return None
    accounts = list(get_user_model().objects.filter(email__iexact=address, is_active=True)[:2])
    if len(accounts) == 1:
        return Recipient(user=accounts[0])
    return Recipient(email=address)


def notify_request_decided(*, request: PartnershipRequest, decision: Decision) -> list:
    """Tell the requester, the lead academic and the reviewer (unless they decided) the outcome."""
    recipients = _users([request.created_by])
    lead = _lead_academic(request)
    if lead is not None:
        recipients.append(lead)
    if request.reviewer_id and request.reviewer_id != decision.decided_by_id:
        recipients.append(Recipient(user=request.reviewer))
    conditions = list(decision.conditions.select_related("owner"))

    def write(recipient):
        lines = [
            f"{request.reference} “{request.title}” has been decided: "
            f"{decision.get_outcome_display()}.",
            f"Decided by {_name(decision.decided_by)} on {_day(decision.created_at)}.",
            "",
            f"Reasoning:\n{decision.reasoning}",
        ]
        if conditions:
            lines += ["", "Conditions:"]
            lines += [
                f"- {c.text} (due {_day(c.due_date)}"
                + (f", owner {_name(c.owner)})" if c.owner else ")")
                for c in conditions
            ]
        if request.next_review_date:
            lines += ["", f"Next review: {_day(request.next_review_date)}."]
        return Message(
            title=f"{request.reference} decided: {decision.get_outcome_display()}",
            body="\n".join(lines),
            link=_link(request),
        )

    return notification_send(
        kind=NotificationKind.REQUEST_DECIDED,
        event_key=f"decision:{decision.pk}",
        recipients=recipients,
        compose=_visible_only(request, write),
    )


def _sign_off_holders(request: PartnershipRequest, decision: Decision) -> list:
    """Everyone who may give the decision's next sign-off."""
    from ukcn.roles import DEPARTMENTAL_ROLES

    from ..workflow.rules import next_sign_off, sign_off_fallback_applies

    step = next_sign_off(decision)
    if step is None:
        return []
    role = step.role
    if sign_off_fallback_applies(request, decision, step):
        role = step.fallback_role
    department = request.department_id if role in DEPARTMENTAL_ROLES else None
    excluded = {decision.decided_by_id, request.created_by_id, request.submitted_by_id}
    return [u for u in _users_with_role(role, department) if u.pk not in excluded]


def notify_sign_off_needed(*, request: PartnershipRequest, decision: Decision) -> list:
    """Tell those who may give the next sign-off that a decision waits for them."""

    def write(recipient):
        return Message(
            title=f"{request.reference} awaits your sign-off",
            body=(
                f"{_name(decision.decided_by)} decided {request.reference} “{request.title}”: "
                f"{decision.outcome_phrase}.\n"
                f"Tier: {decision.get_tier_display()}. The decision holds once it is signed off."
            ),
            link=_link(request),
        )

    pending = decision.sign_offs.filter(status="pending").count()
    return notification_send(
        kind=NotificationKind.SIGN_OFF_NEEDED,
        event_key=f"decision:{decision.pk}:sign-off:{pending}",
        recipients=_users(_sign_off_holders(request, decision)),
        compose=_visible_only(request, write),
    )


def notify_sign_off_refused(
    *, request: PartnershipRequest, decision: Decision, reason: str
) -> list:
    """Tell the decider that a sign-off was refused and the request is back with them."""

    def write(recipient):
        return Message(
            title=f"{request.reference}: sign-off refused",
            body=(
                f"The sign-off of your decision on {request.reference} “{request.title}” was "
                f"refused: {reason}\nThe request is recommended again and awaits a decision."
            ),
            link=_link(request),
        )

    return notification_send(
        kind=NotificationKind.SIGN_OFF_REFUSED,
        event_key=f"decision:{decision.pk}:refused",
        recipients=_users([decision.decided_by]),
        compose=_visible_only(request, write),
    )


def _condition_message(condition: Condition, recipient: Recipient, *, overdue: bool) -> Message:
    request = condition.request
    state = "was due" if overdue else "is due"
    if recipient.user is not None and not _may_see(recipient.user, request):
        # They own the condition but may not see the request: the condition alone, nothing more.
        return Message(
            title=f"A condition you own {state} on {_day(condition.due_date)}",
            body=f"Condition: {condition.text}\nDue: {_day(condition.due_date)}.",
        )
    return Message(
        title=(
            f"Condition {'overdue' if overdue else 'due ' + _day(condition.due_date)}: "
            f"{request.reference}"
        ),
        body=(
            f"A condition on {request.reference} “{request.title}” {state} on "
            f"{_day(condition.due_date)}.\n\nCondition: {condition.text}\n"
            f"Owner: {_name(condition.owner) if condition.owner else 'nobody named'}."
        ),
        link=_link(request),
    )


def _condition_recipients(condition: Condition) -> list[Recipient]:
    return _users([condition.owner, condition.request.reviewer])


def _condition_event(condition: Condition, *, overdue: bool):
    """(event key, recipients, compose) of one condition's reminder or overdue notice."""
    what = "overdue" if overdue else "due-soon"
    return (
        f"condition:{condition.pk}:{what}:{condition.due_date.isoformat()}",
        _condition_recipients(condition),
        lambda recipient: _condition_message(condition, recipient, overdue=overdue),
    )


def notify_condition_due_soon(*, condition: Condition) -> list:
    """Remind the condition's owner and the request's reviewer that it falls due soon."""
    return notify_conditions_due_soon(conditions=[condition])


def notify_condition_overdue(*, condition: Condition) -> list:
    """Tell the condition's owner and the request's reviewer that it is overdue."""
    return notify_conditions_overdue(conditions=[condition])


def notify_conditions_due_soon(*, conditions) -> list:
    """`notify_condition_due_soon` for many conditions at once, in a fixed number of queries
    (load them with select_related("request", "request__reviewer", "owner"))."""
    return notification_send_many(
        kind=NotificationKind.CONDITION_DUE_SOON,
        events=[_condition_event(condition, overdue=False) for condition in conditions],
    )


def notify_conditions_overdue(*, conditions) -> list:
    """`notify_condition_overdue` for many conditions at once, in a fixed number of queries."""
    return notification_send_many(
        kind=NotificationKind.CONDITION_OVERDUE,
        events=[_condition_event(condition, overdue=True) for condition in conditions],
    )


def notify_review_date_reached(*, request: PartnershipRequest) -> list:
    """Tell the reviewer (or the queue) and the requester that a partnership is due for review."""
    partners = ", ".join(
        p.organisation.name for p in request.partners.select_related("organisation")
    )

    def write(recipient):
        return Message(
            title=f"{request.reference} is due for review",
            body=(
                f"The partnership {request.reference} “{request.title}”"
                + (f" with {partners}" if partners else "")
                + f" reached its review date on {_day(request.next_review_date)}."
            ),
            link=_link(request),
        )

    return notification_send(
        kind=NotificationKind.REVIEW_DATE_REACHED,
        event_key=f"request:{request.pk}:review-date:{request.next_review_date.isoformat()}",
        recipients=_users([*_reviewers_of(request), request.created_by]),
        compose=_visible_only(request, write),
    )


def notify_rescreening_alert(*, request: PartnershipRequest, summary: str, key: str = "") -> list:
    """Tell the central office that re-screening found a new or changed potential match.

    Screening results stay with the central office: requesters are never told. `key` names the
    finding (e.g. the match's id and the watchlist version); by default the summary's hash.
    """
    finding = key or hashlib.sha256(summary.encode()).hexdigest()[:32]

    def write(recipient):
        return Message(
            title=f"Re-screening alert on {request.reference}",
            body=(
                f"Re-screening {request.reference} “{request.title}” "
                f"({request.get_status_display().lower()}) found:\n{summary}"
            ),
            link=_link(request),
        )

    return notification_send(
        kind=NotificationKind.RESCREENING_ALERT,
        event_key=f"request:{request.pk}:rescreen:{finding}",
        recipients=_users(_reviewers_of(request)),
        compose=_visible_only(request, write),
    )


def notify_guidance_review_due(*, owner, title: str, link: str, key: str) -> list:
    """Tell a guidance item's owner that it is past its review-by date; `key` names item and date."""
    return notification_send(
        kind=NotificationKind.GUIDANCE_REVIEW_DUE,
        event_key=f"guidance:{key}",
        recipients=_users([owner]),
        compose=lambda recipient: Message(
            title=f"Guidance past its review date: {title}",
            body=(
                f"“{title}” has passed its review-by date. Check it is still right, then "
                "mark it reviewed or update it."
            ),
            link=link,
        ),
    )
