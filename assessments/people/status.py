"""Each person's ATAS standing on a request: determination, valid certificate, may they start."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.utils import timezone

from ..models import AtasCertificate, Person
from .atas import AtasLists, Determination, Outcome, atas_determine, atas_lists

MAY_NOT_START = "may not start: ATAS certificate missing"


@dataclass(frozen=True)
class PersonStanding:
    person: Person
    determination: Determination
    certificate: AtasCertificate | None  # the valid one, if any
    may_not_start: bool

    @property
    def certificate_missing(self) -> bool:
        return self.determination.outcome == Outcome.REQUIRED and self.certificate is None


def valid_certificate(person: Person, on: date) -> AtasCertificate | None:
    certificates = getattr(person, "_prefetched_objects_cache", {}).get("atas_certificates")
    if certificates is None:
        certificates = person.atas_certificates.all()
    valid = [c for c in certificates if c.issued_on <= on <= c.expires_on]
    return max(valid, key=lambda c: c.expires_on) if valid else None


def person_standing(person: Person, *, today: date | None = None, lists: AtasLists | None = None):
    today = today or timezone.localdate()
    determination = atas_determine(person, lists)
    # A certificate must be valid on the day the work starts (or today, once it has started).
    on = max(today, person.start_date) if person.start_date else today
    certificate = valid_certificate(person, on) or valid_certificate(person, today)
    near = person.start_date is not None and person.start_date <= today + timedelta(
        days=settings.ATAS_WARNING_DAYS
    )
    may_not_start = (
        determination.outcome == Outcome.REQUIRED
        and certificate is None
        and near
        and not person.erased_at
    )
    return PersonStanding(person, determination, certificate, may_not_start)


def request_people(request) -> list[Person]:
    """The request's (unerased) people with their certificates, in one or two queries."""
    return list(request.people.filter(erased_at__isnull=True).prefetch_related("atas_certificates"))


def request_standings(request, *, today: date | None = None, people=None) -> list[PersonStanding]:
    people = request_people(request) if people is None else people
    if not people:
        return []
    lists = atas_lists(today)
    return [person_standing(p, today=today, lists=lists) for p in people]


def requests_with_people_not_starting(requests, *, today: date | None = None) -> list[tuple]:
    """(request, count) for each request with someone who may not start; for the dashboard."""
    today = today or timezone.localdate()
    horizon = today + timedelta(days=settings.ATAS_WARNING_DAYS)
    candidates = requests.filter(
        people__start_date__lte=horizon, people__erased_at__isnull=True
    ).distinct()
    rows = []
    for request in candidates:
        count = sum(s.may_not_start for s in request_standings(request, today=today))
        if count:
            rows.append((request, count))
    return rows
