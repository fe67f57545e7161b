"""Recording notifications once per event and recipient, and sending them by e-mail.

Immediate e-mails go out from a background task queued after commit (`manage.py db_worker`
runs it); the scheduler's `send_pending_emails` job retries whatever it could not send.
"""

import logging
import smtplib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from ukcn.bulk import insert_many
from ukcn.roles import roles_prime

from ..models import DeliveryChoice, EmailStatus, Notification, NotificationPreference
from .preferences import preference_effective

logger = logging.getLogger(__name__)

MAX_EMAIL_ATTEMPTS = 5
# A claim older than this was left by a process that died mid-send: it may have gone out.
STALE_SENDING_AFTER = timedelta(minutes=15)


@dataclass(frozen=True)
class Recipient:
    """A user, or only an e-mail address for someone without an account (a lead academic)."""

    user: object | None = None
    email: str = ""

    @property
    def key(self) -> tuple:
        return ("user", self.user.pk) if self.user is not None else ("email", self.email.lower())


@dataclass(frozen=True)
class Message:
    title: str
    body: str
    link: str = ""


def absolute_url(path: str) -> str:
    """The link as an address that works from an e-mail client."""
    if not path or path.startswith(("http://", "https://")):
        return path
    return settings.SITE_URL.rstrip("/") + "/" + path.lstrip("/")


def notification_send(
    *,
    kind: str,
    event_key: str,
    recipients: Iterable[Recipient],
    compose: Callable[[Recipient], Message | None],
) -> list[Notification]:
    """Record one notification per recipient for this event, once; e-mail the immediate ones.

    `compose` writes the message for one recipient, or returns None when they must not get it.
    A recipient who already has this event, or who chose not to hear about this kind, is skipped.
    """
    return notification_send_many(kind=kind, events=[(event_key, recipients, compose)])


# Keys per query when asking which events were already told; far above a day's batch.
_KEYS_PER_QUERY = 10_000


def notification_send_many(
    *,
    kind: str,
    events: Iterable[tuple[str, Iterable[Recipient], Callable[[Recipient], Message | None]]],
) -> list[Notification]:
    """`notification_send` for many events of one kind (a scheduled job's batch), with a
    fixed number of queries however many events and recipients: one read of who was already
    told, one of the recipients' roles and one of their preferences, one insert, one read back.

    Each event is (event_key, recipients, compose). The unique constraints still decide when
    two hosts race: a notification someone else inserted first is skipped, never doubled.
    """
    events = [
        (key, list({r.key: r for r in recipients}.values()), compose)
        for key, recipients, compose in events
    ]
    told = _already_told([key for key, _recipients, _compose in events])
    # One object per user, so that roles are fetched and cached once per person.
    users = {r.user.pk: r.user for _k, rs, _c in events for r in rs if r.user is not None}
    _load_roles(list(users.values()))
    roles_prime(list(users.values()))
    stored = dict(
        NotificationPreference.objects.filter(user_id__in=list(users), kind=kind).values_list(
            "user_id", "choice"
        )
        if users
        else []
    )
    now = timezone.now()
    new = []
    for event_key, recipients, compose in events:
        for recipient in recipients:
            if (event_key, recipient.key) in told:
                continue
            if recipient.user is not None:
                user = users[recipient.user.pk]
                if not user.is_active:
                    continue
                recipient = Recipient(user=user)  # the shared object, its roles loaded
                choice = preference_effective(user=user, kind=kind, stored=stored.get(user.pk))
                address = user.email
            else:
                choice, address = DeliveryChoice.IMMEDIATELY, recipient.email
            if choice == DeliveryChoice.NONE:
                continue
            message = compose(recipient)
            if message is None:
                continue
            if not address:
                status = EmailStatus.NOT_SENT
            elif choice == DeliveryChoice.DAILY_DIGEST:
                status = EmailStatus.DIGEST
            else:
                status = EmailStatus.PENDING
            new.append(
                Notification(
                    recipient=recipient.user,
                    recipient_email=address,
                    kind=kind,
                    event_key=event_key,
                    # One line: it becomes an e-mail subject, where a line break is refused.
                    title=" ".join(message.title.split())[:300],
                    body=message.body,
                    link=message.link,
                    created_at=now,
                    email_status=status,
                )
            )
    if not new:
        return []
    # A recipient who already has this event (another host raced us) is skipped: never twice.
    insert_many(new, ignore_conflicts=True)
    created = _read_back(kind=kind, keys={n.event_key for n in new}, now=now)
    pending = [n.pk for n in created if n.email_status == EmailStatus.PENDING]
    if pending:
        # Only once the change that caused the event is committed: a rollback sends nothing.
        # A background task sends them, so no web request waits on the mail server. Robust:
        # if even queueing fails, the notifications stay pending for the scheduler's retry job.
        transaction.on_commit(lambda: notification_emails_task.enqueue(ids=pending), robust=True)
    return created


def _already_told(keys: list[str]) -> set[tuple[str, tuple]]:
    """(event key, recipient key) of every notification these events already have, so that
    re-runs of a job stay cheap."""
    told = set()
    for start in range(0, len(keys), _KEYS_PER_QUERY):
        rows = Notification.objects.filter(
            event_key__in=keys[start : start + _KEYS_PER_QUERY]
        ).values_list("event_key", "recipient_id", "recipient_email")
        told |= {
            (key, ("user", user_id) if user_id else ("email", email.lower()))
            for key, user_id, email in rows
        }
    return told


