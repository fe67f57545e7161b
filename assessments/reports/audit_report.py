"""The per-request audit report: everything the office knew and did about one request.

One report, two renderings (a printable HTML page and a PDF), handed to a committee, a
funder, an auditor or a court. Its header carries the audit chain's head hash at the moment
it was generated, and every download is itself recorded in the chain.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone
from django_countries import countries

from ..audit import audit_chain_head, audit_record
from ..checklists import checklist_version_for_request
from ..gates import Gate, next_step, request_gates
from ..models import (
    Assessment,
    AuditEvent,
    ChecklistGroup,
    Condition,
    Decision,
    Partner,
    PartnershipRequest,
    ScreeningMatch,
    SignOff,
)
from ..models.screening import PEOPLE_SUBJECTS
from .pdf import CJK_FONT_FAMILY, pdf_render

FORMATS = ("html", "pdf")
TEMPLATE = "assessments/reports/audit_report.html"
STEP_PHRASES = {"recommend": "a recommendation", "decide": "a decision", "sign_off": "a sign-off"}
CONTENT_TYPES = {"html": "text/html; charset=utf-8", "pdf": "application/pdf"}


@dataclass(frozen=True)
class ChecklistRow:
    """One item of the checklist version the request was answered against, with its answer."""

    ref_id: str
    group: str
    question: str
    evidence_required: bool
    answer: object | None  # a ChecklistAnswer, or None when the item was not answered


@dataclass(frozen=True)
class DecisionRow:
    decision: Decision
    conditions: list[Condition]
    sign_offs: list[SignOff] = field(default_factory=list)


@dataclass
class AuditReport:
    request: PartnershipRequest
    generated_at: datetime
    generated_by: str
    # The newest event of the whole trail when the report was made, and its number: anyone
    # can check it against `manage.py verify_audit_log` and the exported trail.
    chain_head: str
    chain_head_event_id: int | None
    partners: list[Partner]
    last_screened: datetime | None
    checklist_version: object | None
    checklist: list[ChecklistRow]
    assessments: list[Assessment]
    decisions: list[DecisionRow]
    timeline: list[AuditEvent]
    sectors: list = field(default_factory=list)
    disciplines: list = field(default_factory=list)
    funding: list = field(default_factory=list)
    attachments: list = field(default_factory=list)
    recommendations: list = field(default_factory=list)
    conditions_without_decision: list[Condition] = field(default_factory=list)
    # The gate list as it stood when the report was made, before `gate_step`.
    gates: list[Gate] = field(default_factory=list)
    gate_step: str = ""
    # Matches about subjects that belong to no partner (funders; people only with `people`).
    other_matches: list = field(default_factory=list)
    # The people taking part and their ATAS standing: None when the report is for someone
    # who may not see people (personal data; see assessments.people.access).
    people: list | None = None
    # The legal determinations; for a decided request, as they stood at its decision.
    legal: list = field(default_factory=list)
    legal_as_at: datetime | None = None

    @property
    def assessment(self) -> Assessment | None:
        """The latest assessment: the one the breakdown shows."""
        return self.assessments[0] if self.assessments else None

    @property
    def earlier_assessments(self) -> list[Assessment]:
        return self.assessments[1:]

    @property
    def gate_step_phrase(self) -> str:
        return STEP_PHRASES.get(self.gate_step, self.gate_step)

    @property
    def open_gate_count(self) -> int:
        return sum(1 for gate in self.gates if not gate.satisfied)

    @property
    def answered_count(self) -> int:
        return sum(1 for row in self.checklist if row.answer is not None)


def _partners(request: PartnershipRequest) -> list[Partner]:
    matches = ScreeningMatch.objects.select_related(
        "watchlist", "entry__version", "reviewer", "organisation", "partner__organisation"
    ).order_by("subject_key", "-score", "id")
    partners = list(
        request.partners.select_related("organisation").prefetch_related(
            Prefetch("screening_matches", queryset=matches)
        )
    )
    for partner in partners:
        code = partner.organisation.country
        partner.country_name = countries.name(code) or code
    return partners


def _other_matches(request: PartnershipRequest, *, include_people: bool = False) -> list:
    matches = ScreeningMatch.objects.filter(request=request, partner__isnull=True)
    if not include_people:
        matches = matches.exclude(subject_kind__in=PEOPLE_SUBJECTS)
    return list(
        matches.select_related("watchlist", "entry__version", "reviewer", "organisation").order_by(
            "subject_key", "-score", "id"
        )
    )


def _checklist(request: PartnershipRequest):
    version = checklist_version_for_request(request)
    answers = {
        answer.ref_id: answer
        for answer in request.checklist_answers.select_related("answered_by", "attachment")
    }
    if version is None:
        return None, []
    groups = dict(ChecklistGroup.choices)
    rows = [
        ChecklistRow(
            ref_id=item["ref_id"],
            group=groups.get(item["group"], item["group"]),
            question=item["question"],
            evidence_required=item.get("evidence_required", False),
            answer=answers.get(item["ref_id"]),
        )
        for item in version.items
    ]
    return version, rows


def _decisions(request: PartnershipRequest) -> tuple[list[DecisionRow], list[Condition]]:
    conditions = list(request.conditions.select_related("owner"))
    by_decision: dict[int, list[Condition]] = {}
    for condition in conditions:
        by_decision.setdefault(condition.decision_id, []).append(condition)
    sign_offs = SignOff.objects.select_related("signed_by").order_by("order")
    rows = [
        DecisionRow(decision, by_decision.get(decision.pk, []), list(decision.sign_offs.all()))
        for decision in request.decisions.select_related("decided_by").prefetch_related(
            Prefetch("sign_offs", queryset=sign_offs)
        )
    ]
    return rows, by_decision.get(None, [])


def audit_report_build(
    *, request: PartnershipRequest, generated_by: str, include_people: bool = False
) -> AuditReport:
    """Gather one request's facts, screening, checklist, assessments, decisions and timeline;
    its people only with `include_people` (for those who may see them)."""
    from ..people.status import request_standings

    chain_head = audit_chain_head()
    head_event = AuditEvent.objects.filter(hash=chain_head).values_list("id", flat=True).first()
    # The timeline stops at the head read above, so the report and its hash agree even if
    # someone acts on the request while the report is being made.
    events = request.audit_events.select_related("actor").order_by("id")
    timeline = list(events.filter(id__lte=head_event)) if head_event else []
    checklist_version, checklist = _checklist(request)
    decisions, loose_conditions = _decisions(request)
    gate_step = next_step(request) or "decide"
    return AuditReport(
        request=request,
        generated_at=timezone.now(),
        generated_by=generated_by,
        chain_head=chain_head,
        chain_head_event_id=head_event,
        partners=_partners(request),
        other_matches=_other_matches(request, include_people=include_people),
        people=request_standings(request) if include_people else None,
        last_screened=next(
            (event.at for event in reversed(timeline) if event.action == "screening.run"), None
        ),
        checklist_version=checklist_version,
        checklist=checklist,
        assessments=list(
            request.assessments.select_related("policy", "checklist_version", "created_by")
        ),
        decisions=decisions,
        conditions_without_decision=loose_conditions,
        timeline=timeline,
        sectors=list(request.sectors.order_by("name")),
        disciplines=list(request.disciplines.order_by("name")),
        funding=list(request.funding_sources.all()),
        attachments=list(request.attachments.select_related("uploaded_by")),
        recommendations=list(request.recommendations.select_related("recommended_by")),
        gates=request_gates(request, gate_step),
        gate_step=gate_step,
        **_legal(request),
    )


def _legal(request: PartnershipRequest) -> dict:
    from ..legal.overview import decided_at, legal_overview

    at = decided_at(request)
    return {"legal": legal_overview(request, at=at), "legal_as_at": at}


def audit_report_render(*, report: AuditReport, fmt: str, web_links: bool = False) -> bytes:
    """The report as a standalone HTML page (UTF-8 bytes) or as PDF bytes.

    `web_links` adds a bar of links back into the app, for the page served on the web; a
    file written by the command stands alone.
    """
    if fmt not in FORMATS:
        raise ValueError(f"{fmt!r} is not one of {', '.join(FORMATS)}.")
    context = {"report": report, "for_pdf": fmt == "pdf", "web_links": web_links and fmt == "html"}
    if fmt == "pdf":
        return pdf_render(TEMPLATE, context)
    return render_to_string(TEMPLATE, {**context, "cjk_font_family": CJK_FONT_FAMILY}).encode()


def audit_report_filename(*, report: AuditReport, fmt: str) -> str:
    return f"ukcn-audit-report-{report.request.reference}.{fmt}"


def audit_report_record(
    *, actor, report: AuditReport, fmt: str, channel: str, ip: str | None = None
) -> AuditEvent:
    """Record that a report was handed out; call it in a transaction once it has been made."""
    who = actor.get_username() if actor is not None else "the audit_report command"
    return audit_record(
        actor=actor,
        action="report.audit_report",
        summary=f"Audit report of {report.request.reference} ({fmt.upper()}) generated by {who}",
        obj=report.request,
        request=report.request,
        changes={
            "format": fmt,
            "channel": channel,
            "chain_head": report.chain_head,
            "chain_head_event_id": report.chain_head_event_id,
            "generated_at": report.generated_at,
        },
        ip=ip,
    )
