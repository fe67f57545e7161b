"""Scheduled jobs: a registry, and claims in the database so that no job runs twice.

`python manage.py run_scheduled` runs every job whose period has come; cron or a systemd timer
calls it every few minutes, on as many hosts as you like. Each job claims (job, period) by
inserting a unique row: the first host to insert runs the job, every other host skips it.
The jobs themselves are idempotent too (notifications are keyed by event), so a job that
runs again in a later period repeats nothing.
"""

import logging
import socket
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from .audit import audit_head_publish
from .models import Condition, PartnershipRequest, ScheduledJobRun, Watchlist
from .models.requests import partnerships_in_force_q
from .notifications import (
    notification_digests_send,
    notification_emails_send,
    notify_conditions_due_soon,
    notify_guidance_review_due,
    notify_review_date_reached,
)
from .watchlists.refresh import watchlists_refresh_due

logger = logging.getLogger(__name__)

DUE_SOON_DAYS = 14


@dataclass(frozen=True)
class ScheduledJob:
    """A job the scheduler runs at most once per period of `every`."""

    name: str
    every: timedelta
    run: Callable[..., str]  # run(*, now) -> a one-line summary of what it did
    # Daily jobs wait until this local time of day (e.g. digests in the morning).
    not_before: Callable[[], time] | None = None


@dataclass(frozen=True)
class JobResult:
    job: str
    period: str
    outcome: str  # "done", "failed", "claimed elsewhere" or "not yet"
    summary: str = ""


def job_period(job: ScheduledJob, now: datetime) -> str | None:
    """The period `now` falls in for this job, or None when a daily job's hour has not come."""
    if job.every >= timedelta(days=1):
        local = timezone.localtime(now)
        if job.not_before is not None and local.time() < job.not_before():
            return None
        return local.date().isoformat()
    seconds = int(job.every.total_seconds())
    start = int(now.timestamp()) // seconds * seconds
    return datetime.fromtimestamp(start, UTC).strftime("%Y-%m-%dT%H:%MZ")


def job_claim(*, job: str, period: str, now: datetime) -> ScheduledJobRun | None:
    """Claim one period of a job; None when another run (on any host) claimed it first."""
    try:
        with transaction.atomic():
            return ScheduledJobRun.objects.create(
                job=job, period=period, host=socket.gethostname()[:200], started_at=now
            )
    except IntegrityError:
        return None


def scheduled_jobs_run(
    *, now: datetime | None = None, only: list[str] | None = None, jobs=None
) -> list[JobResult]:
    """Run every job whose period has come and which no other run has claimed."""
    now = now or timezone.now()
    results = []
    for job in jobs if jobs is not None else JOBS:
        if only and job.name not in only:
            continue
        period = job_period(job, now)
        if period is None:
            results.append(JobResult(job.name, "", "not yet"))
            continue
        claim = job_claim(job=job.name, period=period, now=now)
        if claim is None:
            results.append(JobResult(job.name, period, "claimed elsewhere"))
            continue
        try:
            summary = job.run(now=now)
        except Exception as exc:
            # One failing job must not stop the others; the claim records the failure.
            logger.exception("Scheduled job %s failed", job.name)
            claim.outcome, claim.summary = ScheduledJobRun.Outcome.FAILED, repr(exc)[:2000]
        else:
            claim.outcome, claim.summary = ScheduledJobRun.Outcome.DONE, summary
        claim.finished_at = timezone.now()
        claim.save(update_fields=["outcome", "summary", "finished_at"])
        results.append(JobResult(job.name, period, claim.outcome, claim.summary))
    return results


# The jobs. Each takes `now` and returns a summary; each is safe to run again.


def job_send_pending_emails(*, now: datetime) -> str:
    """Send immediate e-mails that could not go out when their event happened."""
    return f"{notification_emails_send(now=now)} e-mail(s) sent"


def job_send_digests(*, now: datetime) -> str:
    return f"{notification_digests_send(now=now)} digest(s) sent"


def job_mark_overdue_conditions(*, now: datetime) -> str:
    from .workflow import conditions_mark_overdue

    marked = conditions_mark_overdue(today=timezone.localdate(now))
    return f"{marked} condition(s) marked overdue"


def conditions_remind_due_soon(*, now: datetime) -> int:
    """Remind about open conditions due within the next 14 days (today included)."""
    today = timezone.localdate(now)
    soon = Condition.objects.filter(
        status=Condition.Status.OPEN,
        due_date__gte=today,
        due_date__lte=today + timedelta(days=DUE_SOON_DAYS),
    ).select_related("request", "request__reviewer", "owner")
    # One batch: a fixed number of queries however many conditions fall due.
    created = notify_conditions_due_soon(conditions=list(soon.order_by("pk")))
    return len({notification.event_key for notification in created})


