"""The review actions over the API: the web's workflow, its roles, refusals and audit trail."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from assessments import workflow
from assessments.models import AuditEvent, Condition, RequestStatus
from tests.assessments.request_factories import advance, make_request

from .test_requests_api import detail, patch, post


@pytest.fixture
def policy(db):
    call_command("load_checklist", verbosity=0)


@pytest.fixture
def draft(requester):
    return make_request(requester, title="Battery cathodes")


def act(client, pr, action: str, headers, data=None):
    return post(client, f"{detail(pr)}{action}/", data or {}, headers)


def answer_every_item(client, pr, headers) -> dict:
    """Answer the whole checklist over the API, as an integration would."""
    checklist = client.get(f"{detail(pr)}checklist/", headers=headers).json()
    answers = [
        {"ref_id": item["ref_id"], "answer": "met", "evidence_notes": "Seen the agreement."}
        for item in checklist["items"]
    ]
    response = patch(
        client,
        f"{detail(pr)}checklist/",
        {"version": checklist["version"], "answers": answers},
        headers,
    )
    assert response.status_code == 200, response.json()
    return response.json()


def test_a_request_goes_from_submitted_to_approved_with_conditions_over_the_api(
    client, requester, reviewer, draft, bearer, policy
):
    headers = bearer(reviewer)
    assert act(client, draft, "submit", bearer(requester)).status_code == 200

    taken = act(client, draft, "take-into-review", headers)
    assert taken.status_code == 200, taken.json()
    assert (taken.json()["status"], taken.json()["reviewer"]) == ("under_review", "reviewer")

    answered = answer_every_item(client, draft, headers)
    assert answered["answered"] == answered["item_count"] > 0
    assessed = act(client, draft, "assess", headers)
    assert assessed.status_code == 200, assessed.json()
    assert assessed.json()["tier"] != ""
    (assessment,) = client.get(f"{detail(draft)}assessments/", headers=headers).json()["results"]
    assert assessment["tier"] == assessed.json()["tier"]
    # Medium: a reviewer decides and no sign-off follows.
    tiered = act(client, draft, "set-tier", headers, {"tier": "medium", "reason": "Lab access."})
    assert tiered.json()["tier"] == "medium", tiered.json()
    assert tiered.json()["missing"] == ""
    recommended = act(
        client, draft, "recommend", headers, {"outcome": "approve", "reasoning": "Low exposure."}
    )
    assert recommended.json()["status"] == "recommended"

    due = (timezone.localdate() + datetime.timedelta(days=90)).isoformat()
    decided = act(
        client,
        draft,
        "decide",
        headers,
        {
            "outcome": "approved_with_conditions",
            "reasoning": "Fine with an export-control review.",
            "conditions": [{"text": "Export-control review of shared designs", "due_date": due}],
            "next_review_date": "2028-01-31",
        },
    )
    assert decided.status_code == 200, decided.json()
    assert decided.json()["status"] == "approved_with_conditions"
    condition = Condition.objects.get(request=draft)
    assert (condition.text, condition.due_date.isoformat()) == (
        "Export-control review of shared designs",
        due,
    )
    draft.refresh_from_db()
    assert draft.next_review_date == datetime.date(2028, 1, 31)
    actions = list(draft.audit_events.order_by("id").values_list("action", flat=True))
    assert [a for a in actions if a.startswith("request.")] == [
        "request.created",
        "request.submitted",
        "request.taken_into_review",
        "request.assessed",
        "request.tier_set",
        "request.recommended",
        "request.decided",
    ]


def test_four_eyes_holds_over_the_api(client, requester, reviewer, approver, draft, bearer):
    advance(
        draft, to=RequestStatus.UNDER_REVIEW, requester=requester, reviewer=reviewer, tier="high"
    )
    workflow.request_recommend(
        actor=reviewer, request=draft, outcome="approve", reasoning="Benefits outweigh."
    )
    decision = {"outcome": "approved", "reasoning": "Agreed."}

    refused = act(client, draft, "decide", bearer(reviewer), decision)
    assert refused.status_code == 409
    assert refused.json()["code"] == "workflow_refused"
    assert "needs an approver" in refused.json()["error"]

    assert act(client, draft, "decide", bearer(approver), decision).json()["status"] == "approved"


def test_a_role_that_never_takes_an_action_gets_403_and_nothing_changes(
    client, requester, auditor, approver, draft, bearer
):
    advance(draft, to=RequestStatus.SUBMITTED, requester=requester, reviewer=None)
    before = AuditEvent.objects.exclude(action="api_token.issued").count()
    assert act(client, draft, "take-into-review", bearer(requester)).status_code == 403
    assert act(client, draft, "take-into-review", bearer(approver)).status_code == 403
    response = act(client, draft, "decide", bearer(auditor), {"outcome": "approved"})
    assert response.status_code == 403
    assert response.json()["error"] == "Only reviewers and approvers decide."
    assert act(client, draft, "withdraw", bearer(auditor)).status_code == 403
    draft.refresh_from_db()
    assert draft.status == RequestStatus.SUBMITTED
    assert AuditEvent.objects.exclude(action="api_token.issued").count() == before


def test_bad_input_is_a_400_naming_the_field(client, requester, reviewer, draft, bearer):
    advance(draft, to=RequestStatus.RECOMMENDED, requester=requester, reviewer=reviewer)
    headers = bearer(reviewer)
    cases = [
        ({"outcome": "maybe", "reasoning": "x"}, "outcome"),
        ({"outcome": "approved"}, "reasoning"),
        ({"outcome": "approved", "reasoning": 12}, "reasoning"),
        (
            {
                "outcome": "approved_with_conditions",
                "reasoning": "x",
                "conditions": [{"text": "t"}],
            },
            "conditions",
        ),
        (
            {"outcome": "approved", "reasoning": "x", "next_review_date": "next year"},
            "next_review_date",
        ),
    ]
    for data, field in cases:
        response = act(client, draft, "decide", headers, data)
        assert response.status_code == 400, data
        assert field in response.json()["fields"], response.json()
    draft.refresh_from_db()
    assert draft.status == RequestStatus.RECOMMENDED


def test_the_workflows_own_checks_come_back_by_kind(client, requester, reviewer, draft, bearer):
    # The workflow's refusal says what kind it is: input it rejects is a 400, the request's
    # state a 409 (the roles' 403 comes before anything is read; see the tests above).
    in_review = make_request(requester, title="Still in review")
    advance(in_review, to=RequestStatus.UNDER_REVIEW, requester=requester, reviewer=reviewer)
    body = {"outcome": "approved", "reasoning": "Fine."}
    early = act(client, in_review, "decide", bearer(reviewer), body)
    assert early.status_code == 409
    assert early.json()["code"] == "workflow_refused"
    assert early.json()["error"] == "Only a recommended request can be decided."
    advance(draft, to=RequestStatus.RECOMMENDED, requester=requester, reviewer=reviewer)
    response = act(
        client,
        draft,
        "decide",
        bearer(reviewer),
        {"outcome": "approved_with_conditions", "reasoning": "Conditions to follow."},
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert response.json()["error"] == "An approval with conditions needs at least one condition."


def test_another_departments_request_is_a_404_whatever_the_body(
    client, other_requester, reviewer, requester, bearer
):
    theirs = make_request(other_requester, title="Archives")
    assert act(client, theirs, "withdraw", bearer(requester), {"reason": 5}).status_code == 404
    # Central staff see every department: their bad input is a 400, a wrong state a 409.
    assert act(client, theirs, "reopen", bearer(reviewer), {"reason": 5}).status_code == 400
    assert act(client, theirs, "reopen", bearer(reviewer), {"reason": "Why"}).status_code == 409


def test_a_requester_withdraws_with_a_reason_and_a_reviewer_reopens_a_decision(
    client, requester, reviewer, draft, bearer
):
    withdrawn = act(
        client, draft, "withdraw", bearer(requester), {"reason": "Funding fell through."}
    )
    assert withdrawn.json()["status"] == "withdrawn"
    event = AuditEvent.objects.filter(action="request.withdrawn").get()
    assert "Funding fell through." in str(event.changes) + event.summary

    decided = make_request(requester, title="Second")
    advance(decided, to=RequestStatus.APPROVED, requester=requester, reviewer=reviewer)
    assert act(client, decided, "reopen", bearer(reviewer), {"reason": ""}).status_code == 400
    reopened = act(client, decided, "reopen", bearer(reviewer), {"reason": "Listed on CSL."})
    assert reopened.json()["status"] == "under_review"
    assert decided.decisions.get().superseded is True


def test_assessing_is_refused_when_the_request_is_not_under_review(
    client, requester, reviewer, draft, bearer
):
    assert act(client, draft, "assess", bearer(requester)).status_code == 403
    response = act(client, draft, "assess", bearer(reviewer))
    assert response.status_code == 409
    assert "only while the request is under review or recommended" in response.json()["error"]
    assert not draft.assessments.exists()
