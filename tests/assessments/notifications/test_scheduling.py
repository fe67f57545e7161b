"""The scheduler: boundaries on a frozen clock, claims between hosts, and nothing sent twice."""

import datetime as dt
import threading
import time

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError, connection

from assessments.models import (
    AuditEvent,
    Condition,
    DeliveryChoice,
    Notification,
    NotificationKind,
    NotificationPreference,
    RequestStatus,
    ScheduledJobRun,
)
from assessments.notifications import notify_rescreening_alert
from assessments.scheduling import (
    JOBS,
    ScheduledJob,
    job_claim,
    job_period,
    scheduled_jobs_run,
)

from .conftest import frozen_clock, london

# Sunday 29 November 2026, mid-morning in London.
NOW = london(2026, 11, 29, 10, 30)
TODAY = dt.date(2026, 11, 29)


@pytest.fixture
def approved(make_request, requester, engineering, reviewer):
    return make_request(
        requester, engineering, status=RequestStatus.APPROVED_WITH_CONDITIONS, reviewer=reviewer
    )


def kinds_for(condition):
    return set(
        Notification.objects.filter(event_key__startswith=f"condition:{condition.pk}:").values_list(
            "kind", flat=True
        )
    )


def test_a_condition_is_overdue_the_day_after_its_due_date_not_on_it(
    approved, make_condition, requester
):
    due_yesterday = make_condition(approved, due_date=TODAY - dt.timedelta(days=1), owner=requester)
    due_today = make_condition(approved, due_date=TODAY, owner=requester)
    with frozen_clock(NOW):
        scheduled_jobs_run(only=["mark_overdue_conditions"])
    due_yesterday.refresh_from_db()
    due_today.refresh_from_db()
    assert due_yesterday.status == Condition.Status.OVERDUE
    assert due_today.status == Condition.Status.OPEN
    assert kinds_for(due_yesterday) == {NotificationKind.CONDITION_OVERDUE}
    assert kinds_for(due_today) == set()
    event = AuditEvent.objects.get(action="condition.overdue")
    assert event.object_id == str(due_yesterday.pk)
    assert event.actor is None
    assert event.changes == {"status": ["open", "overdue"]}


def test_overdue_follows_the_london_date_not_the_utc_one(approved, make_condition):
    condition = make_condition(approved, due_date=dt.date(2026, 5, 31))
    # 00:30 on 1 June in London (BST) is still 31 May in UTC: the office's date rules.
    with frozen_clock(london(2026, 6, 1, 0, 30)):
        scheduled_jobs_run(only=["mark_overdue_conditions"])
    condition.refresh_from_db()
    assert condition.status == Condition.Status.OVERDUE


def test_a_met_condition_is_never_marked_overdue(approved, make_condition):
    condition = make_condition(approved, due_date=TODAY - dt.timedelta(days=30))
    Condition.objects.filter(pk=condition.pk).update(status=Condition.Status.MET)
    with frozen_clock(NOW):
        scheduled_jobs_run()
    condition.refresh_from_db()
    assert condition.status == Condition.Status.MET
    assert not Notification.objects.exists()


def test_due_soon_reminders_cover_today_to_fourteen_days_ahead(approved, make_condition):
    inside = {
        days: make_condition(approved, due_date=TODAY + dt.timedelta(days=days))
        for days in (0, 1, 14)
    }
    outside = {
        days: make_condition(approved, due_date=TODAY + dt.timedelta(days=days))
        for days in (-1, 15)
    }
    with frozen_clock(NOW):
        scheduled_jobs_run(only=["remind_conditions_due_soon"])
    for condition in inside.values():
        assert kinds_for(condition) == {NotificationKind.CONDITION_DUE_SOON}
    for condition in outside.values():
        assert kinds_for(condition) == set()


def test_a_condition_due_in_fifteen_days_is_reminded_the_next_day(approved, make_condition):
    condition = make_condition(approved, due_date=TODAY + dt.timedelta(days=15))
    with frozen_clock(NOW):
        scheduled_jobs_run(only=["remind_conditions_due_soon"])
    assert kinds_for(condition) == set()
    with frozen_clock(NOW + dt.timedelta(days=1)):
        scheduled_jobs_run(only=["remind_conditions_due_soon"])
    assert kinds_for(condition) == {NotificationKind.CONDITION_DUE_SOON}


def test_review_reminders_go_for_approved_partnerships_whose_date_has_come(
    make_request, requester, engineering, reviewer
):
    due = make_request(
        requester, engineering, status=RequestStatus.APPROVED, next_review_date=TODAY
    )
    later = make_request(
        requester,
        engineering,
        status=RequestStatus.APPROVED,
        next_review_date=TODAY + dt.timedelta(days=1),
    )
    declined = make_request(
        requester, engineering, status=RequestStatus.DECLINED, next_review_date=TODAY
    )
    with frozen_clock(NOW):
        scheduled_jobs_run(only=["remind_review_dates"])
    keys = set(Notification.objects.values_list("event_key", flat=True))
    assert keys == {f"request:{due.pk}:review-date:2026-11-29"}
    assert not {later.pk, declined.pk} & {int(k.split(":")[1]) for k in keys}


