"""People services: who may change them, the audit trail without personal data, certificates,
declarations, the ATAS gate."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from assessments.gates import open_gates, request_gates
from assessments.models import (
    AuditEvent,
    DeclarationKind,
    Notification,
    NotificationKind,
    Organisation,
    Person,
    RequestStatus,
)
from assessments.people.services import (
    certificate_record,
    declaration_record,
    declarations_request,
    person_add,
    person_remove,
    person_update,
)
from assessments.people.status import MAY_NOT_START, request_standings
from tests.assessments.people.conftest import required_row
from tests.assessments.request_factories import advance
from ukcn.refusals import Refusal

PEOPLE_ACTIONS = (
    "person_added",
    "person_updated",
    "person_removed",
    "atas_certificate_recorded",
    "declarations_requested",
    "declaration_recorded",
)


def _events_text():
    events = AuditEvent.objects.filter(action__in=PEOPLE_ACTIONS)
    assert events.exists()
    return json.dumps(list(events.values("summary", "changes")), ensure_ascii=False)


def test_a_requester_adds_a_person_and_the_event_names_no_personal_data(student, draft):
    event = AuditEvent.objects.filter(action="person_added").get()
    assert event.summary == f"Person #{student.pk} (student) added to {draft.reference}"
    text = _events_text()
    for personal in ("Li Wei", "李伟", "CN", "CAH07", "PhD student"):
        assert personal not in text


def test_a_correction_records_which_fields_changed_not_their_values(student, requester):
    person_update(person=student, actor=requester, row={"nationalities": ["CN", "FR"]})
    event = AuditEvent.objects.filter(action="person_updated").get()
    assert event.changes == {"person_id": student.pk, "fields_changed": ["nationalities"]}
    assert "FR" not in _events_text()


def test_invalid_rows_are_refused_and_nothing_is_saved(draft, requester):
    with pytest.raises(Refusal) as refused:
        person_add(
            request=draft,
            actor=requester,
            row=required_row(nationalities=["XX"], cah3_code="physics", soc_code="21"),
        )
    assert refused.value.kind == "invalid"
    assert set(refused.value.fields) == {"nationalities", "cah3_code", "soc_code"}
    assert not Person.objects.exists()


def test_another_department_may_not_add_people(draft, other_requester):
    with pytest.raises(Refusal) as refused:
        person_add(request=draft, actor=other_requester, row=required_row())
    assert refused.value.kind == "forbidden"


def test_once_submitted_only_a_reviewer_corrects(student, draft, requester, reviewer):
    advance(draft, to=RequestStatus.SUBMITTED, requester=requester, reviewer=reviewer)
    with pytest.raises(Refusal):
        person_update(person=student, actor=requester, row={"project_role": "Postdoc"})
    person_update(person=student, actor=reviewer, row={"project_role": "Postdoc"})
    student.refresh_from_db()
    assert student.project_role == "Postdoc"
    person_remove(person=student, actor=reviewer)
    assert not Person.objects.exists()


def test_gate_holds_until_the_required_certificate_is_recorded(student, draft, requester):
    gate = next(g for g in request_gates(draft, "decide") if g.code == "atas_certificates")
    assert not gate.satisfied
    assert f"Person #{student.pk} (student)" in gate.message
    today = timezone.localdate()
    certificate_record(person=student, actor=requester, reference="ATAS-123", issued_on=today)
    gate = next(g for g in request_gates(draft, "decide") if g.code == "atas_certificates")
    assert gate.satisfied
    event = AuditEvent.objects.get(action="atas_certificate_recorded")
    assert "ATAS-123" not in json.dumps(event.changes)


def test_an_expired_certificate_does_not_count(student, draft, requester):
    long_ago = timezone.localdate() - timedelta(days=400)
    certificate_record(person=student, actor=requester, reference="OLD", issued_on=long_ago)
    assert any(g.code == "atas_certificates" for g in open_gates(draft, "decide"))


def test_unknown_determination_holds_the_gate_and_names_what_is_missing(draft, requester):
    person = person_add(
        request=draft, actor=requester, row=required_row(immigration_route="", nationalities=[])
    )
    gate = next(g for g in open_gates(draft, "decide") if g.code == "atas_certificates")
    assert f"Person #{person.pk} (student): missing nationality, immigration status or route" in (
        gate.message
    )


def test_a_request_without_people_has_no_atas_gate(draft):
    assert "atas_certificates" not in {g.code for g in request_gates(draft, "decide")}


def test_not_required_people_satisfy_the_gate(draft, requester):
    person_add(request=draft, actor=requester, row=required_row(nationalities=["US"]))
    gate = next(g for g in request_gates(draft, "decide") if g.code == "atas_certificates")
    assert gate.satisfied


def test_may_not_start_when_the_start_is_near_without_a_certificate(draft, requester):
    soon = timezone.localdate() + timedelta(days=5)
    person_add(request=draft, actor=requester, row=required_row(start_date=soon))
    person_add(request=draft, actor=requester, row=required_row())  # starts in 60 days
    flags = [s.may_not_start for s in request_standings(draft)]
    assert flags == [True, False]
    assert MAY_NOT_START == "may not start: ATAS certificate missing"


def test_declarations_are_asked_for_by_a_reviewer_and_recorded_with_who_and_when(
    student, draft, requester, reviewer
):
    with pytest.raises(Refusal):
        declarations_request(person=student, actor=requester)
    declarations_request(person=student, actor=reviewer)
    note = Notification.objects.get(kind=NotificationKind.PEOPLE_DECLARATIONS_REQUESTED)
    assert note.recipient == requester and "Li Wei" not in note.body
    organisation = Organisation.objects.create(name="Harbin Institute of Technology", country="CN")
    declaration = declaration_record(
        person=student,
        actor=requester,
        kind=DeclarationKind.AFFILIATION,
        organisation=organisation,
        declared_on=timezone.localdate(),
        details="Adjunct post",
    )
    assert declaration.entered_by == requester and declaration.entered_at
    with pytest.raises(Refusal):
        declaration_record(
            person=student,
            actor=requester,
            kind=DeclarationKind.AFFILIATION,
            declared_on=timezone.localdate(),
        )
    assert "Adjunct" not in _events_text()


def test_declarations_a_reviewer_asked_for_wait_in_the_requesters_queue_until_entered(
    student, draft, requester, reviewer
):
    from assessments.queues import dashboard_panels

    def waiting():
        panel = next(p for p in dashboard_panels(requester) if p.key == "declarations_to_collect")
        return [r.reference for r in panel.requests]

    assert waiting() == []
    declarations_request(person=student, actor=reviewer)
    assert waiting() == [draft.reference]
    assert not any(p.key == "declarations_to_collect" for p in dashboard_panels(reviewer))
    declaration_record(
        person=student,
        actor=requester,
        kind=DeclarationKind.NONE,
        declared_on=timezone.localdate(),
    )
    assert waiting() == []
