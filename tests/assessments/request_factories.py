"""Building requests for tests through the real workflow functions."""

import io
from datetime import date

from django.contrib.auth import get_user_model
from django.core.management import call_command

from assessments import workflow
from assessments.assessing import request_assess
from assessments.checklists import (
    AnswerInput,
    checklist_answers_save,
    checklist_version_for_request,
)
from assessments.gates import open_gates
from assessments.models import (
    MatchStatus,
    Organisation,
    RequestStatus,
    ScoringPolicy,
    ScreeningMatch,
)
from assessments.screening.service import match_dismiss, screen_request
from assessments.workflow.rules import (
    next_sign_off,
    pending_decision,
    sign_off_fallback_applies,
)
from tests.conftest import grant_role
from ukcn.roles import DEPARTMENTAL_ROLES, Role


def facts(**overrides) -> workflow.RequestFacts:
    fields = {
        "title": "Joint centre for low-carbon materials",
        "summary": "Shared laboratory work on battery cathodes.",
        "lead_academic": "Dr Alex Morgan",
        "collaboration_type": "joint_centre",
        "work_location": "both",
        "no_nsi_sector": True,
        "start_date": date(2027, 1, 1),
        "end_date": date(2029, 12, 31),
    }
    partners = overrides.pop("partners", None)
    funding = overrides.pop("funding", None)
    fields.update(overrides)
    if partners is None:
        organisation, _ = Organisation.objects.get_or_create(
            name="Tsinghua University", defaults={"name_native": "清华大学", "country": "CN"}
        )
        partners = [workflow.PartnerInput(organisation=organisation, role="Co-lead")]
    return workflow.RequestFacts(
        fields=fields,
        partners=partners,
        funding=funding
        if funding is not None
        else [{"funder_name": "UKRI", "country": "GB", "funder_type": "uk_public"}],
    )


def make_request(requester, **overrides):
    return workflow.request_create(actor=requester, facts=facts(**overrides))


def ensure_checklist_and_policy():
    """The checklist and default scoring policy, loaded once per test database state."""
    if not ScoringPolicy.objects.filter(is_active=True).exists():
        call_command("load_checklist", stdout=io.StringIO())


def complete_checks(request, reviewer, *, answer="met"):
    """Do what the gates ask before a recommendation: screen, resolve every potential match
    (dismissed), answer every checklist item, and assess the risk."""
    ensure_checklist_and_policy()
    request.refresh_from_db()
    if request.partners.filter(screened_at__isnull=True).exists() or open_gates(
        request, "recommend"
    ):
        screen_request(request=request, actor=reviewer, reason="test")
    for match in ScreeningMatch.objects.filter(request=request, status=MatchStatus.POTENTIAL):
        match_dismiss(match=match, actor=reviewer, reason="Not the listed body (test data).")
    version = checklist_version_for_request(request)
    checklist_answers_save(
        request=request,
        actor=reviewer,
        answers=[
            AnswerInput(
                ref_id=item["ref_id"],
                answer=answer,
                evidence_notes="Seen the agreement." if answer in ("met", "partly_met") else "",
                explanation="" if answer in ("met", "partly_met", "not_met") else "Test.",
            )
            for item in version.items
        ],
    )
    request_assess(request=request, actor=reviewer)
    request.refresh_from_db()
    return request


def signer_for(request, role):
    """A user holding `role` (for the request's department when departmental), made on demand."""
    department = request.department if role in DEPARTMENTAL_ROLES else None
    username = f"signer-{Role(role).value.replace(' ', '-')}-{request.department.code if department else 'central'}"
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        user = get_user_model().objects.create_user(
            username=username, password="x", email=f"{username}@example.ac.uk"
        )
    return grant_role(user, role, department)


def give_sign_offs(request):
    """Give every sign-off a pending decision awaits, each by a fresh holder of its role."""
    request.refresh_from_db()
    while request.status == RequestStatus.AWAITING_SIGN_OFF:
        decision = pending_decision(request)
        step = next_sign_off(decision)
        role = step.role
        if sign_off_fallback_applies(request, decision, step):
            role = step.fallback_role
        workflow.request_sign_off(actor=signer_for(request, role), request=request)
        request.refresh_from_db()
    return request


def advance(request, *, to, requester, reviewer, tier="low", approver=None):
    """Walk a request through the workflow up to the given status, finishing every check the
    gates ask for on the way (and giving the sign-offs a decision's route needs)."""
    if to == RequestStatus.DRAFT:
        return request
    workflow.request_submit(actor=requester, request=request)
    if to == RequestStatus.SUBMITTED:
        return request
    workflow.request_take_into_review(actor=reviewer, request=request)
    complete_checks(request, reviewer)
    if tier and tier != request.tier:
        workflow.request_set_tier(
            actor=reviewer, request=request, tier=tier, reason="Set for the test."
        )
    if to == RequestStatus.UNDER_REVIEW:
        return request
    workflow.request_recommend(
        actor=reviewer, request=request, outcome="approve", reasoning="Low exposure."
    )
    if to == RequestStatus.RECOMMENDED:
        return request
    workflow.request_decide(
        actor=approver or reviewer, request=request, outcome=to, reasoning="Agreed."
    )
    give_sign_offs(request)
    return request


def add_role(user, role, department=None):
    """Give a user a further role; a departmental role needs its department."""
    return grant_role(user, role, department)
