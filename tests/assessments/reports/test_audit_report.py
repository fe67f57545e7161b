"""The per-request audit report: its content, the PDF, who may have it, audit records, command."""

import subprocess
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from assessments import workflow
from assessments.audit import audit_chain_head, audit_record
from assessments.checklists import AnswerInput, checklist_answers_save
from assessments.models import AuditEvent, Decision, ScreeningMatch, SignOff
from assessments.reports.audit_report import audit_report_build, audit_report_render
from tests.assessments.request_factories import ensure_checklist_and_policy, make_request

from .audit_report_data import (
    CONDITION,
    CONFIRM_REASON,
    DISMISS_REASON,
    EVIDENCE,
    reviewed_request,
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def reviewed(requester, reviewer, approver):
    return reviewed_request(requester=requester, reviewer=reviewer, approver=approver)


def poppler(*command: str) -> str:
    """Run one of poppler-utils' tools (installed by .ci/system-deps) and return its output."""
    return subprocess.run(command, capture_output=True, check=True, text=True).stdout


def html_of(request) -> str:
    report = audit_report_build(request=request, generated_by="Dr Auditor")
    return audit_report_render(report=report, fmt="html").decode()


# --- content ---------------------------------------------------------------------------------


def test_the_header_names_the_request_the_time_the_person_and_the_chain_hash(reviewed):
    head = audit_chain_head()
    report = audit_report_build(request=reviewed, generated_by="Dr Auditor")
    assert report.chain_head == head
    assert report.chain_head_event_id == AuditEvent.objects.get(hash=head).pk
    page = audit_report_render(report=report, fmt="html").decode()
    header = page.split("</header>")[0]
    assert f"Audit report: {reviewed.reference}" in header
    assert "Dr Auditor" in header
    assert head in header
    assert report.generated_at.strftime("%Y") in header


def test_the_report_shows_each_screening_result_with_the_reviewers_decision_and_reason(reviewed):
    page = html_of(reviewed)
    screening = page.split('id="screening-heading"')[1].split('id="checklist-heading"')[0]
    assert "Defence universities tracker, version 3" in screening
    assert "imported " in screening
    assert "1.00" in screening
    assert "proper words agree" in screening  # the matcher's explanation
    assert "Dismissed" in screening and DISMISS_REASON.replace("'", "&#x27;") in screening
    assert "Confirmed" in screening and CONFIRM_REASON in screening
    assert "国防科技大学" in screening and "清华大学" in screening


def test_the_report_says_which_matches_lapsed_or_left_their_list(reviewed):
    confirmed = ScreeningMatch.objects.filter(partner__request=reviewed, status="confirmed")
    confirmed.update(delisted_at=timezone.now())
    ScreeningMatch.objects.filter(partner__request=reviewed, status="dismissed").update(
        status="lapsed", reason="Closed by screening: the entry is no longer on the list."
    )
    screening = html_of(reviewed).split('id="screening-heading"')[1]
    assert "Entry no longer listed since " in screening
    assert "Lapsed</span><br>closed by screening, " in screening
    assert "Closed by screening: the entry is no longer on the list." in screening


def test_the_report_lists_checklist_answers_with_their_evidence(reviewed):
    page = html_of(reviewed)
    checklist = page.split('id="checklist-heading"')[1].split('id="assessment-heading"')[0]
    assert "Checklist version 1: 21 of 21" in checklist
    assert "research landscape of the partner" in checklist  # GP-02's question
    assert EVIDENCE in checklist
    assert "landscape.pdf" in checklist
    assert "Not applicable" in checklist and "The partner works in English." in checklist


def test_the_report_marks_checklist_items_not_yet_answered(requester, reviewer):
    pr = make_request(requester)
    workflow.request_submit(actor=requester, request=pr)
    workflow.request_take_into_review(actor=reviewer, request=pr)
    ensure_checklist_and_policy()
    checklist_answers_save(
        request=pr, actor=reviewer, answers=[AnswerInput("GP-01", "met", evidence_notes="Seen.")]
    )
    checklist = html_of(pr).split('id="checklist-heading"')[1].split('id="assessment-heading"')[0]
    assert "Checklist version 1: 1 of 21" in checklist
    assert checklist.count("Not answered") == 20


def test_the_report_explains_the_assessment_under_its_policy_version(reviewed):
    assessment = reviewed.assessments.get()
    page = html_of(reviewed)
    section = page.split('id="assessment-heading"')[1].split('id="decision-heading"')[0]
    assert f"version {assessment.policy.number}" in section
    assert "Very high" in section
    assert "Confirmed watchlist match" in section
    # The cell, the outcome, each factor's level with its reason, each control applied.
    assert escape(assessment.explanation["summary"]) in section
    assert escape(assessment.matrix_cell) in section
    assert assessment.outcome_label in section
    for factor in assessment.factor_rows:
        assert escape(factor["sentence"]) in section
        assert f"<td>{factor['axis_label']}</td>" in section
    for control in assessment.control_rows:
        assert escape(control["sentence"]) in section
    assert "Defence universities tracker version 3" in section


def test_the_report_shows_the_recommendation_and_the_decision_with_its_conditions(reviewed):
    page = html_of(reviewed)
    section = page.split('id="decision-heading"')[1].split('id="attachments-heading"')[0]
    assert "Recommended: Approve with conditions" in section
    assert "Decided: Approved with conditions" in section
    assert "Approved by the committee with the licence condition." in section
    assert CONDITION in section
    assert "approver" in section


def test_the_timeline_lists_every_event_of_the_request_up_to_the_chain_head(reviewed, reviewer):
    report = audit_report_build(request=reviewed, generated_by="Dr Auditor")
    expected = list(AuditEvent.objects.filter(request=reviewed).order_by("id"))
    assert report.timeline == expected
    actions = [event.action for event in report.timeline]
    for action in ("request.created", "screening.match_dismissed", "checklist.answered"):
        assert action in actions
    assert actions[-1] == "request.decided"
    page = audit_report_render(report=report, fmt="html").decode()
    timeline = page.split('id="timeline-heading"')[1]
    for event in expected:
        assert event.hash[:10] in timeline
    # An event recorded after the report was built is not in it: the hash covers the timeline.
    audit_record(actor=reviewer, action="note", summary="Later", request=reviewed)
    assert report.timeline == expected


def test_a_draft_request_has_a_report_that_says_what_is_missing(requester):
    page = html_of(make_request(requester))
    assert "Not assessed under a scoring policy" in page
    assert "No recommendation or decision yet." in page
    assert "Not screened." in page


def test_the_report_lists_each_sign_off_with_its_signer(reviewed):
    sign_off = SignOff.objects.get(request=reviewed)
    section = (
        html_of(reviewed).split('id="decision-heading"')[1].split('id="attachments-heading"')[0]
    )
    assert "Sign-offs this decision's route requires" in section
    assert "1. A senior officer" in section
    assert "Given" in section and sign_off.signed_by.username in section
    assert "a senior officer co-signs" in section  # the route the decision followed


def test_the_report_lists_the_gates_as_they_stood_when_it_was_made(requester, reviewer):
    pr = make_request(requester)
    workflow.request_submit(actor=requester, request=pr)
    workflow.request_take_into_review(actor=reviewer, request=pr)
    ensure_checklist_and_policy()
    section = html_of(pr).split('id="decision-heading"')[1].split('id="attachments-heading"')[0]
    assert "Checks before a recommendation, as they stood when this report was generated" in section
    assert "Every applicable checklist item answered" in section
    assert "1 checklist item unanswered (CT-08)" in section
    assert "the risk has not been assessed" in section


def test_the_report_says_all_gates_were_satisfied_for_a_decided_request(reviewed):
    section = html_of(reviewed).split('id="decision-heading"')[1]
    assert (
        "Checks before a decision, as they stood when this report was generated: all satisfied"
        in section
    )
    assert "Missing:" not in section.split('id="attachments-heading"')[0]


def test_a_decision_made_before_the_gates_is_marked_as_such(reviewed):
    Decision.objects.filter(request=reviewed).update(gates_enforced=False)
    assert "decided before decision gates were enforced" in html_of(reviewed)


def test_a_decision_after_the_gates_carries_no_such_mark(reviewed):
    assert "decided before decision gates were enforced" not in html_of(reviewed)


def test_a_superseded_decision_stays_in_the_report_marked_as_such(reviewed):
    Decision.objects.filter(request=reviewed).update(superseded=True)
    assert "superseded by a later review" in html_of(reviewed)


# --- the PDF ---------------------------------------------------------------------------------


def test_the_pdf_is_a_real_pdf_with_the_reference_on_page_one(reviewed, tmp_path):
    report = audit_report_build(request=reviewed, generated_by="Dr Auditor")
    pdf = audit_report_render(report=report, fmt="pdf")
    assert pdf.startswith(b"%PDF-")
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    first_page = poppler("pdftotext", "-f", "1", "-l", "1", str(path), "-")
    assert f"Audit report: {reviewed.reference}" in first_page
    assert report.chain_head in first_page


def test_chinese_partner_names_are_text_in_an_embedded_cjk_font(reviewed, tmp_path):
    report = audit_report_build(request=reviewed, generated_by="Dr Auditor")
    path = tmp_path / "report.pdf"
    path.write_bytes(audit_report_render(report=report, fmt="pdf"))
    text = poppler("pdftotext", str(path), "-")
    assert "国防科技大学" in text and "清华大学" in text
    fonts = [line for line in poppler("pdffonts", str(path)).splitlines() if "WenQuanYi" in line]
    assert fonts and all(" yes " in line for line in fonts)  # embedded


# --- on the web ------------------------------------------------------------------------------


def test_the_page_is_served_to_the_reviewer_and_the_viewing_is_audited(client, reviewed, reviewer):
    client.force_login(reviewer)
    head = audit_chain_head()
    response = client.get(reverse("assessments:request_report", args=[reviewed.reference]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert head in page
    assert f'href="/requests/{reviewed.reference}/report.pdf"' in page
    event = AuditEvent.objects.get(action="report.audit_report")
    assert event.actor == reviewer and event.request == reviewed
    assert event.ip_address == "127.0.0.1"
    assert event.changes["format"] == "html"
    assert event.changes["channel"] == "web"
    assert event.changes["chain_head"] == head
    assert event.previous_hash == head  # nothing happened in between


def test_the_pdf_download_is_an_audited_attachment(client, reviewed, auditor):
    client.force_login(auditor)
    response = client.get(f"/requests/{reviewed.reference}/report.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="ukcn-audit-report-{reviewed.reference}.pdf"'
    )
    event = AuditEvent.objects.get(action="report.audit_report")
    assert event.actor == auditor
    assert event.changes["format"] == "pdf"


def test_a_requester_may_have_the_report_of_their_own_departments_request(
    client, reviewed, requester
):
    client.force_login(requester)
    assert client.get(f"/requests/{reviewed.reference}/report/").status_code == 200


def test_another_departments_requester_gets_404_and_nothing_is_recorded(
    client, reviewed, other_requester
):
    client.force_login(other_requester)
    assert client.get(f"/requests/{reviewed.reference}/report/").status_code == 404
    assert client.get(f"/requests/{reviewed.reference}/report.pdf").status_code == 404
    assert not AuditEvent.objects.filter(action="report.audit_report").exists()


def test_an_unknown_reference_is_404(client, reviewer):
    client.force_login(reviewer)
    assert client.get("/requests/PR-1999-9999/report/").status_code == 404


def test_the_request_page_links_to_both_forms_of_the_report(client, requester):
    pr = make_request(requester)
    client.force_login(requester)
    page = client.get(pr.get_absolute_url()).content.decode()
    assert f'href="/requests/{pr.reference}/report/"' in page
    assert f'href="/requests/{pr.reference}/report.pdf"' in page


# --- the command -----------------------------------------------------------------------------


def run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("audit_report", *args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["pdf", "html"])
def test_the_command_writes_the_report_and_records_it(reviewed, tmp_path, fmt):
    out = tmp_path / f"report.{fmt}"
    output = run(reviewed.reference, "--format", fmt, "--out", str(out))
    content = out.read_bytes()
    if fmt == "pdf":
        assert content.startswith(b"%PDF-")
    else:
        page = content.decode()
        assert f"Audit report: {reviewed.reference}" in page
        assert "manage.py audit_report" in page
        assert "/report.pdf" not in page  # a file stands alone: no links into the app
    assert output.startswith(f"wrote the audit report of {reviewed.reference} to {out} ({fmt}")
    event = AuditEvent.objects.get(action="report.audit_report")
    assert event.actor is None
    assert event.changes["channel"] == "command"
    assert event.changes["format"] == fmt


def test_the_command_names_the_user_it_is_run_for(reviewed, tmp_path, auditor):
    out = tmp_path / "report.html"
    run(reviewed.reference, "--format", "html", "--out", str(out), "--by", auditor.username)
    header = out.read_text().split("</header>")[0]
    name = auditor.get_full_name() or auditor.username
    assert f"{name} (manage.py audit_report)" in header
    event = AuditEvent.objects.get(action="report.audit_report")
    assert event.actor == auditor
    assert event.summary.endswith(f"generated by {auditor.username}")


def test_the_command_refuses_an_unknown_user(reviewed, tmp_path):
    message = one_line_error(
        reviewed.reference, "--format", "pdf", "--out", str(tmp_path / "r.pdf"), "--by", "nobody"
    )
    assert message == "--by 'nobody': no active user has that username."
    assert not (tmp_path / "r.pdf").exists()


def one_line_error(*args) -> str:
    with pytest.raises(CommandError) as raised:
        run(*args)
    message = str(raised.value)
    assert "\n" not in message
    assert not AuditEvent.objects.filter(action="report.audit_report").exists()
    return message


def test_the_command_refuses_an_unknown_reference(db, tmp_path):
    message = one_line_error("PR-1999-9999", "--format", "pdf", "--out", str(tmp_path / "r.pdf"))
    assert message == "No request has the reference 'PR-1999-9999'."


def test_the_command_refuses_a_format_it_does_not_write(reviewed, tmp_path):
    message = one_line_error(reviewed.reference, "--format", "docx", "--out", str(tmp_path / "r"))
    assert message == "--format 'docx' is not one of html, pdf."


def test_the_command_refuses_a_missing_folder_or_a_folder_as_the_file(reviewed, tmp_path):
    missing = tmp_path / "nowhere" / "r.pdf"
    assert "does not exist" in one_line_error(
        reviewed.reference, "--format", "pdf", "--out", str(missing)
    )
    assert "is a folder" in one_line_error(
        reviewed.reference, "--format", "pdf", "--out", str(tmp_path)
    )


def test_the_command_reports_a_file_it_cannot_write_in_one_line(reviewed, tmp_path, monkeypatch):
    def refuse(self, data):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "write_bytes", refuse)
    message = one_line_error(
        reviewed.reference, "--format", "html", "--out", str(tmp_path / "r.html")
    )
    assert message == f"Could not write {str(tmp_path / 'r.html')!r}: Permission denied."


def test_the_number_of_queries_does_not_grow_with_the_timeline(
    client, reviewed, reviewer, django_assert_max_num_queries
):
    client.force_login(reviewer)
    url = f"/requests/{reviewed.reference}/report/"
    # The gate list (recomputed for the report, with the assessment's input digests) costs a
    # fixed number of queries; what matters is that the timeline does not add any.
    # (52 with the checklist gate, which gathers the request's facts to know which controls apply;
    # 67 with the legal determinations' four gates and their section of the report; 69 with the
    # people: the gates' and the report's people section; PostgreSQL makes one more.)
    with django_assert_max_num_queries(70) as first:
        client.get(url)
    for n in range(30):
        audit_record(actor=reviewer, action="note", summary=f"Note {n}", request=reviewed)
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(url)
    assert "Note 29" in response.content.decode()