def _read_back(*, kind: str, keys: set[str], now) -> list[Notification]:
    """The notifications this call inserted (those its insert skipped have another time)."""
    keys = sorted(keys)
    created = []
    for start in range(0, len(keys), _KEYS_PER_QUERY):
        created += Notification.objects.filter(
            kind=kind, event_key__in=keys[start : start + _KEYS_PER_QUERY], created_at=now
        ).order_by("id")
    return created


def _load_roles(users: list) -> None:
    """Fetch every recipient's roles in one query, into the cache `ukcn.roles` reads."""
    missing = [user for user in users if getattr(user, "_ukcn_roles", None) is None]
    if not missing:
        return
    names: dict[int, set[str]] = {user.pk: set() for user in missing}
    memberships = Group.user_set.through.objects.filter(user_id__in=names)
    for user_id, role in memberships.values_list("user_id", "group__name"):
        names[user_id].add(role)
    for user in missing:
        user._ukcn_roles = frozenset(names[user.pk])


def _render_email(*, template: str, subject: str, to: str, context: dict) -> EmailMultiAlternatives:
    context = {
        **context,
        "site_url": settings.SITE_URL.rstrip("/"),
        "preferences_url": absolute_url(reverse("assessments:notification_preferences")),
    }
    email = EmailMultiAlternatives(
        subject=f"[ukcn] {subject}",
        body=render_to_string(f"notifications/{template}.txt", context),
        to=[to],
    )
    email.attach_alternative(
        render_to_string(f"notifications/{template}.html", context), "text/html"
    )
    return email


def notification_email(notification: Notification) -> EmailMultiAlternatives:
    """The e-mail for one notification, with plain-text and HTML bodies."""
    return _render_email(
        template="email",
        subject=notification.title,
        to=notification.recipient_email,
        context={"notification": notification, "link": absolute_url(notification.link)},
    )


def notification_emails_send(*, ids: list[int] | None = None, now: datetime | None = None) -> int:
    """Send the e-mails waiting to go out now; each is claimed first so no two hosts send it."""
    now = now or timezone.now()
    stale = Notification.objects.filter(
        email_status=EmailStatus.SENDING, email_claimed_at__lt=now - STALE_SENDING_AFTER
    )
    for notification in stale:
        logger.error(
            "Notification %s may or may not have been e-mailed; not retried", notification.pk
        )
    stale.update(email_status=EmailStatus.FAILED)
    waiting = Notification.objects.filter(email_status=EmailStatus.PENDING)
    if ids is not None:
        waiting = waiting.filter(pk__in=ids)
    sent = 0
    for notification in waiting.order_by("id"):
        claimed = Notification.objects.filter(
            pk=notification.pk, email_status=EmailStatus.PENDING
        ).update(
            email_status=EmailStatus.SENDING,
            email_claimed_at=now,
            email_attempts=F("email_attempts") + 1,
        )
        if not claimed:
            continue
        try:
            notification_email(notification).send()
        except (smtplib.SMTPException, OSError):
            logger.exception("E-mailing notification %s failed", notification.pk)
            retry = notification.email_attempts + 1 < MAX_EMAIL_ATTEMPTS
            Notification.objects.filter(pk=notification.pk).update(
                email_status=EmailStatus.PENDING if retry else EmailStatus.FAILED
            )
            continue
        Notification.objects.filter(pk=notification.pk).update(
            email_status=EmailStatus.SENT, emailed_at=timezone.now()
        )
        sent += 1
    return sent


@task()
def notification_emails_task(ids: list[int]) -> str:
    """Background task: e-mail these pending notifications (a failure stays for the retry job)."""
    return f"{notification_emails_send(ids=ids)} e-mail(s) sent"


def notification_digests_send(*, now: datetime | None = None) -> int:
    """E-mail each user one digest of their notifications waiting for it; returns digests sent."""
    now = now or timezone.now()
    recipients = (
        Notification.objects.filter(email_status=EmailStatus.DIGEST)
        .values_list("recipient_id", "recipient_email")
        .distinct()
        .order_by("recipient_id")
    )
    sent = 0
    for recipient_id, address in recipients:
        with transaction.atomic():
            items = list(
                Notification.objects.select_for_update()
                .filter(
                    recipient_id=recipient_id,
                    recipient_email=address,
                    email_status=EmailStatus.DIGEST,
                )
                .order_by("created_at", "id")
            )
            if not items:
                continue
            email = _render_email(
                template="digest",
                subject=f"Your daily digest: {len(items)} notification{'s' if len(items) != 1 else ''}",
                to=address,
                context={
                    "items": [(item, absolute_url(item.link)) for item in items],
                    "notifications_url": absolute_url(reverse("assessments:notification_list")),
                },
            )
            try:
                email.send()
            except (smtplib.SMTPException, OSError):
                logger.exception("E-mailing the digest to user %s failed", recipient_id)
                continue  # they stay in the digest queue for the next run
            Notification.objects.filter(pk__in=[item.pk for item in items]).update(
                email_status=EmailStatus.SENT, emailed_at=now
            )
            sent += 1
    return sent


def notifications_mark_read(*, user, ids: list[int] | None = None) -> int:
    """Mark the user's unread notifications (all, or those listed) as read."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())
