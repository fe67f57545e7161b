"""Building requests for tests through the real workflow functions."""

from datetime import date

from django.contrib.auth.models import Group

from assessments import workflow
from assessments.models import Organisation, RequestStatus
from ukcn.roles import Role


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


def advance(request, *, to, requester, reviewer, tier="low", approver=None):
    """Walk a request through the workflow up to the given status."""
    if to == RequestStatus.DRAFT:
        return request
    workflow.request_submit(actor=requester, request=request)
    if to == RequestStatus.SUBMITTED:
        return request
    workflow.request_take_into_review(actor=reviewer, request=request)
    if tier:
        workflow.request_set_tier(actor=reviewer, request=request, tier=tier)
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
    return request


def add_role(user, role):
    user.groups.add(Group.objects.get(name=Role(role).value))
    user.__dict__.pop("_ukcn_roles", None)
    return user
