"""Outcomes written straight to the tables, for benchmarks that need thousands of requests.

Walking ten thousand requests through the workflow would take the better part of an hour, so
a benchmark may ask for the planned outcomes written in bulk instead. Those decisions did not
pass the decision gates and say so (`gates_enforced` is off: "decided before decision gates
were enforced"); the demo itself never uses this.
"""

import random
from datetime import timedelta

from django.utils import timezone

from assessments.models import (
    Condition,
    Decision,
    PartnershipRequest,
    Recommendation,
    RequestStatus,
    Tier,
)

from .data import CONDITION_TEXTS

BATCH = 1000


def bulk_outcomes_write(decided: list[PartnershipRequest], users: dict, rng: random.Random) -> None:
    """Recommendations, decisions and conditions for the requests planned as decided."""
    from . import _at

    recommendations, decisions, conditions = [], [], []
    for request in decided:
        if request.status == RequestStatus.WITHDRAWN:
            continue
        outcome = {
            RequestStatus.APPROVED: Recommendation.Outcome.APPROVE,
            RequestStatus.APPROVED_WITH_CONDITIONS: Recommendation.Outcome.APPROVE_WITH_CONDITIONS,
            RequestStatus.DECLINED: Recommendation.Outcome.DECLINE,
        }[request.status]
        recommender = request.reviewer
        committee = request.tier in (Tier.HIGH, Tier.VERY_HIGH)
        decider = (
            users["approver"]
            if committee
            else users["reviewer2" if recommender.username == "reviewer" else "reviewer"]
        )
        recommendation = Recommendation(
            request=request,
            recommended_by=recommender,
            outcome=outcome,
            reasoning="Checks complete; see the assessment.",
        )
        recommendation.created_at = request.decided_at - timedelta(days=rng.randint(2, 14))
        recommendations.append(recommendation)
        decision = Decision(
            request=request,
            decided_by=decider,
            outcome=request.status,
            tier=request.tier,
            reasoning="Decided on the reviewer's recommendation.",
            gates_enforced=False,
        )
        decision.created_at = request.decided_at
        decisions.append(decision)
    _bulk_create_keeping_times(Recommendation, recommendations)
    _bulk_create_keeping_times(Decision, decisions)
    today = timezone.localdate()
    for decision in decisions:
        if decision.outcome != RequestStatus.APPROVED_WITH_CONDITIONS:
            continue
        for text in rng.sample(CONDITION_TEXTS, rng.randint(1, 2)):
            due = decision.created_at.date() + timedelta(days=rng.randint(60, 400))
            status = Condition.Status.OPEN
            met_at = None
            if due < today:
                status = Condition.Status.MET if rng.random() < 0.9 else Condition.Status.OVERDUE
                met_at = _at(due, rng) if status == Condition.Status.MET else None
            conditions.append(
                Condition(
                    request_id=decision.request_id,
                    decision=decision,
                    text=text,
                    owner=decision.request.reviewer,
                    due_date=due,
                    status=status,
                    met_at=met_at,
                )
            )
    Condition.objects.bulk_create(conditions, batch_size=BATCH)


def _bulk_create_keeping_times(model, rows: list) -> None:
    times = [row.created_at for row in rows]
    model.objects.bulk_create(rows, batch_size=BATCH)
    for row, moment in zip(rows, times, strict=True):
        row.created_at = moment
    model.objects.bulk_update(rows, ["created_at"], batch_size=BATCH)
