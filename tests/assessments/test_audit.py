from itertools import pairwise

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from assessments import workflow
from assessments.audit import GENESIS_HASH, audit_record, audit_verify_chain
from assessments.models import AuditEvent
from tests.conftest import audit_tampering

from .request_factories import make_request


def test_workflow_events_form_an_intact_chain(requester):
    pr = make_request(requester)
    workflow.request_submit(actor=requester, request=pr, ip="192.0.2.10")
    events = list(AuditEvent.objects.order_by("id"))
    assert events[0].previous_hash == GENESIS_HASH
    assert all(b.previous_hash == a.hash for a, b in pairwise(events))
    submitted = next(e for e in events if e.action == "request.submitted")
    assert submitted.ip_address == "192.0.2.10"
    # Submitting screens the partners, on the record too.
    assert events[-1].action == "screening.run"
    assert audit_verify_chain().ok


def test_verify_audit_log_reports_an_intact_chain(requester, capsys):
    make_request(requester)
    call_command("verify_audit_log")
    assert "audit log intact: 1 events verified" in capsys.readouterr().out


def test_a_tampered_summary_breaks_the_chain_and_the_command_names_the_event(requester):
    pr = make_request(requester)
    workflow.request_submit(actor=requester, request=pr)
    workflow.request_withdraw(actor=requester, request=pr)
    submitted = AuditEvent.objects.get(action="request.submitted")
    # A direct database edit, as someone bypassing the app would make.
    with audit_tampering():
        AuditEvent.objects.filter(pk=submitted.pk).update(summary="Nothing to see here")
    report = audit_verify_chain()
    assert report.broken_event_id == submitted.pk
    assert report.checked == 1
    with pytest.raises(CommandError, match=f"broken at event {submitted.pk}: its content"):
        call_command("verify_audit_log")


def test_tampering_with_changes_is_detected(requester):
    make_request(requester)
    event = AuditEvent.objects.get()
    changes = dict(event.changes, title=[None, "Something harmless"])
    with audit_tampering():
        AuditEvent.objects.filter(pk=event.pk).update(changes=changes)
    assert audit_verify_chain().broken_event_id == event.pk


def test_a_deleted_event_breaks_the_link_of_the_one_after_it(requester):
    pr = make_request(requester)
    workflow.request_submit(actor=requester, request=pr)
    workflow.request_withdraw(actor=requester, request=pr)
    middle = AuditEvent.objects.get(action="request.submitted")
    after = AuditEvent.objects.filter(pk__gt=middle.pk).order_by("id").first()
    with audit_tampering():
        AuditEvent.objects.filter(pk=middle.pk).delete()
    report = audit_verify_chain()
    assert report.broken_event_id == after.pk
    assert "link" in report.problem


def test_a_rehashed_forgery_still_breaks_the_next_link(requester):
    pr = make_request(requester)
    workflow.request_submit(actor=requester, request=pr)
    first = AuditEvent.objects.order_by("id").first()
    from assessments.audit import event_hash

    first.summary = "Forged"
    with audit_tampering():
        AuditEvent.objects.filter(pk=first.pk).update(summary="Forged", hash=event_hash(first))
    second = AuditEvent.objects.order_by("id")[1]
    # Without the key, the next link gives it away; with it, the forged event's own HMAC does.
    assert audit_verify_chain(check_macs=False).broken_event_id == second.pk
    assert audit_verify_chain().broken_event_id == first.pk


def test_an_uncanonical_ipv6_address_still_verifies(db):
    # The database stores the canonical form ("2001:db8::1"); the hash must cover that form.
    audit_record(actor=None, action="test", summary="from IPv6", ip="2001:0db8:0000::0001")
    assert AuditEvent.objects.get().ip_address == "2001:db8::1"
    assert audit_verify_chain().ok


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_postgresql_refuses_to_update_or_delete_an_audit_event(requester):
    make_request(requester)
    event = AuditEvent.objects.get()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(summary="Nothing to see here")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    event.refresh_from_db()
    assert audit_verify_chain().ok
