"""Take the demo portfolio's requests through the real workflow, then back-date them.

Every step is the workflow's own function, so each decided request rests on finished checks
(screened, matches resolved with reasons, checklist answered, a current assessment), was decided
by someone its route allows and carries the sign-offs its route requires. Only afterwards are
the dates moved back to the plan's (the audit trail keeps the real times of loading).
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from .. import workflow
from ..demo_requests import demo_decider, demo_finish_checks, demo_give_sign_offs
from ..models import (
    Assessment,
    Condition,
    Decision,
    Notification,
    PartnershipRequest,
    Recommendation,
    RequestStatus,
    SignOff,
    Tier,
)

S = RequestStatus
OPEN = (S.SUBMITTED, S.UNDER_REVIEW, S.RECOMMENDED)
RECOMMENDATIONS = {
    S.APPROVED: Recommendation.Outcome.APPROVE,
    S.APPROVED_WITH_CONDITIONS: Recommendation.Outcome.APPROVE_WITH_CONDITIONS,
    S.DECLINED: Recommendation.Outcome.DECLINE,
}


@dataclass(frozen=True)
class Target:
    """Where the plan wants a request to end, and when each step happened."""

    status: str
    tier: str
    reviewer: str
    submitted_at: datetime | None
    decided_at: datetime | None
    next_review_date: date | None


def target_take(request: PartnershipRequest) -> Target:
    """Read the planned outcome off an unsaved request and leave it a plain draft."""
    target = Target(
        status=request.status,
        tier=request.tier,
        reviewer=request.reviewer.username if request.reviewer_id else "",
        submitted_at=request.submitted_at,
        decided_at=request.decided_at,
        next_review_date=request.next_review_date,
    )
    request.status = S.DRAFT
    request.tier = ""
    request.reviewer = None
    request.submitted_at = None
    request.decided_at = None
    request.next_review_date = None
    return target


def _reviewer(request: PartnershipRequest, target: Target, users: dict):
    """The planned reviewer, unless they registered the request (segregation of duties)."""
    reviewer = users[target.reviewer or "reviewer"]
    if reviewer.pk == request.created_by_id:
        reviewer = users["reviewer2" if reviewer.username == "reviewer" else "reviewer"]
    return reviewer


def _recommendation(target: Target) -> str:
    if target.status in RECOMMENDATIONS:
        return RECOMMENDATIONS[target.status]
    return Recommendation.Outcome.DECLINE if target.tier == Tier.VERY_HIGH else "approve"


def _decide(request, target: Target, users: dict, reviewer, rng: random.Random) -> None:
    # A low or medium tier request goes to the other reviewer where segregation allows.
    other = users["reviewer2" if reviewer.username == "reviewer" else "reviewer"]
    decider = demo_decider(request, users, other if other.pk != request.created_by_id else reviewer)
    conditions = []
    if target.status == S.APPROVED_WITH_CONDITIONS:
        from .data import CONDITION_TEXTS

        due = timezone.localdate() + timedelta(days=30)
        conditions = [
            workflow.ConditionInput(text=text, owner=reviewer, due_date=due)
            for text in rng.sample(CONDITION_TEXTS, rng.randint(1, 2))
        ]
    workflow.request_decide(
        actor=decider,
        request=request,
        outcome=target.status,
        reasoning="Decided on the reviewer's recommendation.",
        conditions=conditions,
    )
    demo_give_sign_offs(request, users)


def portfolio_walk(request: PartnershipRequest, target: Target, users: dict, rng) -> None:
    """Move one request along the workflow as far as its plan says."""
    if target.status == S.DRAFT:
        return
    author = request.created_by
    workflow.request_submit(actor=author, request=request)
    if target.status == S.SUBMITTED:
        return
    reviewer = _reviewer(request, target, users)
    workflow.request_take_into_review(actor=reviewer, request=request)
    demo_finish_checks(request, reviewer, tier=target.tier)
    if target.status == S.WITHDRAWN:
        workflow.request_withdraw(
            actor=author, request=request, reason="The collaboration did not go ahead."
        )
        return
    if target.status == S.UNDER_REVIEW:
        return
    workflow.request_recommend(
        actor=reviewer,
        request=request,
        outcome=_recommendation(target),
        reasoning="Checks complete; see the assessment.",
    )
    if target.status == S.RECOMMENDED:
        return
    _decide(request, target, users, reviewer, rng)


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour=hour)))


def portfolio_back_date(request: PartnershipRequest, target: Target, rng) -> None:
    """Put the plan's dates on what the walk wrote today (no audit event: the trail keeps
    the real times of loading)."""
    if target.submitted_at is None:
        return
    PartnershipRequest.objects.filter(pk=request.pk).update(submitted_at=target.submitted_at)
    if target.decided_at is None or target.status not in RECOMMENDATIONS:
        return
    decided = target.decided_at
    recommended = decided - timedelta(days=rng.randint(2, 14))
    assessed = recommended - timedelta(days=1)
    PartnershipRequest.objects.filter(pk=request.pk).update(
        decided_at=decided, next_review_date=target.next_review_date
    )
    Assessment.objects.filter(request=request).update(created_at=assessed)
    Recommendation.objects.filter(request=request).update(created_at=recommended)
    decision = Decision.objects.get(request=request, superseded=False)
    signed = decision.sign_offs.exists()
    Decision.objects.filter(pk=decision.pk).update(
        created_at=decided - timedelta(days=2) if signed else decided,
        review_on=target.next_review_date,
    )
    SignOff.objects.filter(decision=decision).update(signed_at=decided)
    today = timezone.localdate()
    for condition in Condition.objects.filter(decision=decision):
        due = decided.date() + timedelta(days=rng.randint(60, 400))
        status, met_at = Condition.Status.OPEN, None
        if due < today:
            # Met on time, except now and then one that fell due in the last few weeks.
            late = (today - due).days <= 45 and rng.random() < 0.5
            status = Condition.Status.OVERDUE if late else Condition.Status.MET
            met_at = _at(due, rng.randint(8, 17)) if status == Condition.Status.MET else None
        Condition.objects.filter(pk=condition.pk).update(due_date=due, status=status, met_at=met_at)


def portfolio_forget_notifications(since_id: int) -> None:
    """The walk notified people of events years old: those are not news, so drop them."""
    Notification.objects.filter(pk__gt=since_id).delete()
