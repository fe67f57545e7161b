import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import ProtectedError
from django.urls import reverse

from assessments import workflow
from assessments.audit import audit_record, audit_verify_chain
from assessments.models import AuditEvent
from tests.assessments.request_factories import make_request

User = get_user_model()


@pytest.fixture
def acted(requester):
    """A requester who has audit events to their name."""
    pr = make_request(requester)
    workflow.request_submit(actor=requester, request=pr, ip="192.0.2.10")
    return requester


def test_deleting_a_user_in_the_admin_deactivates_them_and_keeps_the_chain_intact(
    client, admin_user, acted, capsys
):
    client.force_login(admin_user)
    url = reverse("admin:auth_user_delete", args=[acted.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert b"Yes, deactivate" in page.content
    response = client.post(url, {"post": "yes"}, REMOTE_ADDR="192.0.2.7")
    assert response.status_code == 302
    acted.refresh_from_db()
    assert not acted.is_active
    event = AuditEvent.objects.get(action="user.deactivated")
    assert event.actor == admin_user
    assert event.object_id == str(acted.pk)
    assert event.ip_address == "192.0.2.7"
    call_command("verify_audit_log")
    assert "audit log intact" in capsys.readouterr().out


def test_the_admin_bulk_action_deactivates_instead_of_deleting(client, admin_user, acted):
    client.force_login(admin_user)
    changelist = reverse("admin:auth_user_changelist")
    assert b"delete_selected" not in client.get(changelist).content
    response = client.post(
        changelist, {"action": "deactivate_selected", "_selected_action": [acted.pk]}
    )
    assert response.status_code == 302
    acted.refresh_from_db()
    assert not acted.is_active
    assert AuditEvent.objects.filter(action="user.deactivated").count() == 1
    # The delete action is gone: asking for it deletes nothing.
    client.post(changelist, {"action": "delete_selected", "_selected_action": [acted.pk]})
    assert User.objects.filter(pk=acted.pk).exists()


def test_the_database_refuses_to_delete_a_user_with_audit_events(auditor):
    # An auditor owns no requests: only the audit event protects them.
    audit_record(actor=auditor, action="report.exported", summary="Exported the audit log")
    with pytest.raises(ProtectedError):
        auditor.delete()
    assert audit_verify_chain().ok