def job_remind_conditions_due_soon(*, now: datetime) -> str:
    return f"{conditions_remind_due_soon(now=now)} condition(s) with new reminders"


def requests_remind_review_date(*, now: datetime) -> int:
    """Remind about approved partnerships, not yet ended, whose next review date has come."""
    today = timezone.localdate(now)
    due = PartnershipRequest.objects.filter(
        partnerships_in_force_q(today), next_review_date__lte=today
    ).select_related("reviewer", "created_by", "department")
    return sum(bool(notify_review_date_reached(request=request)) for request in due)


def job_remind_review_dates(*, now: datetime) -> str:
    return f"{requests_remind_review_date(now=now)} request(s) with new review reminders"


def job_refresh_watchlists(*, now: datetime) -> str:
    """Fetch the watchlists whose refresh interval has passed; changed files become versions."""
    results = watchlists_refresh_due(now=now)
    counts = Counter(result.outcome for result in results)
    Outcome = Watchlist.CheckOutcome
    return (
        f"{len(results)} watchlist(s) checked: {counts[Outcome.IMPORTED]} new version(s), "
        f"{counts[Outcome.UNCHANGED]} unchanged, {counts[Outcome.FAILED]} failed"
    )


def guidance_flag_past_review(*, now: datetime) -> int:
    """Tell each published guidance item's owner, once per review-by date, that it is past it."""
    # guidance builds on assessments; importing it here keeps assessments loadable on its own.
    from guidance.models import GuidanceItem, Status

    today = timezone.localdate(now)
    past = GuidanceItem.objects.filter(
        status=Status.PUBLISHED, review_by__lt=today, owner__isnull=False
    ).select_related("owner")
    return sum(
        bool(
            notify_guidance_review_due(
                owner=item.owner,
                title=item.title,
                link=item.get_absolute_url(),
                key=f"{item.pk}:review-by:{item.review_by.isoformat()}",
            )
        )
        for item in past.order_by("pk")
    )


def job_flag_guidance_past_review(*, now: datetime) -> str:
    return f"{guidance_flag_past_review(now=now)} guidance item(s) flagged"


def job_publish_audit_head(*, now: datetime) -> str:
    """Publish the audit trail's head outside the database (AUDIT_HEAD_FILE and the log)."""
    head = audit_head_publish()
    where = settings.AUDIT_HEAD_FILE or "the log only (AUDIT_HEAD_FILE is not set)"
    return f"head {head.head[:16]}... of {head.count} events published to {where}"


def job_remind_atas(*, now: datetime) -> str:
    from .people.reminders import atas_remind

    return f"{atas_remind(now=now)} ATAS reminder(s) sent"


def job_erase_people(*, now: datetime) -> str:
    """Erase people's personal fields PEOPLE_RETENTION_DAYS after their request closed."""
    from .people.services import people_erase_due

    summary = people_erase_due(now=now)
    return f"{summary.people} people on {summary.requests} request(s) erased"


def job_remind_legal_deadlines(*, now: datetime) -> str:
    """Licences about to expire, FIRS registrations falling due, expired licences."""
    from .legal.register import job_remind_legal_deadlines as run

    return run(now=now)


def _digest_hour() -> time:
    return time(hour=settings.NOTIFICATION_DIGEST_HOUR)


HOURLY = timedelta(hours=1)

JOBS: tuple[ScheduledJob, ...] = (
    ScheduledJob("send_pending_emails", timedelta(minutes=5), job_send_pending_emails),
    ScheduledJob("mark_overdue_conditions", HOURLY, job_mark_overdue_conditions),
    ScheduledJob("remind_conditions_due_soon", HOURLY, job_remind_conditions_due_soon),
    ScheduledJob("remind_review_dates", HOURLY, job_remind_review_dates),
    ScheduledJob("refresh_watchlists", timedelta(minutes=15), job_refresh_watchlists),
    ScheduledJob("flag_guidance_past_review", HOURLY, job_flag_guidance_past_review),
    ScheduledJob("publish_audit_head", timedelta(minutes=15), job_publish_audit_head),
    ScheduledJob("remind_atas", HOURLY, job_remind_atas),
    ScheduledJob("erase_people", timedelta(days=1), job_erase_people),
    ScheduledJob("remind_legal_deadlines", HOURLY, job_remind_legal_deadlines),
    # After the reminders, so that a digest includes what they raised this morning.
    ScheduledJob("send_digests", timedelta(days=1), job_send_digests, not_before=_digest_hour),
)
