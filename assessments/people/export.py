"""People's data out of ukcn: a subject-access export for one person across requests, and the
people of exported requests for an auditor who asks for them. Both are audited by internal ids
and counts, never by the name searched for."""

from __future__ import annotations

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from ukcn.roles import Role, has_role

from ..audit import audit_record
from ..models import Person
from .status import person_standing


def name_key(name: str) -> str:
    return " ".join((name or "").split()).casefold()


def people_named(name: str):
    """Every (unerased) person record whose name is this one, case and spacing aside."""
    wanted = name_key(name)
    if not wanted:
        return []
    candidates = Person.objects.filter(erased_at__isnull=True, name__icontains=wanted.split()[0])
    return [p for p in candidates.select_related("request") if name_key(p.name) == wanted]


def person_record(person: Person) -> dict:
    standing = person_standing(person)
    return {
        "id": person.pk,
        "request": person.request.reference,
        "name": person.name,
        "category": person.get_category_display(),
        "role_on_project": person.project_role,
        "home_organisation": person.home_organisation.name if person.home_organisation else None,
        "nationalities": person.nationalities,
        "coming_to_uk": person.coming_to_uk,
        "immigration_route": person.get_immigration_route_display(),
        "start_date": person.start_date,
        "end_date": person.end_date,
        "cah3_code": person.cah3_code,
        "soc_code": person.soc_code,
        "entered_at": person.created_at,
        "atas_determination": standing.determination.as_dict(),
        "atas_certificates": [
            {"reference": c.reference, "issued_on": c.issued_on, "expires_on": c.expires_on}
            for c in person.atas_certificates.all()
        ],
        "declarations": [
            {
                "kind": d.get_kind_display(),
                "organisation": d.organisation.name if d.organisation else None,
                "details": d.details,
                "declared_on": d.declared_on,
                "entered_at": d.entered_at,
            }
            for d in person.declarations.select_related("organisation")
        ],
        "screening_matches": [
            {
                "list": m.watchlist.name,
                "matched_name": m.matched_name,
                "score": m.score,
                "status": m.status,
                "decided_at": m.decided_at,
            }
            for m in person.screening_matches.select_related("watchlist")
        ],
    }


def dumps(data) -> str:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)


def people_subject_access_export(*, people, actor=None, channel: str, ip=None) -> dict:
    """The export of these person records, audited (ids and count only)."""
    people = list(people)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="people.subject_access_export",
            summary=f"Subject-access export of {len(people)} person record(s) via {channel}",
            changes={"person_ids": [p.pk for p in people], "channel": channel},
            ip=ip,
        )
    return {
        "generated_at": timezone.now(),
        "kind": "subject access export (UK GDPR Article 15)",
        "records": [person_record(p) for p in people],
    }


def may_export_people(user) -> bool:
    """Only auditors (and superusers) export people with the portfolio, and only when asked."""
    return user is not None and has_role(user, Role.AUDITOR)


def people_of_requests_export(*, requests, actor, channel: str, ip=None) -> dict:
    people = list(
        Person.objects.filter(request__in=requests, erased_at__isnull=True).select_related(
            "request", "home_organisation"
        )
    )
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="export.people",
            summary=f"People of exported requests ({len(people)}) exported via {channel}",
            changes={"person_ids": [p.pk for p in people], "channel": channel},
            ip=ip,
        )
    return {"generated_at": timezone.now(), "people": [person_record(p) for p in people]}
