"""Delivery: once per event, e-mail only after commit, retries when the mail server is down, digests."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments.models import DeliveryChoice, EmailStatus, Notification, NotificationKind
from assessments.models import NotificationPreference as Preference
from assessments.notifications import (
    notification_digests_send,
    notification_emails_send,
    notify_request_submitted,
    notify_rescreening_alert,
)
from ukcn.roles import Role


@pytest.fixture
def request_(make_request, requester, engineering):
    return make_request(requester, engineering)


def test_the_same_event_is_never_notified_twice(
    request_, reviewer, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = notify_request_submitted(request=request_)
        second = notify_request_submitted(request=request_)
    assert len(first) == 1
    assert second == []
    assert Notification.objects.count() == 1
    assert len(mailoutbox) == 1


def test_a_resubmission_is_a_new_event(request_, reviewer):
    request_.submitted_at = timezone.now()
    request_.save()
    notify_request_submitted(request=request_)
    request_.submitted_at = timezone.now() + timezone.timedelta(days=3)
    request_.save()
    notify_request_submitted(request=request_)
    assert Notification.objects.filter(recipient=reviewer).count() == 2


def test_a_rolled_back_change_sends_no_email(
    request_, reviewer, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                notify_request_submitted(request=request_)
                raise RuntimeError("the submission failed")
        except RuntimeError:
            pass
    assert not Notification.objects.exists()
    assert mailoutbox == []


def test_an_email_that_fails_stays_pending_and_the_retry_sends_it_once(
    request_, reviewer, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.assessments.notifications.failing_mail.DownBackend"
    with django_capture_on_commit_callbacks(execute=True):
        notify_request_submitted(request=request_)
    notification = Notification.objects.get()
    assert notification.email_status == EmailStatus.PENDING
    assert notification.email_attempts == 1
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notification_emails_send() == 1
    assert notification_emails_send() == 0
    assert len(mailoutbox) == 1
    notification.refresh_from_db()
    assert notification.email_status == EmailStatus.SENT


def test_an_email_claimed_by_a_process_that_died_is_given_up_not_sent_twice(request_, reviewer):
    notify_request_submitted(request=request_)
    Notification.objects.update(
        email_status=EmailStatus.SENDING,
        email_claimed_at=timezone.now() - timezone.timedelta(hours=1),
    )
    assert notification_emails_send() == 0
    assert Notification.objects.get().email_status == EmailStatus.FAILED


def test_a_user_without_an_address_still_sees_it_in_the_app(request_, reviewer, mailoutbox):
    reviewer.email = ""
    reviewer.save()
    notify_request_submitted(request=request_)
    assert Notification.objects.get(recipient=reviewer).email_status == EmailStatus.NOT_SENT


def test_the_digest_sends_one_email_per_user_with_all_their_waiting_notifications(
    make_request, requester, engineering, reviewer, second_reviewer, mailoutbox
):
    for user in (reviewer, second_reviewer):
        for kind in (NotificationKind.REQUEST_SUBMITTED, NotificationKind.RESCREENING_ALERT):
            Preference.objects.create(user=user, kind=kind, choice=DeliveryChoice.DAILY_DIGEST)
    first = make_request(requester, engineering, title="First partnership")
    second = make_request(requester, engineering, title="Second partnership")
    notify_request_submitted(request=first)
    notify_rescreening_alert(request=second, summary="Potential match: Example Institute")
    assert mailoutbox == []

    assert notification_digests_send() == 2
    assert sorted(m.to[0] for m in mailoutbox) == [
        "reviewer2@example.ac.uk",
        "reviewer@example.ac.uk",
    ]
    digest = mailoutbox[0]
    assert "2 notifications" in digest.subject
    assert "First partnership" in digest.body
    assert "Potential match: Example Institute" in digest.body
    assert f"https://ukcn.example.ac.uk/requests/{first.reference}/" in digest.body
    assert (
        f'href="https://ukcn.example.ac.uk/requests/{second.reference}/"'
        in (digest.alternatives[0][0])
    )
    assert not Notification.objects.exclude(email_status=EmailStatus.SENT).exists()
    assert notification_digests_send() == 0
    assert len(mailoutbox) == 2


def test_the_digest_leaves_out_immediate_and_already_sent_notifications(
    request_, reviewer, second_reviewer, mailoutbox, django_capture_on_commit_callbacks
):
    Preference.objects.create(
        user=reviewer, kind=NotificationKind.REQUEST_SUBMITTED, choice=DeliveryChoice.DAILY_DIGEST
    )
    with django_capture_on_commit_callbacks(execute=True):
        notify_request_submitted(request=request_)
    assert [m.to for m in mailoutbox] == [["reviewer2@example.ac.uk"]]
    assert notification_digests_send() == 1
    assert [m.to for m in mailoutbox[1:]] == [["reviewer@example.ac.uk"]]


def test_a_title_with_a_line_break_still_makes_a_one_line_subject(
    make_request, requester, engineering, reviewer, mailoutbox, django_capture_on_commit_callbacks
):
    request_ = make_request(requester, engineering, title="Battery\nmaterials\r\ncentre")
    with django_capture_on_commit_callbacks(execute=True):
        notify_request_submitted(request=request_)
    assert mailoutbox[0].subject.endswith("submitted for review: Battery materials centre")


def test_notifying_the_queue_costs_a_savepointed_insert_per_reviewer_and_no_more(
    make_request, requester, engineering, make_user
):
    def cost(request_):
        with CaptureQueriesContext(connection) as queries:
            notify_request_submitted(request=request_)
        return len(queries.captured_queries)

    for number in range(5):
        make_user(f"early{number}", Role.REVIEWER)
    few = cost(make_request(requester, engineering))
    for number in range(10):
        make_user(f"late{number}", Role.REVIEWER)
    many = cost(make_request(requester, engineering))
    assert many - few <= 10 * 3
