"""The demo tells the truth: every demo request's page and audit report say what its records hold.

Walks every request `seed_demo` makes (the sample requests and the portfolio), as the auditor
(who may read all of them), and checks each claim a page makes against the rows behind it:
screened ⇔ a partner was screened; assessed ⇔ an assessment exists; "no recommendation yet" ⇔
none and no decision; decided ⇔ a decision in force with every sign-off its route needs. Then the
portfolio's dates, the queues the dashboard shows on the day `make run` is first run, and the
audit trail.
"""

from datetime import timedelta
from itertools import pairwise

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from assessments.models import (
    Condition,
    Decision,
    PartnershipRequest,
    RequestStatus,
    SignOff,
)
from assessments.models.requests import DECIDED_STATUSES, partnerships_in_force_q
from assessments.queues import REVIEW_DUE_WINDOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(django_user_model):
    call_command("seed_demo", "--i-know-this-is-not-production")
    client = Client()
    client.force_login(django_user_model.objects.get(username="auditor"))
    return client


def _claims(request: PartnershipRequest, page: str, report: str) -> list[str]:
    wrong = []
    screened = request.partners.exclude(screened_at=None).exists()
    if screened == ("Not screened yet." in page):
        wrong.append(f"page says screened={not screened} but partners screened={screened}")
    if screened == ("Not screened." in report):
        wrong.append(f"report says screened={not screened} but partners screened={screened}")
    assessed = request.assessments.exists()
    if assessed == ("Not assessed yet." in page):
        wrong.append(f"page says assessed={not assessed} but assessments exist={assessed}")
    decided_or_recommended = request.recommendations.exists() or request.decisions.exists()
    if decided_or_recommended == ("No recommendation yet." in page):
        wrong.append("the page's 'No recommendation yet' disagrees with the records")
    if decided_or_recommended == ("No recommendation or decision yet." in report):
        wrong.append("the report's 'No recommendation or decision yet' disagrees with the records")
    if request.status == RequestStatus.RECOMMENDED and not request.recommendations.exists():
        wrong.append("recommended without a recommendation")
    if request.status in DECIDED_STATUSES:
        decision = request.decisions.filter(superseded=False).first()
        if decision is None or decision.state != Decision.State.IN_FORCE:
            wrong.append("decided without a decision in force")
        elif decision.sign_offs.exclude(status=SignOff.Status.GIVEN).exists():
            wrong.append("decided with a sign-off still to give")
        if not assessed or not screened:
            wrong.append("decided on unfinished checks")
    if request.status == RequestStatus.DRAFT and request.submitted_at:
        wrong.append("a draft with a submission date")
    return wrong


def _dates(request: PartnershipRequest) -> list[str]:
    """created < submitted < assessed ≤ recommended ≤ decided, all in the past."""
    now = timezone.now()
    steps = [("created", request.created_at), ("submitted", request.submitted_at)]
    assessment = request.assessments.order_by("created_at").first()
    recommendation = request.recommendations.order_by("created_at").first()
    steps += [
        ("assessed", assessment.created_at if assessment else None),
        ("recommended", recommendation.created_at if recommendation else None),
        ("decided", request.decided_at),
    ]
    known = [(name, moment) for name, moment in steps if moment is not None]
    wrong = [f"{name} in the future" for name, moment in known if moment > now]
    for (a, first), (b, then) in pairwise(known):
        if then < first:
            wrong.append(f"{b} ({then:%Y-%m-%d}) before {a} ({first:%Y-%m-%d})")
    return wrong


def test_every_demo_request_page_and_report_say_what_its_records_hold(demo, capsys):
    requests = list(PartnershipRequest.objects.order_by("reference"))
    assert len(requests) > 150
    problems = {}
    kinds = set()
    for request in requests:
        kinds.add((request.status, request.assessments.exists()))
        page = demo.get(f"/requests/{request.reference}/")
        report = demo.get(f"/requests/{request.reference}/report/")
        assert page.status_code == 200 and report.status_code == 200, request.reference
        wrong = _claims(request, page.content.decode(), report.content.decode())
        wrong += _dates(request)
        if wrong:
            problems[request.reference] = wrong
    assert problems == {}
    # Both sides of each claim were seen: a draft never screened nor assessed, decided ones.
    assert (RequestStatus.DRAFT, False) in kinds
    assert (RequestStatus.SUBMITTED, False) in kinds
    assert (RequestStatus.APPROVED, True) in kinds

    # The queues the dashboard shows on the day `make run` is first run, and the trail.
    today = timezone.localdate()
    requests = PartnershipRequest.objects.all()
    due = requests.filter(
        partnerships_in_force_q(today), next_review_date__lte=today + REVIEW_DUE_WINDOW
    )
    assert 0 < due.count() <= 10
    overdue = Condition.objects.filter(due_date__lt=today).exclude(status=Condition.Status.MET)
    assert overdue.count() <= 5
    # A partnership that has ended is closed: nothing left to review.
    ended = requests.filter(
        status__in=[RequestStatus.APPROVED, RequestStatus.APPROVED_WITH_CONDITIONS],
        end_date__lt=today,
    )
    assert ended.exists()
    assert not ended.exclude(next_review_date=None).exists()
    # Reviews come after the decision, never before it.
    for request in requests.exclude(next_review_date=None).exclude(decided_at=None):
        assert request.next_review_date >= request.decided_at.date() - timedelta(days=1)
    call_command("verify_audit_log")
    assert "verified" in capsys.readouterr().out.lower()
