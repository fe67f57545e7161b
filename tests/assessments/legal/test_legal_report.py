"""The audit report (HTML and PDF) shows each determination with its evidence and references;
a decided request's report shows them as they stood at the decision."""

import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from assessments import workflow
from assessments.legal.services import ExportInput, export_determination_record
from assessments.models import RequestStatus
from assessments.reports.audit_report import audit_report_build, audit_report_render
from assessments.workflow.attachments import attachment_add

from ..request_factories import (
    advance,
    ensure_checklist_and_policy,
    give_sign_offs,
    make_request,
)


@pytest.fixture(autouse=True)
def _setup(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    ensure_checklist_and_policy()


def licensed(requester, reviewer):
    pr = make_request(requester, transfers=["technology"])
    advance(pr, to=RequestStatus.RECOMMENDED, requester=requester, reviewer=reviewer)
    letter = attachment_add(
        actor=reviewer,
        request=pr,
        uploaded_file=SimpleUploadedFile("siel-letter.pdf", b"%PDF-1.4 x", "application/pdf"),
    )
    export_determination_record(
        actor=reviewer,
        request=pr,
        data=ExportInput(
            outcome="licence_required",
            reasoning="Know-how for ML22.",
            ratings=["ML22"],
            licence_type="siel",
            licence_reference="GBSIEL/2026/777",
        ),
        evidence=[letter],
    )
    return pr


def test_the_report_shows_the_determination_with_its_evidence(requester, reviewer, tmp_path):
    pr = licensed(requester, reviewer)
    report = audit_report_build(request=pr, generated_by="Dr Auditor")
    html = audit_report_render(report=report, fmt="html").decode()
    assert "5. Legal determinations" in html
    assert "GBSIEL/2026/777" in html and "siel-letter.pdf" in html
    assert "ML22 — Technology" in html
    path = tmp_path / "report.pdf"
    path.write_bytes(audit_report_render(report=report, fmt="pdf"))
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    assert "Legal determinations" in text and "GBSIEL/2026/777" in text


def test_a_decided_requests_report_keeps_the_determination_it_was_decided_under(
    requester, reviewer
):
    pr = licensed(requester, reviewer)
    workflow.request_decide(actor=reviewer, request=pr, outcome="approved", reasoning="Ok.")
    give_sign_offs(pr)
    assert pr.is_decided
    export_determination_record(
        actor=reviewer,
        request=pr,
        data=ExportInput(
            outcome="licence_required",
            reasoning="Licence renewed.",
            ratings=["ML22"],
            licence_type="siel",
            licence_reference="GBSIEL/2027/888",
        ),
    )
    html = audit_report_render(
        report=audit_report_build(request=pr, generated_by="Dr Auditor"), fmt="html"
    ).decode()
    legal = html.split("5. Legal determinations")[1].split("6. Recommendations")[0]
    assert "GBSIEL/2026/777" in legal and "GBSIEL/2027/888" not in legal
    assert "as they stood when the request was decided" in legal
