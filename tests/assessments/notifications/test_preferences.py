"""Each user chooses per kind: immediately, daily digest or not at all, within their role's rules."""

import pytest

from assessments.models import (
    AuditEvent,
    DeliveryChoice,
    EmailStatus,
    Notification,
    NotificationKind,
    NotificationPreference,
    Recommendation,
    Tier,
)
from assessments.notifications import (
    notify_request_recommended,
    notify_request_submitted,
    notify_rescreening_alert,
)
from assessments.notifications.forms import NotificationPreferencesForm
from assessments.notifications.preferences import preferences_save
from ukcn.refusals import Refusal


@pytest.fixture
def request_(make_request, requester, engineering):
    return make_request(requester, engineering, tier=Tier.HIGH)


def prefer(user, kind, choice):
    NotificationPreference.objects.create(user=user, kind=kind, choice=choice)


def test_immediately_records_the_notification_and_emails_it_at_once(
    request_, reviewer, mailoutbox, django_capture_on_commit_callbacks
):
    prefer(reviewer, NotificationKind.REQUEST_SUBMITTED, DeliveryChoice.IMMEDIATELY)
    with django_capture_on_commit_callbacks(execute=True):
        notify_request_submitted(request=request_)
    notification = Notification.objects.get(recipient=reviewer)
    assert notification.email_status == EmailStatus.SENT
    assert notification.emailed_at is not None
    assert len(mailoutbox) == 1


def test_a_digest_choice_shows_in_the_app_at_once_and_waits_for_the_digest_to_email(
    request_, reviewer, mailoutbox, django_capture_on_commit_callbacks
):
    prefer(reviewer, NotificationKind.REQUEST_SUBMITTED, DeliveryChoice.DAILY_DIGEST)
    with django_capture_on_commit_callbacks(execute=True):
        notify_request_submitted(request=request_)
    notification = Notification.objects.get(recipient=reviewer)
    assert notification.email_status == EmailStatus.DIGEST
    assert notification.read_at is None
    assert mailoutbox == []


def test_not_at_all_records_and_sends_nothing(
    request_, reviewer, second_reviewer, approver, mailoutbox, django_capture_on_commit_callbacks
):
    prefer(approver, NotificationKind.REQUEST_DECIDED, DeliveryChoice.NONE)
    prefer(reviewer, NotificationKind.RESCREENING_ALERT, DeliveryChoice.NONE)
    with django_capture_on_commit_callbacks(execute=True):
        notify_rescreening_alert(request=request_, summary="Match")
    assert list(Notification.objects.values_list("recipient__username", flat=True)) == ["reviewer2"]
    assert [m.to for m in mailoutbox] == [["reviewer2@example.ac.uk"]]


def test_an_approver_cannot_switch_off_requests_awaiting_their_decision(
    request_, reviewer, approver
):
    # A stored "not at all" (e.g. from before they were an approver) is overridden at delivery.
    prefer(approver, NotificationKind.REQUEST_RECOMMENDED, DeliveryChoice.NONE)
    recommendation = Recommendation.objects.create(
        request=request_, recommended_by=reviewer, outcome="approve", reasoning="Fine."
    )
    notify_request_recommended(request=request_, recommendation=recommendation)
    assert Notification.objects.get(recipient=approver).email_status == EmailStatus.PENDING


def test_a_mandatory_kind_may_still_go_to_the_digest(request_, reviewer, approver):
    prefer(approver, NotificationKind.REQUEST_RECOMMENDED, DeliveryChoice.DAILY_DIGEST)
    recommendation = Recommendation.objects.create(
        request=request_, recommended_by=reviewer, outcome="approve", reasoning="Fine."
    )
    notify_request_recommended(request=request_, recommendation=recommendation)
    assert Notification.objects.get(recipient=approver).email_status == EmailStatus.DIGEST


def test_the_form_offers_no_not_at_all_for_a_mandatory_kind_and_refuses_it(approver):
    form = NotificationPreferencesForm(user=approver)
    offered = [value for value, _ in form.fields[NotificationKind.REQUEST_RECOMMENDED].choices]
    assert DeliveryChoice.NONE not in offered
    assert DeliveryChoice.NONE in [
        v for v, _ in form.fields[NotificationKind.REQUEST_DECIDED].choices
    ]
    data = dict.fromkeys(NotificationKind.values, DeliveryChoice.IMMEDIATELY)
    data[NotificationKind.REQUEST_RECOMMENDED] = DeliveryChoice.NONE
    form = NotificationPreferencesForm(data, user=approver)
    assert not form.is_valid()
    assert NotificationKind.REQUEST_RECOMMENDED in form.errors


def test_a_requester_may_switch_off_what_an_approver_may_not(requester):
    changed = preferences_save(
        user=requester, choices={NotificationKind.REQUEST_RECOMMENDED: DeliveryChoice.NONE}
    )
    assert changed == [NotificationKind.REQUEST_RECOMMENDED]


def test_saving_preferences_refuses_a_mandatory_switch_off_and_changes_nothing(approver):
    with pytest.raises(Refusal, match="cannot switch off"):
        preferences_save(
            user=approver,
            choices={
                NotificationKind.REQUEST_DECIDED: DeliveryChoice.NONE,
                NotificationKind.REQUEST_RECOMMENDED: DeliveryChoice.NONE,
            },
        )
    assert not NotificationPreference.objects.exists()


def test_the_preferences_page_saves_choices_and_audits_the_change(client, reviewer):
    client.force_login(reviewer)
    page = client.get("/notifications/preferences/")
    assert page.status_code == 200
    assert "Your role cannot switch this off" in page.content.decode()
    data = dict.fromkeys(NotificationKind.values, DeliveryChoice.IMMEDIATELY)
    data[NotificationKind.REQUEST_SUBMITTED] = DeliveryChoice.DAILY_DIGEST
    data[NotificationKind.GUIDANCE_REVIEW_DUE] = DeliveryChoice.NONE
    response = client.post("/notifications/preferences/", data)
    assert response.status_code == 302
    assert dict(NotificationPreference.objects.values_list("kind", "choice")) == {
        NotificationKind.REQUEST_SUBMITTED: DeliveryChoice.DAILY_DIGEST,
        NotificationKind.GUIDANCE_REVIEW_DUE: DeliveryChoice.NONE,
    }
    event = AuditEvent.objects.get(action="notification_preferences.change")
    assert event.actor == reviewer
    assert event.changes[NotificationKind.REQUEST_SUBMITTED] == ["immediately", "daily_digest"]


def test_the_preferences_page_shows_a_form_error_for_a_refused_choice(client, approver):
    client.force_login(approver)
    data = dict.fromkeys(NotificationKind.values, DeliveryChoice.IMMEDIATELY)
    data[NotificationKind.REQUEST_RECOMMENDED] = DeliveryChoice.NONE
    response = client.post("/notifications/preferences/", data)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not NotificationPreference.objects.exists()
