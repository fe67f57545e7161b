"""Checklist answers: validation, the version a request keeps, and the audit trail."""

import pytest
from django.core.files.base import ContentFile

from assessments.checklists import (
    AnswerInput,
    checklist_answer_validate,
    checklist_answers_save,
    checklist_version_snapshot,
)
from assessments.models import (
    Attachment,
    AuditEvent,
    ChecklistAnswer,
    ChecklistItem,
    RequestStatus,
)
from ukcn.refusals import Refusal

from .checklist_factories import load_reference_data, make_request


def validate(answer, evidence_required=False, evidence_notes="", explanation=""):
    return checklist_answer_validate(
        answer=answer,
        evidence_required=evidence_required,
        evidence_notes=evidence_notes,
        explanation=explanation,
    )


def test_unsure_without_an_explanation_is_refused():
    assert "Explain why you are unsure" in validate("unsure")["explanation"]
    assert validate("unsure", explanation="Waiting for the partner's funding letter.") == {}


def test_not_applicable_without_an_explanation_is_refused():
    assert "does not apply" in validate("not_applicable", explanation="  ")["explanation"]


@pytest.mark.parametrize("answer", ["met", "partly_met"])
def test_claiming_an_evidence_required_practice_needs_evidence_notes(answer):
    assert "needs evidence" in validate(answer, evidence_required=True)["evidence_notes"]
    assert validate(answer, evidence_required=True, evidence_notes="Minutes of 3 May") == {}


def test_not_met_needs_no_evidence_and_items_without_evidence_need_none():
    assert validate("not_met", evidence_required=True) == {}
    assert validate("met", evidence_required=False) == {}


def in_review(requester, engineering):
    """Reviewers answer the checklist of a request in review (never of a draft)."""
    return make_request(
        created_by=requester, department=engineering, status=RequestStatus.UNDER_REVIEW
    )


@pytest.fixture
def partnership_request(requester, engineering):
    load_reference_data()
    return in_review(requester, engineering)


def test_saving_answers_records_them_against_the_current_version_and_audits_each(
    partnership_request, reviewer
):
    changed = checklist_answers_save(
        request=partnership_request,
        actor=reviewer,
        answers=[
            AnswerInput("GP-01", "met"),
            AnswerInput("GP-07", "partly_met", evidence_notes="Searched news and trackers."),
            AnswerInput("GP-02", ""),
        ],
    )
    assert changed == 2
    answers = ChecklistAnswer.objects.filter(request=partnership_request)
    assert {a.ref_id: a.answer for a in answers} == {"GP-01": "met", "GP-07": "partly_met"}
    assert {a.checklist_version.number for a in answers} == {1}
    events = AuditEvent.objects.filter(action="checklist.answered", request=partnership_request)
    assert events.count() == 2
    assert events.first().changes["to"]["answer"] in {"met", "partly_met"}


def test_saving_the_same_answers_again_changes_and_audits_nothing(partnership_request, reviewer):
    answers = [AnswerInput("GP-01", "met")]
    checklist_answers_save(request=partnership_request, actor=reviewer, answers=answers)
    before = AuditEvent.objects.count()
    assert checklist_answers_save(request=partnership_request, actor=reviewer, answers=answers) == 0
    assert AuditEvent.objects.count() == before


def test_clearing_an_answer_removes_it(partnership_request, reviewer):
    checklist_answers_save(
        request=partnership_request, actor=reviewer, answers=[AnswerInput("GP-01", "met")]
    )
    checklist_answers_save(
        request=partnership_request, actor=reviewer, answers=[AnswerInput("GP-01", "")]
    )
    assert not ChecklistAnswer.objects.filter(request=partnership_request).exists()


def test_the_service_refuses_an_unexplained_unsure_answer_and_saves_nothing(
    partnership_request, reviewer
):
    with pytest.raises(Refusal, match="GP-03: Explain why you are unsure"):
        checklist_answers_save(
            request=partnership_request,
            actor=reviewer,
            answers=[AnswerInput("GP-01", "met"), AnswerInput("GP-03", "unsure")],
        )
    assert not ChecklistAnswer.objects.exists()


def test_evidence_must_be_an_attachment_of_the_same_request(
    partnership_request, reviewer, requester, engineering, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    other = make_request(created_by=requester, department=engineering)
    attachment = Attachment.objects.create(
        request=other,
        file=ContentFile(b"x", name="x.txt"),
        original_name="x.txt",
        content_type="text/plain",
        size=1,
        sha256="0" * 64,
        uploaded_by=requester,
    )
    with pytest.raises(Refusal, match="this request's attachments"):
        checklist_answers_save(
            request=partnership_request,
            actor=reviewer,
            answers=[AnswerInput("GP-01", "met", attachment=attachment)],
        )


def test_a_request_keeps_the_checklist_version_it_was_answered_against(
    partnership_request, reviewer, requester, engineering
):
    checklist_answers_save(
        request=partnership_request, actor=reviewer, answers=[AnswerInput("GP-01", "met")]
    )
    item = ChecklistItem.objects.get(ref_id="GP-02")
    item.evidence_required = False
    item.save()
    assert checklist_version_snapshot(actor=reviewer, source="test").number == 2
    # Still version 1 for this request: GP-02 there needs evidence for "met".
    with pytest.raises(Refusal, match="GP-02: This item needs evidence"):
        checklist_answers_save(
            request=partnership_request, actor=reviewer, answers=[AnswerInput("GP-02", "met")]
        )
    fresh = in_review(requester, engineering)
    checklist_answers_save(request=fresh, actor=reviewer, answers=[AnswerInput("GP-02", "met")])
    assert ChecklistAnswer.objects.get(request=fresh).checklist_version.number == 2
