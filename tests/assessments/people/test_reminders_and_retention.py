"""Reminders on a frozen clock (the jobs take `now`), and erasure after the retention period."""

import datetime as dt
import json

from django.utils import timezone

from assessments.audit import audit_verify_chain
from assessments.models import (
    AuditEvent,
    Declaration,
    DeclarationKind,
    Notification,
    NotificationKind,
    Person,
    RequestStatus,
)
from assessments.people.services import certificate_record, declaration_record, person_add
from assessments.scheduling import scheduled_jobs_run
from assessments.workflow import request_withdraw
from tests.assessments.people.conftest import required_row

START = dt.date(2027, 3, 1)


def _at(day: dt.date, hour=10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def test_reminder_before_the_start_date_without_a_certificate(draft, requester, reviewer):
    person = person_add(request=draft, actor=requester, row=required_row(start_date=START))
    scheduled_jobs_run(now=_at(START - dt.timedelta(days=45)), only=["remind_atas"])
    assert not Notification.objects.filter(kind=NotificationKind.ATAS_START_DUE).exists()
    scheduled_jobs_run(now=_at(START - dt.timedelta(days=20)), only=["remind_atas"])
    notes = Notification.objects.filter(kind=NotificationKind.ATAS_START_DUE)
    assert {n.recipient for n in notes} == {reviewer, requester}
    assert all(f"Person #{person.pk}" in n.body and "Li Wei" not in n.body for n in notes)
    # Once per start date, however often the job runs.
    scheduled_jobs_run(now=_at(START - dt.timedelta(days=19)), only=["remind_atas"])
    assert notes.count() == 2


def test_no_reminder_once_the_certificate_is_recorded(draft, requester):
    person = person_add(request=draft, actor=requester, row=required_row(start_date=START))
    certificate_record(
        person=person, actor=requester, reference="A1", issued_on=START - dt.timedelta(days=30)
    )
    scheduled_jobs_run(now=_at(START - dt.timedelta(days=10)), only=["remind_atas"])
    assert not Notification.objects.filter(kind=NotificationKind.ATAS_START_DUE).exists()


def test_reminder_before_a_certificate_expires_while_the_person_still_takes_part(draft, requester):
    person = person_add(
        request=draft,
        actor=requester,
        row=required_row(start_date=START, end_date=START + dt.timedelta(days=700)),
    )
    certificate = certificate_record(
        person=person, actor=requester, reference="A1", issued_on=START - dt.timedelta(days=10)
    )
    scheduled_jobs_run(
        now=_at(certificate.expires_on - dt.timedelta(days=40)), only=["remind_atas"]
    )
    assert not Notification.objects.filter(kind=NotificationKind.ATAS_CERTIFICATE_EXPIRING)
    scheduled_jobs_run(now=_at(certificate.expires_on - dt.timedelta(days=7)), only=["remind_atas"])
    assert Notification.objects.filter(kind=NotificationKind.ATAS_CERTIFICATE_EXPIRING).exists()


def test_retention_erases_personal_fields_and_keeps_the_chain_intact(draft, requester, settings):
    settings.PEOPLE_RETENTION_DAYS = 30
    person = person_add(request=draft, actor=requester, row=required_row())
    certificate_record(
        person=person, actor=requester, reference="ATAS-SECRET", issued_on=timezone.localdate()
    )
    declaration_record(
        person=person,
        actor=requester,
        kind=DeclarationKind.CONFLICT,
        declared_on=timezone.localdate(),
        details="Consultancy for a defence firm",
    )
    request_withdraw(actor=requester, request=draft, reason="Project dropped.")
    draft.refresh_from_db()
    assert draft.status == RequestStatus.WITHDRAWN
    closed = timezone.localdate(draft.decided_at or draft.updated_at)

    scheduled_jobs_run(now=_at(closed + dt.timedelta(days=29)), only=["erase_people"])
    person.refresh_from_db()
    assert person.name and person.erased_at is None

    scheduled_jobs_run(now=_at(closed + dt.timedelta(days=31)), only=["erase_people"])
    person.refresh_from_db()
    assert person.erased_at is not None
    assert (person.name, person.nationalities, person.cah3_code, person.start_date) == (
        "",
        [],
        "",
        None,
    )
    assert person.atas_certificates.get().reference == ""
    assert Declaration.objects.get().details == ""
    event = AuditEvent.objects.get(action="people_erased")
    assert event.changes["person_ids"] == [person.pk]
    assert "name" in event.changes["fields_erased"]
    assert "Li Wei" not in json.dumps(event.changes, ensure_ascii=False) + event.summary
    assert audit_verify_chain().broken_event_id is None
    assert audit_verify_chain().problem == ""
    # Nothing left to erase: the job runs again without a second event.
    scheduled_jobs_run(now=_at(closed + dt.timedelta(days=32)), only=["erase_people"])
    assert AuditEvent.objects.filter(action="people_erased").count() == 1
    assert Person.objects.count() == 1
