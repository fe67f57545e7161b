"""Each event reaches the right people, says what they need, and nothing they may not see."""

import datetime as dt

import pytest

from assessments.models import (
    Decision,
    Notification,
    NotificationKind,
    Organisation,
    Partner,
    Recommendation,
    RequestStatus,
    Tier,
)
from assessments.notifications import (
    notify_condition_due_soon,
    notify_condition_overdue,
    notify_guidance_review_due,
    notify_request_decided,
    notify_request_recommended,
    notify_request_submitted,
    notify_request_taken_into_review,
    notify_rescreening_alert,
    notify_review_date_reached,
)
from ukcn.roles import Role

from .conftest import page_url


def recipients(kind):
    return {
        n.recipient.username if n.recipient else n.recipient_email
        for n in Notification.objects.filter(kind=kind)
    }


@pytest.fixture
def request_(make_request, requester, engineering):
    return make_request(requester, engineering)


def test_a_submitted_request_goes_to_every_reviewer_with_a_link_back(
    request_, reviewer, second_reviewer, approver, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notify_request_submitted(request=request_)
    assert recipients(NotificationKind.REQUEST_SUBMITTED) == {"reviewer", "reviewer2"}
    assert sorted(m.to[0] for m in mailoutbox) == [
        "reviewer2@example.ac.uk",
        "reviewer@example.ac.uk",
    ]
    email = mailoutbox[0]
    assert request_.reference in email.subject
    assert "Department of Engineering" in email.body
    assert page_url(request_) in email.body
    html = email.alternatives[0][0]
    assert email.alternatives[0][1] == "text/html"
    assert f'href="{page_url(request_)}"' in html
    assert "Joint centre for battery materials" in html


def test_a_submitted_request_goes_only_to_its_reviewer_once_one_is_assigned(
    request_, reviewer, second_reviewer
):
    request_.reviewer = second_reviewer
    request_.save()
    notify_request_submitted(request=request_)
    assert recipients(NotificationKind.REQUEST_SUBMITTED) == {"reviewer2"}


def test_taking_a_request_into_review_tells_the_requester_who_reviews_it(
    request_, reviewer, make_user
):
    reviewer.first_name, reviewer.last_name = "Priya", "Raman"
    reviewer.save()
    notify_request_taken_into_review(request=request_, reviewer=reviewer)
    notification = Notification.objects.get(kind=NotificationKind.REQUEST_TAKEN_INTO_REVIEW)
    assert notification.recipient.username == "requester"
    assert "Priya Raman" in notification.body
    assert notification.link == f"/requests/{request_.reference}/"


def test_a_high_tier_recommendation_goes_to_approvers_but_not_the_recommender(
    request_, reviewer, approver, make_user
):
    second_approver = make_user("approver2", Role.APPROVER)
    request_.tier = Tier.HIGH
    request_.save()
    recommendation = Recommendation.objects.create(
        request=request_,
        recommended_by=second_approver,
        outcome="approve",
        reasoning="Low exposure.",
    )
    notify_request_recommended(request=request_, recommendation=recommendation)
    assert recipients(NotificationKind.REQUEST_RECOMMENDED) == {"approver"}
    body = Notification.objects.get(recipient=approver).body
    assert "Tier: High" in body
    assert "Low exposure." in body


def test_a_low_tier_recommendation_goes_to_the_other_reviewers_who_may_decide_it(
    request_, reviewer, second_reviewer, approver
):
    request_.tier = Tier.LOW
    request_.save()
    recommendation = Recommendation.objects.create(
        request=request_, recommended_by=reviewer, outcome="approve", reasoning="Routine."
    )
    notify_request_recommended(request=request_, recommendation=recommendation)
    assert recipients(NotificationKind.REQUEST_RECOMMENDED) == {"reviewer2"}


def test_a_decision_goes_to_the_requester_the_lead_academic_and_the_reviewer(
    request_, reviewer, approver, make_condition, mailoutbox, django_capture_on_commit_callbacks
):
    request_.lead_academic_email = "ada.lovelace@example.ac.uk"
    request_.reviewer = reviewer
    request_.next_review_date = dt.date(2027, 12, 1)
    request_.save()
    condition = make_condition(request_, due_date=dt.date(2027, 3, 1), decided_by=approver)
    with django_capture_on_commit_callbacks(execute=True):
        notify_request_decided(request=request_, decision=condition.decision)
    assert recipients(NotificationKind.REQUEST_DECIDED) == {
        "requester",
        "reviewer",
        "ada.lovelace@example.ac.uk",
    }
    lead_email = next(m for m in mailoutbox if m.to == ["ada.lovelace@example.ac.uk"])
    assert "Approved with conditions" in lead_email.subject
    assert "Sign the data agreement (due 1 March 2027)" in lead_email.body
    assert "Next review: 1 December 2027." in lead_email.body
    assert page_url(request_) in lead_email.body


def test_a_lead_academic_with_an_account_is_told_in_the_app(
    request_, make_user, engineering, approver
):
    lead = make_user("ada", Role.REQUESTER, engineering)
    request_.lead_academic_email = "ADA@example.ac.uk"
    request_.save()
    decision = Decision.objects.create(
        request=request_, decided_by=approver, outcome=RequestStatus.APPROVED, reasoning="Fine."
    )
    notify_request_decided(request=request_, decision=decision)
    assert Notification.objects.filter(recipient=lead, kind=NotificationKind.REQUEST_DECIDED)
    assert not Notification.objects.filter(recipient__isnull=True)


def test_a_requester_never_receives_another_departments_request_details(
    request_,
    other_requester,
    reviewer,
    approver,
    make_condition,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    # The historian is named as lead academic and owns a condition on an engineering request.
    request_.lead_academic_email = other_requester.email
    request_.reviewer = reviewer
    request_.next_review_date = dt.date(2026, 11, 1)
    request_.status = RequestStatus.APPROVED_WITH_CONDITIONS
    request_.save()
    condition = make_condition(
        request_, due_date=dt.date(2026, 12, 1), owner=other_requester, decided_by=approver
    )
    with django_capture_on_commit_callbacks(execute=True):
        notify_request_decided(request=request_, decision=condition.decision)
        notify_review_date_reached(request=request_)
        notify_rescreening_alert(request=request_, summary="New match: Example Institute")
        notify_condition_due_soon(condition=condition)
        notify_condition_overdue(condition=condition)

    theirs = Notification.objects.filter(recipient=other_requester)
    assert sorted(theirs.values_list("kind", flat=True)) == [
        NotificationKind.CONDITION_DUE_SOON,
        NotificationKind.CONDITION_OVERDUE,
    ]
    their_mail = [m for m in mailoutbox if m.to == [other_requester.email]]
    assert len(their_mail) == 2
    for text in [
        *(n.title + n.body + n.link for n in theirs),
        *(m.subject + m.body for m in their_mail),
    ]:
        assert request_.reference not in text
        assert request_.title not in text
        assert "Department of Engineering" not in text
        assert "Sign the data agreement" in text or "condition" in text.lower()
    assert "Sign the data agreement" in their_mail[0].body
    # The reviewer, who may see the request, gets the full details.
    reviewer_note = Notification.objects.get(
        recipient=reviewer, kind=NotificationKind.CONDITION_OVERDUE
    )
    assert request_.reference in reviewer_note.title


def test_conditions_due_soon_and_overdue_go_to_the_owner_and_the_reviewer(
    request_, make_user, engineering, reviewer, approver, make_condition
):
    owner = make_user("owner", Role.REQUESTER, engineering)
    request_.reviewer = reviewer
    request_.save()
    condition = make_condition(request_, due_date=dt.date(2026, 12, 10), owner=owner)
    notify_condition_due_soon(condition=condition)
    notify_condition_overdue(condition=condition)
    assert recipients(NotificationKind.CONDITION_DUE_SOON) == {"owner", "reviewer"}
    assert recipients(NotificationKind.CONDITION_OVERDUE) == {"owner", "reviewer"}
    due = Notification.objects.get(recipient=owner, kind=NotificationKind.CONDITION_DUE_SOON)
    assert due.title == f"Condition due 10 December 2026: {request_.reference}"
    assert "Owner: owner." in due.body


def test_a_review_date_reached_goes_to_the_reviewer_and_the_requester_with_the_partners(
    request_, reviewer, second_reviewer
):
    request_.reviewer = reviewer
    request_.next_review_date = dt.date(2026, 11, 30)
    request_.save()
    partner = Organisation.objects.create(name="Example University of Technology", country="CN")
    Partner.objects.create(request=request_, organisation=partner)
    notify_review_date_reached(request=request_)
    assert recipients(NotificationKind.REVIEW_DATE_REACHED) == {"reviewer", "requester"}
    body = Notification.objects.get(recipient=reviewer).body
    assert "with Example University of Technology" in body
    assert "30 November 2026" in body


def test_a_rescreening_alert_reaches_the_central_office_never_the_requester(
    request_, reviewer, second_reviewer
):
    notify_rescreening_alert(request=request_, summary="Potential match: Example Defence Institute")
    assert recipients(NotificationKind.RESCREENING_ALERT) == {"reviewer", "reviewer2"}
    assert "Example Defence Institute" in Notification.objects.filter(recipient=reviewer)[0].body


def test_a_different_rescreening_finding_is_a_new_alert_and_the_same_one_is_not(request_, reviewer):
    notify_rescreening_alert(request=request_, summary="Match A")
    notify_rescreening_alert(request=request_, summary="Match A")
    notify_rescreening_alert(request=request_, summary="Match B")
    assert Notification.objects.filter(recipient=reviewer).count() == 2


def test_guidance_past_review_goes_to_its_owner_with_an_absolute_link(
    guidance_editor, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notify_guidance_review_due(
            owner=guidance_editor,
            title="Export control basics",
            link="/guidance/export-control-basics/",
            key="item:7:review-by:2026-11-01",
        )
    notification = Notification.objects.get()
    assert notification.recipient == guidance_editor
    assert notification.title == "Guidance past its review date: Export control basics"
    assert "https://ukcn.example.ac.uk/guidance/export-control-basics/" in mailoutbox[0].body


def test_an_inactive_user_is_told_nothing(request_, reviewer, second_reviewer):
    second_reviewer.is_active = False
    second_reviewer.save()
    notify_request_submitted(request=request_)
    assert recipients(NotificationKind.REQUEST_SUBMITTED) == {"reviewer"}
