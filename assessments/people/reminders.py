"""Reminders before a start date without a required ATAS certificate, and before a
certificate expires while the person is still taking part. Notifications name a person by
internal id and category only (they may go by e-mail)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from ..models import AtasCertificate, NotificationKind, Person
from ..notifications.delivery import Message, notification_send
from ..notifications.events import _day, _link, _reviewers_of, _users, _visible_only
from .atas import atas_lists
from .status import MAY_NOT_START, person_standing


def _remind(request, *, kind: str, key: str, title: str, body: str) -> bool:
    """Tell the request's reviewer (or queue) and its registrant, once per key."""
    message = Message(title=title, body=body, link=_link(request))
    return bool(
        notification_send(
            kind=kind,
            event_key=key,
            recipients=_users([*_reviewers_of(request), request.created_by]),
            compose=_visible_only(request, lambda recipient: message),
        )
    )


def atas_remind(*, now: datetime | None = None) -> int:
    """Send the reminders due today; idempotent (keyed per person, date and kind)."""
    today = timezone.localdate(now or timezone.now())
    horizon = today + timedelta(days=settings.ATAS_WARNING_DAYS)
    lists = atas_lists(today)
    sent = 0
    starting = Person.objects.filter(
        erased_at__isnull=True, start_date__gte=today, start_date__lte=horizon
    ).select_related("request", "request__reviewer", "request__created_by")
    for person in starting.prefetch_related("atas_certificates"):
        standing = person_standing(person, today=today, lists=lists)
        if not standing.certificate_missing:
            continue
        request = person.request
        sent += _remind(
            request,
            kind=NotificationKind.ATAS_START_DUE,
            key=f"person:{person.pk}:atas-start:{person.start_date.isoformat()}",
            title=f"{request.reference}: {person.reference} {MAY_NOT_START}",
            body=(
                f"{person.reference} on {request.reference} starts on {_day(person.start_date)} "
                "and needs an ATAS certificate, which is not recorded: they may not start "
                "without it."
            ),
        )
    expiring = AtasCertificate.objects.filter(
        person__erased_at__isnull=True, expires_on__gte=today, expires_on__lte=horizon
    ).select_related("person__request", "person__request__reviewer", "person__request__created_by")
    for certificate in expiring:
        person, request = certificate.person, certificate.person.request
        if person.end_date and person.end_date <= certificate.expires_on:
            continue  # they finish before it expires
        if person.atas_certificates.filter(expires_on__gt=certificate.expires_on).exists():
            continue  # a newer certificate is recorded
        sent += _remind(
            request,
            kind=NotificationKind.ATAS_CERTIFICATE_EXPIRING,
            key=f"atas-certificate:{certificate.pk}:expiring",
            title=f"{request.reference}: ATAS certificate of {person.reference} expires soon",
            body=(
                f"The ATAS certificate of {person.reference} on {request.reference} expires on "
                f"{_day(certificate.expires_on)}, before their part in the project ends."
            ),
        )
    return sent
