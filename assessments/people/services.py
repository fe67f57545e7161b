"""Every change to people: one service each, which locks, checks, changes and audits.

Audit events name a person as "Person #<id> (<category>)" and list the *names* of the fields
that changed, never their values: the trail is hash-chained and cannot be erased, so it must
never hold personal data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ukcn.refusals import Refusal
from ukcn.roles import Role, has_role

from ..audit import audit_record
from ..models import (
    AtasCertificate,
    Declaration,
    DeclarationKind,
    PartnershipRequest,
    Person,
    RequestStatus,
    ScreeningDismissal,
    ScreeningMatch,
)
from ..workflow.facts import person_row_validate
from .access import evidence_refusal, people_edit_refuse

PERSON_FIELDS = (
    "name",
    "category",
    "project_role",
    "home_organisation",
    "nationalities",
    "coming_to_uk",
    "immigration_route",
    "start_date",
    "end_date",
    "cah3_code",
    "soc_code",
)
# What the retention job erases: everything that identifies or describes the person (their
# category stays, so the husk still reads "Person #7 (student)").
ERASED_FIELDS = tuple(name for name in PERSON_FIELDS if name != "category")
CERTIFICATE_VALIDITY_DAYS = 183  # "valid for six months from the date of issue" (atas.yaml, A1)


def _locked_request(request: PartnershipRequest) -> PartnershipRequest:
    return PartnershipRequest.objects.select_for_update().get(pk=request.pk)


def _clean_row(row: dict) -> dict:
    clean = {name: row[name] for name in PERSON_FIELDS if name in row}
    if "nationalities" in clean:
        clean["nationalities"] = sorted({c.strip().upper() for c in clean["nationalities"] or []})
    if "cah3_code" in clean:
        clean["cah3_code"] = (clean["cah3_code"] or "").strip().upper()
    if "soc_code" in clean:
        clean["soc_code"] = (clean["soc_code"] or "").strip()
    for text in ("name", "project_role"):
        if text in clean:
            clean[text] = " ".join((clean[text] or "").split())
    return clean


def _validate(row: dict, number: int | None = None) -> None:
    errors = person_row_validate(row)
    if not row.get("name") and "name" in row:
        errors["name"] = "Give the person's name."
    if errors:
        prefix = f"people.{number}." if number is not None else ""
        first = next(iter(errors.values()))
        raise Refusal(
            first,
            kind="invalid",
            code="person_invalid",
            fields={f"{prefix}{key}": value for key, value in errors.items()},
        )


def person_add(*, request: PartnershipRequest, actor, row: dict, ip=None) -> Person:
    row = _clean_row(row)
    _validate({**row, "name": row.get("name", "")})
    with transaction.atomic():
        request = _locked_request(request)
        people_edit_refuse(actor, request)
        person = Person.objects.create(request=request, entered_by=actor, **row)
        audit_record(
            actor=actor,
            action="person_added",
            summary=f"{person.reference} added to {request.reference}",
            obj=person,
            request=request,
            changes={"person_id": person.pk, "category": person.category},
            ip=ip,
        )
    return person


def person_update(*, person: Person, actor, row: dict, ip=None) -> Person:
    row = _clean_row(row)
    with transaction.atomic():
        request = _locked_request(person.request)
        person = Person.objects.select_for_update().get(pk=person.pk)
        people_edit_refuse(actor, request)
        if person.erased_at:
            raise Refusal("This person's record was erased under the retention rule.")
        merged = {name: getattr(person, name) for name in PERSON_FIELDS}
        merged.update(row)
        _validate(merged)
        changed = sorted(name for name, value in row.items() if getattr(person, name) != value)
        if not changed:
            return person
        for name, value in row.items():
            setattr(person, name, value)
        person.save()
        audit_record(
            actor=actor,
            action="person_updated",
            summary=f"{person.reference} on {request.reference} corrected",
            obj=person,
            request=request,
            changes={"person_id": person.pk, "fields_changed": changed},
            ip=ip,
        )
    return person


def person_remove(*, person: Person, actor, ip=None) -> None:
    with transaction.atomic():
        request = _locked_request(person.request)
        people_edit_refuse(actor, request)
        reference, pk, category = person.reference, person.pk, person.category
        person.delete()
        audit_record(
            actor=actor,
            action="person_removed",
            summary=f"{reference} removed from {request.reference}",
            request=request,
            changes={"person_id": pk, "category": category},
            ip=ip,
        )


def certificate_record(
    *,
    person: Person,
    actor,
    reference: str,
    issued_on: date,
    expires_on: date | None = None,
    attachment=None,
    ip=None,
) -> AtasCertificate:
    reference = (reference or "").strip()
    if not reference:
        raise Refusal(
            "Give the certificate's reference.", kind="invalid", fields={"reference": "Required."}
        )
    expires_on = expires_on or issued_on + timedelta(days=CERTIFICATE_VALIDITY_DAYS)
    if expires_on < issued_on:
        raise Refusal(
            "The certificate cannot expire before it is issued.",
            kind="invalid",
            fields={"expires_on": "Before the issue date."},
        )
    if attachment is not None and attachment.request_id != person.request_id:
        raise Refusal("That attachment belongs to another request.", kind="invalid")
    with transaction.atomic():
        request = _locked_request(person.request)
        refusal = evidence_refusal(actor, request)
        if refusal:
            raise Refusal(refusal, kind="forbidden")
        certificate = AtasCertificate.objects.create(
            person=person,
            reference=reference,
            issued_on=issued_on,
            expires_on=expires_on,
            attachment=attachment,
            recorded_by=actor,
        )
        audit_record(
            actor=actor,
            action="atas_certificate_recorded",
            summary=f"ATAS certificate recorded for {person.reference} on {request.reference}",
            obj=certificate,
            request=request,
            changes={
                "person_id": person.pk,
                "expires_on": expires_on.isoformat(),
                "has_attachment": attachment is not None,
            },
            ip=ip,
        )
    return certificate


def declarations_request(*, person: Person, actor, ip=None) -> Person:
    """A reviewer asks the request's requesters to collect this person's declarations."""
    from ..models import NotificationKind
    from ..notifications.delivery import Message, notification_send
    from ..notifications.events import _link, _users, _users_with_role

    if not has_role(actor, Role.REVIEWER):
        raise Refusal("Only a reviewer may ask for people's declarations.", kind="forbidden")
    with transaction.atomic():
        request = _locked_request(person.request)
        person = Person.objects.select_for_update().get(pk=person.pk)
        person.declarations_requested_at = timezone.now()
        person.declarations_requested_by = actor
        person.save(update_fields=["declarations_requested_at", "declarations_requested_by"])
        audit_record(
            actor=actor,
            action="declarations_requested",
            summary=f"Declarations asked for {person.reference} on {request.reference}",
            obj=person,
            request=request,
            changes={"person_id": person.pk},
            ip=ip,
        )
        requesters = _users_with_role(Role.REQUESTER, request.department_id)
        notification_send(
            kind=NotificationKind.PEOPLE_DECLARATIONS_REQUESTED,
            event_key=f"person:{person.pk}:declarations:{person.declarations_requested_at.isoformat()}",
            recipients=_users(requesters),
            compose=lambda recipient: Message(
                title=f"Declarations needed on {request.reference}",
                body=(
                    f"A reviewer asks you to collect the declarations (affiliations, talent "
                    f"programmes, conflicts) of {person.reference} on {request.reference}."
                ),
                link=_link(request),
            ),
        )
    return person


def declaration_record(
    *,
    person: Person,
    actor,
    kind: str,
    declared_on: date,
    organisation=None,
    details: str = "",
    ip=None,
) -> Declaration:
    if kind not in DeclarationKind.values:
        raise Refusal("Choose what is declared.", kind="invalid", fields={"kind": "Unknown."})
    if kind == DeclarationKind.AFFILIATION and organisation is None:
        raise Refusal(
            "An affiliation names an organisation.",
            kind="invalid",
            fields={"organisation": "Choose or register the organisation."},
        )
    if declared_on > timezone.localdate():
        raise Refusal(
            "A declaration cannot be dated in the future.",
            kind="invalid",
            fields={"declared_on": "In the future."},
        )
    with transaction.atomic():
        request = _locked_request(person.request)
        refusal = evidence_refusal(actor, request)
        if refusal:
            raise Refusal(refusal, kind="forbidden")
        declaration = Declaration.objects.create(
            person=person,
            kind=kind,
            organisation=organisation,
            details=details.strip(),
            declared_on=declared_on,
            entered_by=actor,
        )
        audit_record(
            actor=actor,
            action="declaration_recorded",
            summary=f"Declaration recorded for {person.reference} on {request.reference}",
            obj=declaration,
            request=request,
            changes={"person_id": person.pk, "kind": kind},
            ip=ip,
        )
    return declaration


# --- retention ------------------------------------------------------------------------------

CLOSED_STATUSES = (RequestStatus.DECLINED, RequestStatus.WITHDRAWN)
ENDED_STATUSES = (RequestStatus.APPROVED, RequestStatus.APPROVED_WITH_CONDITIONS)


def request_closed_on(request: PartnershipRequest) -> date | None:
    """The day a request closed for retention: declined or withdrawn (its last change), or an
    approved partnership whose end date has passed; None while it is open or running."""
    if request.status in CLOSED_STATUSES:
        moment = request.decided_at or request.updated_at
        return timezone.localdate(moment)
    if request.status in ENDED_STATUSES and request.end_date:
        return request.end_date
    return None


@dataclass(frozen=True)
class ErasureSummary:
    requests: int
    people: int


def people_erase_due(*, now: datetime | None = None) -> ErasureSummary:
    """Erase the personal fields of people on requests closed more than PEOPLE_RETENTION_DAYS
    ago; one audit event per request says what was erased (field names and ids, not data)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    keep = timedelta(days=settings.PEOPLE_RETENTION_DAYS)
    candidates = PartnershipRequest.objects.filter(
        status__in=(*CLOSED_STATUSES, *ENDED_STATUSES), people__erased_at__isnull=True
    ).distinct()
    requests = people = 0
    for request in candidates:
        closed = request_closed_on(request)
        if closed is None or closed + keep > today:
            continue
        with transaction.atomic():
            locked = _locked_request(request)
            husks = list(locked.people.select_for_update().filter(erased_at__isnull=True))
            for person in husks:
                _erase(person, now)
            AtasCertificate.objects.filter(person__in=husks).update(reference="", attachment=None)
            Declaration.objects.filter(person__in=husks).update(details="", organisation=None)
            ScreeningMatch.objects.filter(person__in=husks).update(reason="")
            ScreeningDismissal.objects.filter(person__in=husks).update(reason="")
            audit_record(
                actor=None,
                action="people_erased",
                summary=(
                    f"Personal data of {len(husks)} people on {locked.reference} erased "
                    f"({settings.PEOPLE_RETENTION_DAYS} days after it closed on {closed.isoformat()})"
                ),
                request=locked,
                changes={
                    "person_ids": [person.pk for person in husks],
                    "fields_erased": list(ERASED_FIELDS),
                    "also_erased": [
                        "certificate references",
                        "declaration details",
                        "screening decision reasons",
                    ],
                    "closed_on": closed.isoformat(),
                },
            )
        requests += 1
        people += len(husks)
    return ErasureSummary(requests, people)


def _erase(person: Person, now) -> None:
    person.name = ""
    person.project_role = ""
    person.home_organisation = None
    person.nationalities = []
    person.coming_to_uk = None
    person.immigration_route = ""
    person.start_date = person.end_date = None
    person.cah3_code = person.soc_code = ""
    person.erased_at = now
    person.save()
