"""A fully reviewed request, built through the real workflow, for the audit report's tests."""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from assessments import workflow
from assessments.checklists import (
    AnswerInput,
    checklist_answers_save,
    checklist_version_for_request,
)
from assessments.models import (
    Organisation,
    RequestStatus,
    Watchlist,
    WatchlistEntry,
    WatchlistVersion,
)
from assessments.scoring.assessing import request_assess
from assessments.screening.service import match_confirm, match_dismiss
from assessments.watchlists.entries import entry_fingerprint
from tests.assessments.request_factories import give_sign_offs, make_request

DISMISS_REASON = "A different body: the listed entry is the university's spin-out company."
CONFIRM_REASON = "Same institution: name, address and defence laboratories agree."
EVIDENCE = "Landscape note by Dr Morgan, 3 March, on file with the central office."
OTHER_EVIDENCE = "Checked against the agreement on file."
CONDITION = "Export-control licence in place before any equipment is shared."


def _tracker():
    watchlist = Watchlist.objects.create(
        name="Defence universities tracker", publisher="ASPI", format="csv"
    )
    version = WatchlistVersion.objects.create(
        watchlist=watchlist,
        number=3,
        source="tracker.csv",
        sha256="b" * 64,
        importer="csv",
        importer_version="1",
        status="active",
    )
    for external_id, name, aliases, level in [
        ("nudt", "National University of Defense Technology", ["国防科技大学"], "very_high"),
        ("tsinghua", "Tsinghua University", ["清华大学"], "medium"),
    ]:
        row = {
            "name": name,
            "aliases": aliases,
            "country": "CN",
            "risk_level": level,
            "categories": [],
        }
        WatchlistEntry.objects.create(
            version=version, external_id=external_id, fingerprint=entry_fingerprint(row), **row
        )
    return version


def reviewed_request(*, requester, reviewer, approver):
    """Screened (one match confirmed, one dismissed), checklist answered, assessed, decided by
    an approver and co-signed by a senior officer."""
    call_command("load_checklist", verbosity=0)
    _tracker()
    nudt = Organisation.objects.create(
        name="National University of Defence Technology", name_native="国防科技大学", country="CN"
    )
    tsinghua, _ = Organisation.objects.get_or_create(
        name="Tsinghua University", defaults={"name_native": "清华大学", "country": "CN"}
    )
    pr = make_request(
        requester,
        title="Joint laboratory for hypersonic materials",
        partners=[
            workflow.PartnerInput(organisation=tsinghua, role="Co-lead"),
            workflow.PartnerInput(organisation=nudt, role="Laboratory host"),
        ],
    )
    workflow.request_submit(actor=requester, request=pr)
    workflow.request_take_into_review(actor=reviewer, request=pr)
    for partner in pr.partners.select_related("organisation"):
        for match in partner.screening_matches.all():
            if partner.organisation == nudt:
                match_confirm(match=match, actor=reviewer, reason=CONFIRM_REASON)
            else:
                match_dismiss(match=match, actor=reviewer, reason=DISMISS_REASON)
    landscape = workflow.attachment_add(
        actor=reviewer,
        request=pr,
        uploaded_file=SimpleUploadedFile(
            "landscape.pdf", b"%PDF-1.7\n%%EOF\n", content_type="application/pdf"
        ),
        kind="evidence",
    )
    answers = {
        "GP-01": AnswerInput("GP-01", "met", evidence_notes="Visits in 2023 and 2024."),
        "GP-02": AnswerInput("GP-02", "met", evidence_notes=EVIDENCE, attachment=landscape),
        "GP-04": AnswerInput(
            "GP-04", "not_applicable", explanation="The partner works in English."
        ),
    }
    # The gates ask for every item before a recommendation.
    checklist_answers_save(
        request=pr,
        actor=reviewer,
        answers=[
            answers.get(item["ref_id"])
            or AnswerInput(item["ref_id"], "met", evidence_notes=OTHER_EVIDENCE)
            for item in checklist_version_for_request(pr).items
        ],
    )
    request_assess(request=pr, actor=reviewer)
    workflow.request_recommend(
        actor=reviewer,
        request=pr,
        outcome="approve_with_conditions",
        reasoning="Acceptable only with an export-control licence.",
    )
    workflow.request_decide(
        actor=approver,
        request=pr,
        outcome=RequestStatus.APPROVED_WITH_CONDITIONS,
        reasoning="Approved by the committee with the licence condition.",
        conditions=[
            workflow.ConditionInput(
                text=CONDITION, owner=reviewer, due_date=timezone.localdate() + timedelta(60)
            )
        ],
    )
    # Very high (a confirmed very-high match): a senior officer co-signs the decision.
    give_sign_offs(pr)
    pr.refresh_from_db()
    return pr
