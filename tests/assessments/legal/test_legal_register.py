"""The legal register and its reminders, on a frozen clock (the job is given its `now`)."""

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from assessments import workflow
from assessments.legal.register import legal_reminders_send, register_rows
from assessments.legal.services import (
    ExportInput,
    FirsInput,
    export_determination_record,
    firs_determination_record,
)
from assessments.models import (
    AuditEvent,
    LegalAlert,
    Notification,
    NotificationKind,
    Organisation,
    PartnershipRequest,
    RequestStatus,
)
from assessments.scheduling import scheduled_jobs_run

from ..request_factories import advance, ensure_checklist_and_policy, give_sign_offs, make_request

S = RequestStatus
NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
TODAY = date(2027, 3, 1)


@pytest.fixture(autouse=True)
def reference_data(db):
    ensure_checklist_and_policy()


def licensed(requester, reviewer, *, expiry, to=S.RECOMMENDED):
    pr = make_request(requester, transfers=["items"])
    advance(pr, to=S.RECOMMENDED, requester=requester, reviewer=reviewer)
    export_determination_record(
        actor=reviewer,
        request=pr,
        data=ExportInput(
            outcome="licence_required",
            reasoning="Items on 6A.",
            ratings=["6A"],
            licence_type="siel",
            licence_reference=f"GBSIEL/{pr.pk}",
            licence_expiry=expiry,
        ),
    )
    if to != S.RECOMMENDED:
        workflow.request_decide(actor=reviewer, request=pr, outcome=to, reasoning="Ok.")
        give_sign_offs(pr)
    pr.refresh_from_db()
    return pr


def registrable(requester, reviewer, *, made):
    institute, _ = Organisation.objects.get_or_create(
        name="Tehran Institute", defaults={"country": "IR"}
    )
    pr = make_request(requester, partners=[workflow.PartnerInput(institute, "Co-lead")])
    advance(pr, to=S.RECOMMENDED, requester=requester, reviewer=reviewer)
    firs_determination_record(
        actor=reviewer,
        request=pr,
        data=FirsInput(
            outcome="registrable",
            reasoning="A ministry directs the work.",
            tier="enhanced",
            foreign_power="Iran",
            arrangement_date=made,
        ),
    )
    return pr


def reminders(kind=NotificationKind.LEGAL_DEADLINE):
    return Notification.objects.filter(kind=kind)


def test_a_licence_is_reminded_once_within_thirty_days_of_expiry(requester, reviewer):
    pr = licensed(requester, reviewer, expiry=TODAY + timedelta(days=31))
    assert legal_reminders_send(now=NOW)["licences"] == 0
    day_later = NOW + timedelta(days=1)
    assert legal_reminders_send(now=day_later)["licences"] == 1
    assert legal_reminders_send(now=day_later + timedelta(hours=1))["licences"] == 0
    [note] = reminders()
    assert note.recipient == reviewer
    assert f"GBSIEL/{pr.pk}" in note.title and "1 Apr 2027" in note.title


def test_a_firs_deadline_is_reminded_as_it_nears(requester, reviewer):
    pr = registrable(requester, reviewer, made=date(2027, 2, 27))  # due 8 March (10 days)
    assert legal_reminders_send(now=NOW - timedelta(days=2))["firs"] == 0
    assert legal_reminders_send(now=NOW + timedelta(days=2))["firs"] == 1  # 3 March: 5 days
    assert "8 Mar 2027" in reminders().get().title
    assert legal_reminders_send(now=NOW + timedelta(days=9))["firs"] == 1  # passed: told again
    assert pr.reference in reminders().order_by("id").last().title


def test_an_expired_licence_on_a_decided_request_raises_one_alert(requester, reviewer, client):
    pr = licensed(requester, reviewer, expiry=TODAY - timedelta(days=1), to=S.APPROVED)
    assert pr.status == S.APPROVED
    assert legal_reminders_send(now=NOW)["alerts"] == 1
    assert legal_reminders_send(now=NOW + timedelta(hours=2))["alerts"] == 0
    alert = LegalAlert.objects.get()
    assert alert.request == pr and "expired on 28 Feb 2027" in alert.message
    client.force_login(reviewer)
    page = client.get(reverse("assessments:request_legal", args=[pr.reference]))
    assert 'data-legal-alert="licence_expired"' in page.content.decode()
    # Recording the renewed licence clears the alert.
    export_determination_record(
        actor=reviewer,
        request=pr,
        data=ExportInput(
            outcome="licence_required",
            reasoning="Renewed.",
            ratings=["6A"],
            licence_type="siel",
            licence_reference="GBSIEL/RENEWED",
            licence_expiry=date(2030, 1, 1),
        ),
    )
    alert.refresh_from_db()
    assert alert.cleared_at is not None


def test_the_scheduler_runs_the_legal_job(requester, reviewer):
    licensed(requester, reviewer, expiry=TODAY + timedelta(days=3))
    [result] = scheduled_jobs_run(now=NOW, only=["remind_legal_deadlines"])
    assert result.outcome == "done"
    assert result.summary.startswith("1 licence(s) expiring")


def test_the_register_lists_open_and_expiring_items_and_filters(
    requester, reviewer, auditor, client
):
    soon = licensed(requester, reviewer, expiry=timezone.localdate() + timedelta(days=10))
    later = licensed(requester, reviewer, expiry=timezone.localdate() + timedelta(days=400))
    firs = registrable(requester, reviewer, made=timezone.localdate())
    rows = register_rows(PartnershipRequest.objects.all())
    states = {(row.request.reference, row.kind): row.state for row in rows}
    assert states[(soon.reference, "export_licence")] == "expiring"
    assert states[(later.reference, "export_licence")] == "satisfied"
    assert states[(firs.reference, "firs_registration")] == "open"

    client.force_login(auditor)
    url = reverse("assessments:legal_register")
    body = client.get(url).content.decode()  # open items by default
    assert soon.reference in body and firs.reference in body and later.reference not in body
    body = client.get(url, {"kind": "firs_registration", "state": ""}).content.decode()
    assert firs.reference in body and soon.reference not in body
    assert client.get(url, {"state": "nonsense"}).status_code == 400

    response = client.get(url, {"state": "", "format": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    assert table[0][:2] == ["Request", "Title"] and len(table) == 4
    response = client.get(url, {"state": "", "format": "xlsx"})
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert workbook.active.max_row == 4
    assert AuditEvent.objects.filter(action="legal.register_exported").count() == 2


def test_requesters_have_no_register(requester, client):
    client.force_login(requester)
    assert client.get(reverse("assessments:legal_register")).status_code == 403