def test_running_the_scheduler_twice_sends_nothing_new(
    approved, make_condition, requester, mailoutbox, django_capture_on_commit_callbacks
):
    make_condition(approved, due_date=TODAY - dt.timedelta(days=2), owner=requester)
    make_condition(approved, due_date=TODAY + dt.timedelta(days=3), owner=requester)
    approved.next_review_date = TODAY
    approved.save()
    NotificationPreference.objects.create(
        user=requester,
        kind=NotificationKind.REVIEW_DATE_REACHED,
        choice=DeliveryChoice.DAILY_DIGEST,
    )
    with django_capture_on_commit_callbacks(execute=True), frozen_clock(NOW):
        first = scheduled_jobs_run()
    notifications, emails = Notification.objects.count(), len(mailoutbox)
    assert {r.outcome for r in first} == {"done"}
    assert notifications == 6  # overdue, due soon, review date: each to the owner and reviewer
    assert emails == 6  # five at once, and one digest holding the review date for the requester

    # The same moment on another host: every job is claimed already.
    with django_capture_on_commit_callbacks(execute=True), frozen_clock(NOW):
        again = scheduled_jobs_run()
    assert {r.outcome for r in again} == {"claimed elsewhere"}
    # Later periods run the jobs again, and they find nothing new to say.
    for hours in (1, 2, 25):
        with (
            django_capture_on_commit_callbacks(execute=True),
            frozen_clock(NOW + dt.timedelta(hours=hours)),
        ):
            later = scheduled_jobs_run()
        assert "done" in {r.outcome for r in later}
    assert Notification.objects.count() == notifications
    assert len(mailoutbox) == emails


def test_digests_wait_for_the_morning_and_go_once_a_day(approved, reviewer, mailoutbox, settings):
    settings.NOTIFICATION_DIGEST_HOUR = 7
    NotificationPreference.objects.create(
        user=reviewer, kind=NotificationKind.RESCREENING_ALERT, choice=DeliveryChoice.DAILY_DIGEST
    )
    notify_rescreening_alert(request=approved, summary="Match A")
    with frozen_clock(london(2026, 11, 29, 6, 59)):
        early = scheduled_jobs_run(only=["send_digests"])
    assert early[0].outcome == "not yet"
    assert mailoutbox == []
    with frozen_clock(london(2026, 11, 29, 7, 0)):
        scheduled_jobs_run(only=["send_digests"])
    assert len(mailoutbox) == 1
    notify_rescreening_alert(request=approved, summary="Match B")
    with frozen_clock(london(2026, 11, 29, 18, 0)):
        evening = scheduled_jobs_run(only=["send_digests"])
    assert evening[0].outcome == "claimed elsewhere"
    assert len(mailoutbox) == 1
    with frozen_clock(london(2026, 11, 30, 7, 5)):
        scheduled_jobs_run(only=["send_digests"])
    assert len(mailoutbox) == 2
    assert "Match B" in mailoutbox[1].body
    assert "Match A" not in mailoutbox[1].body


def test_periods_are_slots_of_the_jobs_interval():
    hourly = ScheduledJob("x", dt.timedelta(hours=1), lambda *, now: "")
    assert job_period(hourly, london(2026, 6, 1, 10, 59)) == "2026-06-01T09:00Z"
    assert job_period(hourly, london(2026, 6, 1, 11, 0)) == "2026-06-01T10:00Z"
    daily = ScheduledJob("y", dt.timedelta(days=1), lambda *, now: "")
    assert job_period(daily, london(2026, 6, 1, 0, 30)) == "2026-06-01"


def test_a_second_claim_on_the_same_period_loses(db):
    assert job_claim(job="send_digests", period="2026-11-29", now=NOW) is not None
    assert job_claim(job="send_digests", period="2026-11-29", now=NOW) is None
    assert job_claim(job="send_digests", period="2026-11-30", now=NOW) is not None


def test_two_hosts_claiming_at_the_same_moment_only_one_wins(
    reference_data_restored, transactional_db
):
    barrier = threading.Barrier(2)
    results = []

    def claim():
        try:
            barrier.wait(timeout=10)
            for attempt in range(50):
                try:
                    results.append(
                        job_claim(
                            job="mark_overdue_conditions", period="2026-11-29T10:00Z", now=NOW
                        )
                    )
                    return
                except OperationalError as exc:
                    # The in-memory test database locks whole tables and fails at once
                    # ("table is locked") where a file database would wait: try again.
                    if "locked" not in str(exc) or attempt == 49:
                        raise
                    time.sleep(0.05)
        finally:
            connection.close()

    threads = [threading.Thread(target=claim) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(results) == 2
    assert sum(result is not None for result in results) == 1
    assert ScheduledJobRun.objects.count() == 1


def test_a_failing_job_is_recorded_and_does_not_stop_the_others(db):
    def broken(*, now):
        raise RuntimeError("the list server is down")

    jobs = (
        ScheduledJob("broken", dt.timedelta(hours=1), broken),
        ScheduledJob("fine", dt.timedelta(hours=1), lambda *, now: "all well"),
    )
    results = scheduled_jobs_run(now=NOW, jobs=jobs)
    assert [(r.job, r.outcome) for r in results] == [("broken", "failed"), ("fine", "done")]
    run = ScheduledJobRun.objects.get(job="broken")
    assert "the list server is down" in run.summary
    assert run.finished_at is not None


def test_the_command_reports_each_job_and_refuses_an_unknown_one(db, capsys):
    call_command("run_scheduled")
    out = capsys.readouterr().out
    for job in JOBS:
        assert job.name in out
    call_command("run_scheduled")
    assert "claimed elsewhere" in capsys.readouterr().out
    with pytest.raises(CommandError, match="Unknown job nonsense"):
        call_command("run_scheduled", "--job", "nonsense")
