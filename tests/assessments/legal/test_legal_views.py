"""The legal determinations page: reviewers record, the central office and auditors read,
requesters neither; refused input is shown on the form and records nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments.gates import request_gates
from assessments.models import LegalDetermination, RequestStatus

from ..request_factories import advance, ensure_checklist_and_policy, make_request

S = RequestStatus


@pytest.fixture(autouse=True)
def reference_data(db):
    ensure_checklist_and_policy()


@pytest.fixture
def pr(requester, reviewer):
    request = make_request(requester, transfers=["technology"], ip_kind="none")
    advance(request, to=S.RECOMMENDED, requester=requester, reviewer=reviewer)
    request.refresh_from_db()
    return request


def url(pr):
    return reverse("assessments:request_legal", args=[pr.reference])


def test_a_reviewer_records_a_licence_with_its_evidence(client, reviewer, pr):
    client.force_login(reviewer)
    page = client.get(url(pr))
    assert page.status_code == 200
    assert "<strong>Missing:</strong> not yet determined" in page.content.decode()
    response = client.post(
        url(pr),
        {
            "regime": "export_control",
            "export_control-outcome": "licence_required",
            "export_control-reasoning": "Process know-how for 3E.",
            "export_control-ratings": ["3E"],
            "export_control-licence_type": "siel",
            "export_control-licence_reference": "GBSIEL/2026/42",
            "export_control-licence_expiry": "2030-01-31",
            "export_control-evidence": SimpleUploadedFile(
                "licence.pdf", b"%PDF-1.4 x", "application/pdf"
            ),
        },
    )
    assert response.status_code == 302
    record = LegalDetermination.objects.get()
    assert record.licence_reference == "GBSIEL/2026/42"
    assert [a.original_name for a in record.evidence.all()] == ["licence.pdf"]
    gate = next(g for g in request_gates(pr, "decide") if g.code == "export_control")
    assert gate.satisfied
    page = client.get(url(pr)).content.decode()
    assert "GBSIEL/2026/42" in page and "3E — Electronics: technology" in page


def test_an_incomplete_determination_is_shown_on_the_form(client, reviewer, pr):
    client.force_login(reviewer)
    response = client.post(
        url(pr), {"regime": "export_control", "export_control-outcome": "exempt"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Choose the basis" in body and "Say why the exemption applies." in body
    assert not LegalDetermination.objects.exists()


def test_requesters_neither_read_nor_record(client, requester, pr):
    client.force_login(requester)
    assert client.get(url(pr)).status_code == 403
    detail = client.get(pr.get_absolute_url()).content.decode()
    assert 'id="legal"' not in detail


def test_auditors_read_without_forms(client, auditor, pr):
    client.force_login(auditor)
    page = client.get(url(pr))
    assert page.status_code == 200
    assert 'name="regime"' not in page.content.decode()
    response = client.post(url(pr), {"regime": "export_control"})
    assert response.status_code == 403


def test_the_request_page_links_the_open_gate_to_the_step(client, reviewer, pr):
    client.force_login(reviewer)
    body = client.get(pr.get_absolute_url()).content.decode()
    assert f"{url(pr)}#legal-export_control" in body
    assert 'id="legal"' in body
