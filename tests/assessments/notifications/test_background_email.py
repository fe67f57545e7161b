"""Immediate e-mails leave the web request: a task queued after commit sends them."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from assessments.models import EmailStatus, Notification
from assessments.scheduling import job_send_pending_emails
from tests.assessments.request_factories import make_request

DOWN = "tests.assessments.notifications.failing_mail.DownBackend"


@pytest.fixture
def database_tasks(settings, monkeypatch):
    """Queue tasks in the database, as in production, until `db_worker` runs them."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    # The worker drops connections that are not in autocommit; inside this test's wrapping
    # transaction that would be every connection, so the check is switched off here.
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )


def run_worker():
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)


def submit_through_the_page(client, requester, capture):
    request = make_request(requester)
    client.force_login(requester)
    with capture(execute=True):
        response = client.post(
            reverse("assessments:request_action", args=[request.reference, "submit"])
        )
    assert response.status_code == 302
    return Notification.objects.get(kind="request_submitted")


def test_the_web_request_queues_the_email_and_sends_nothing_itself(
    client, requester, reviewer, database_tasks, mailoutbox, django_capture_on_commit_callbacks
):
    notification = submit_through_the_page(client, requester, django_capture_on_commit_callbacks)
    assert mailoutbox == []
    assert notification.email_status == EmailStatus.PENDING
    queued = DBTaskResult.objects.get()
    assert queued.task_path.endswith("notification_emails_task")
    assert queued.args_kwargs["kwargs"] == {"ids": [notification.pk]}


def test_the_task_delivers_the_email(
    client, requester, reviewer, database_tasks, mailoutbox, django_capture_on_commit_callbacks
):
    notification = submit_through_the_page(client, requester, django_capture_on_commit_callbacks)
    run_worker()
    assert [m.to for m in mailoutbox] == [[reviewer.email]]
    notification.refresh_from_db()
    assert notification.email_status == EmailStatus.SENT
    assert notification.emailed_at is not None


def test_a_task_that_cannot_reach_the_mail_server_leaves_it_for_the_retry_job(
    client,
    requester,
    reviewer,
    database_tasks,
    settings,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    notification = submit_through_the_page(client, requester, django_capture_on_commit_callbacks)
    settings.EMAIL_BACKEND = DOWN
    run_worker()
    notification.refresh_from_db()
    assert notification.email_status == EmailStatus.PENDING
    assert notification.email_attempts == 1
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert job_send_pending_emails(now=notification.created_at) == "1 e-mail(s) sent"
    assert [m.to for m in mailoutbox] == [[reviewer.email]]


def test_a_failure_to_queue_leaves_the_email_for_the_retry_job(
    client, requester, reviewer, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "no.such.Backend"}}
    notification = submit_through_the_page(client, requester, django_capture_on_commit_callbacks)
    assert mailoutbox == []
    assert notification.email_status == EmailStatus.PENDING
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    job_send_pending_emails(now=notification.created_at)
    assert [m.to for m in mailoutbox] == [[reviewer.email]]
