"""The dashboard's work queues: what needs each user's attention."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from ukcn.models import requester_department
from ukcn.roles import Role, has_role

from .models import Condition, RequestStatus, Tier
from .permissions import visible_requests

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
    return list(queryset.select_related("department")[:PANEL_SIZE])


def dashboard_panels(user) -> list[Panel]:
    """The panels a user's home page shows, in order; empty list for roles with no queue."""
    panels = []
    central = has_role(user, Role.REVIEWER, Role.APPROVER)
    if has_role(user, Role.REVIEWER):
        queue = visible_requests(user).filter(
            status__in=[RequestStatus.SUBMITTED, RequestStatus.UNDER_REVIEW]
        )
        mine = queue.filter(status=RequestStatus.SUBMITTED) | queue.filter(reviewer=user)
        mine = mine.order_by("submitted_at", "id")
        panels.append(
            Panel(
                "my_queue",
                "My queue",
                "Nothing waiting: no submitted requests and none under your review.",
                requests=_requests(mine),
                total=mine.count(),
            )
        )
    if central:
        awaiting = visible_requests(user).filter(status=RequestStatus.RECOMMENDED)
        if not has_role(user, Role.APPROVER):
            awaiting = awaiting.filter(tier__in=[Tier.LOW, Tier.MEDIUM])
        elif not has_role(user, Role.REVIEWER):
            awaiting = awaiting.filter(tier__in=[Tier.HIGH, Tier.VERY_HIGH])
        awaiting = awaiting.order_by("updated_at", "id")
        panels.append(
            Panel(
                "awaiting_decision",
                "Awaiting decision",
                "No recommended requests await a decision you may take.",
                requests=_requests(awaiting),
                total=awaiting.count(),
            )
        )
    if central or has_role(user, Role.REQUESTER):
        today = timezone.localdate()
        overdue = (
            Condition.objects.filter(request__in=visible_requests(user), due_date__lt=today)
            .exclude(status=Condition.Status.MET)
            .filter(decision__superseded=False)
            .select_related("request", "owner")
            .order_by("due_date", "id")
        )
        panels.append(
            Panel(
                "overdue_conditions",
                "Overdue conditions",
                "No conditions are overdue.",
                conditions=list(overdue[:PANEL_SIZE]),
                total=overdue.count(),
            )
        )
    if central:
        due = (
            visible_requests(user)
            .filter(
                status__in=[RequestStatus.APPROVED, RequestStatus.APPROVED_WITH_CONDITIONS],
                next_review_date__lte=timezone.localdate() + REVIEW_DUE_WINDOW,
            )
            .order_by("next_review_date", "id")
        )
        panels.append(
            Panel(
                "reviews_due",
                "Reviews due",
                "No approved partnership is due for review in the next 60 days.",
                requests=_requests(due),
                total=due.count(),
            )
        )
    if has_role(user, Role.REQUESTER) and not user.is_superuser:
        department = requester_department(user)
        mine = visible_requests(user).order_by("-updated_at", "-id")
        panels.insert(
            0,
            Panel(
                "department_requests",
                f"{department or 'My'} requests" if department else "My requests",
                "No requests yet: register one with 'New request'.",
                requests=_requests(mine),
                total=mine.count(),
            ),
        )
    return panels
