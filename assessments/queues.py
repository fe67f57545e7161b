"""The dashboard's work queues: what needs each user's attention."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from ukcn.models import requester_department
from ukcn.roles import CENTRAL_ROLES, Role, has_role, role_departments, user_roles

from .models import Condition, Decision, Declaration, Person, RequestStatus, SignOff
from .models.requests import partnerships_in_force_q
from .permissions import visible_requests
from .screening.service import requests_under_rereview, with_rereview_flag
from .workflow.rules import (
    approver_decides_q,
    next_sign_off,
    requests_awaiting_decision,
    sign_off_fallback_applies,
)

PANEL_SIZE = 10
REVIEW_DUE_WINDOW = timedelta(days=60)


@dataclass
class Panel:
    key: str
    title: str
    empty: str
    requests: list = field(default_factory=list)
    conditions: list = field(default_factory=list)
    total: int = 0


def _requests(queryset):
    return list(with_rereview_flag(queryset.select_related("department"))[:PANEL_SIZE])


def _awaiting_sign_off(user):
    """Requests whose decision awaits a sign-off one of the user's roles may give, or give in
    place of a role whose holders may not sign it (none assigned, or all took part)."""
    held = user_roles(user) - {Role.REQUESTER, Role.HEAD_OF_DEPARTMENT}
    if user.is_superuser:
        held = set(CENTRAL_ROLES)
    pending = SignOff.objects.filter(
        status=SignOff.Status.PENDING,
        decision__state=Decision.State.PENDING_SIGN_OFF,
        decision__superseded=False,
    )
    direct = pending.filter(
        Q(role__in=held)
        | Q(
            role=Role.HEAD_OF_DEPARTMENT,
            request__department_id__in=role_departments(user, Role.HEAD_OF_DEPARTMENT),
        )
    )
    request_ids = set(direct.values_list("request_id", flat=True))
    # In place of another role: only where that role's holders may not sign (checked per step;
    # these are few, one per department without a head able to sign).
    for step in (
        pending.filter(fallback_role__in=held)
        .exclude(request_id__in=request_ids)
        .select_related("decision", "request")
    ):
        if step == next_sign_off(step.decision) and sign_off_fallback_applies(
            step.request, step.decision, step
        ):
            request_ids.add(step.request_id)
    return (
        visible_requests(user)
        .filter(status=RequestStatus.AWAITING_SIGN_OFF, pk__in=request_ids)
        .order_by("updated_at", "id")
    )


def _queues(user) -> list[tuple]:
    """(key, title, empty text, queryset[, total]) for each queue the user has, in reading
    order; a queryset of requests, or of conditions for the condition queues. A total given
    here was counted already."""
    queues = []
    central = has_role(user, Role.REVIEWER, Role.APPROVER)
    if has_role(user, Role.REQUESTER) and not user.is_superuser:
        department = requester_department(user)
        queues.append(
            (
                "department_requests",
                f"{department or 'My'} requests" if department else "My requests",
                "No requests yet: register one with 'New request'.",
                visible_requests(user).order_by("-updated_at", "-id"),
            )
        )
    if has_role(user, Role.REQUESTER) and not user.is_superuser:
        # A reviewer asked this department to collect people's declarations: the requests
        # where someone's are still to be entered since they were asked for.
        queues.append(
            (
                "declarations_to_collect",
                "Declarations to collect",
                "No reviewer is waiting for declarations from you.",
                visible_requests(user)
                .filter(pk__in=_people_awaiting_declarations().values("request_id"))
                .order_by("updated_at", "id"),
            )
        )
    if has_role(user, Role.REVIEWER):
        queue = visible_requests(user).filter(
            status__in=[RequestStatus.SUBMITTED, RequestStatus.UNDER_REVIEW]
        )
        mine = queue.filter(status=RequestStatus.SUBMITTED) | queue.filter(reviewer=user)
        queues.append(
            (
                "my_queue",
                "My queue",
                "Nothing waiting: no submitted requests and none under your review.",
                mine.order_by("submitted_at", "id"),
            )
        )
    if central:
        awaiting = requests_awaiting_decision(user, visible_requests(user))
        if not has_role(user, Role.REVIEWER):
            # An approver who is no reviewer sees only what needs an approver.
            awaiting = awaiting.filter(approver_decides_q())
        queues.append(
            (
                "awaiting_decision",
                "Awaiting decision",
                "No recommended requests await a decision you may take.",
                awaiting.order_by("updated_at", "id"),
            )
        )
    if has_role(user, Role.HEAD_OF_DEPARTMENT, Role.SENIOR_OFFICER, Role.APPROVER):
        queues.append(
            (
                "awaiting_sign_off",
                "Awaiting sign-off",
                "No decision awaits a sign-off your roles may give.",
                _awaiting_sign_off(user),
            )
        )
    # Whoever owns a condition is waited on, whatever their role. One query counts the user's
    # open conditions and the overdue ones (shown below for requesters and central staff).
    today = timezone.localdate()
    counts = _open_conditions(user).aggregate(
        mine=Count("pk", filter=Q(owner=user)), overdue=Count("pk", filter=Q(due_date__lt=today))
    )
    if counts["mine"]:
        queues.append(
            (
                "my_conditions",
                "My conditions",
                "No open conditions are yours.",
                _open_conditions(user).filter(owner=user),
                counts["mine"],
            )
        )
    if has_role(user, *CENTRAL_ROLES):
        queues.append(
            (
                "under_rereview",
                "Decisions under re-review",
                "No recommended or decided request has a new potential screening match.",
                requests_under_rereview(visible_requests(user)).order_by("updated_at", "id"),
            )
        )
    if central or has_role(user, Role.REQUESTER):
        queues.append(
            (
                "overdue_conditions",
                "Overdue conditions",
                "No conditions are overdue.",
                _open_conditions(user).filter(due_date__lt=today),
                counts["overdue"],
            )
        )
    if central:
        today = timezone.localdate()
        due = visible_requests(user).filter(
            partnerships_in_force_q(today), next_review_date__lte=today + REVIEW_DUE_WINDOW
        )
        queues.append(
            (
                "reviews_due",
                "Reviews due",
                "No approved partnership is due for review in the next 60 days.",
                due.order_by("next_review_date", "id"),
            )
        )
    return queues


def _people_awaiting_declarations():
    """People whose declarations a reviewer asked for and nobody has entered since."""
    answered = Declaration.objects.filter(
        person=OuterRef("pk"), entered_at__gte=OuterRef("declarations_requested_at")
    )
    return Person.objects.filter(declarations_requested_at__isnull=False, erased_at=None).exclude(
        Exists(answered)
    )


def _open_conditions(user):
    return (
        Condition.objects.filter(request__in=visible_requests(user))
        .exclude(status=Condition.Status.MET)
        .filter(decision__superseded=False)
        .select_related("request", "owner")
        .order_by("due_date", "id")
    )


def dashboard_panels(user) -> list[Panel]:
    """The panels a user's home page shows, in order; empty list for roles with no queue."""
    panels = []
    for key, title, empty, queryset, *total in _queues(user):
        panel = Panel(key, title, empty, total=total[0] if total else queryset.count())
        if queryset.model is Condition:
            panel.conditions = list(queryset[:PANEL_SIZE])
        else:
            panel.requests = _requests(queryset)
        panels.append(panel)
    return panels


def queue_title(user, key: str) -> str | None:
    return next((queue[1] for queue in _queues(user) if queue[0] == key), None)


def queue_requests(user, key: str):
    """The requests of one of the user's queues (for a condition queue, the requests the
    conditions belong to); None when the user has no such queue."""
    for k, _title, _empty, queryset, *_total in _queues(user):
        if k != key:
            continue
        if queryset.model is Condition:
            return visible_requests(user).filter(pk__in=queryset.values("request_id"))
        return visible_requests(user).filter(pk__in=queryset.values("pk"))
    return None
