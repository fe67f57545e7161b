"""Every request page says who acts next, what they do and what is missing."""

from datetime import timedelta

from django.utils import timezone

from assessments import workflow
from assessments.gates import next_step, request_gates
from assessments.models import RequestStatus
from assessments.next_step import request_next_step
from assessments.workflow.rules import pending_decision

from .request_factories import advance, give_sign_offs, make_request

S = RequestStatus


def told(pr, user):
    pr.refresh_from_db()
    step = next_step(pr)
    gates = request_gates(pr, step) if step else []
    return request_next_step(
        pr,
        user=user,
        actions=workflow.request_actions_for(user, pr),
        gates=gates,
        pending_decision=pending_decision(pr),
    )


def test_a_draft_waits_on_its_requester(requester, reviewer):
    pr = make_request(requester)
    mine = told(pr, requester)
    assert mine.yours and "submit it for review" in mine.what
    assert requester.get_full_name() in mine.who or requester.username in mine.who
    assert not told(pr, reviewer).yours


def test_a_fresh_review_names_the_reviewer_and_what_is_missing(requester, reviewer):
    pr = advance(make_request(requester), to=S.SUBMITTED, requester=requester, reviewer=None)
    assert told(pr, reviewer).yours and "Take the request into review" in told(pr, reviewer).what
    workflow.request_take_into_review(actor=reviewer, request=pr)
    step = told(pr, requester)
    assert not step.yours
    assert "reviewer" in step.who.lower()
    assert "checklist" in step.missing  # every gate is open on a fresh review
    done = advance(
        make_request(requester), to=S.UNDER_REVIEW, requester=requester, reviewer=reviewer
    )
    assert told(done, reviewer).missing == ""
    assert told(done, reviewer).yours


def test_a_recommended_request_waits_on_a_decider_and_a_decided_one_on_its_conditions(
    requester, reviewer, approver
):
    pr = advance(make_request(requester), to=S.RECOMMENDED, requester=requester, reviewer=reviewer)
    step = told(pr, requester)
    assert "Decide" in step.what and "who did not recommend it" in step.who
    workflow.request_decide(
        actor=approver,
        request=pr,
        outcome=S.APPROVED_WITH_CONDITIONS,
        reasoning="Ok",
        conditions=[
            workflow.ConditionInput(
                text="Data plan",
                due_date=timezone.localdate() + timedelta(days=10),
                owner=requester,
            )
        ],
    )
    give_sign_offs(pr)
    step = told(pr, requester)
    assert step.yours and "Meet 1 open condition" in step.what
    assert requester.get_full_name() in step.who


def test_a_withdrawn_request_waits_on_nobody(requester):
    pr = make_request(requester)
    workflow.request_withdraw(actor=requester, request=pr, reason="Cancelled")
    step = told(pr, requester)
    assert step.closed and "withdrawn" in step.what and "reopen" not in step.what


def test_the_request_page_shows_the_panel_and_withdraw_asks_for_a_reason_and_confirmation(
    client, requester
):
    pr = make_request(requester)
    client.force_login(requester)
    body = client.get(pr.get_absolute_url()).content.decode()
    assert 'id="next-step"' in body and "Next step: yours" in body
    url = f"/requests/{pr.reference}/actions/withdraw/"
    client.post(url, {"withdraw-reason": "Cancelled"})
    pr.refresh_from_db()
    assert pr.status == S.DRAFT  # no confirmation: nothing happens
    client.post(url, {"withdraw-confirm": "on"})
    pr.refresh_from_db()
    assert pr.status == S.DRAFT  # no reason
    client.post(url, {"withdraw-reason": "Cancelled", "withdraw-confirm": "on"})
    pr.refresh_from_db()
    assert pr.status == S.WITHDRAWN
