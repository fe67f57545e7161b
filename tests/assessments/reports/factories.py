"""Small ORM factories for report tests: requests with partners, funding and outcomes."""

import itertools
from datetime import datetime

from django.utils import timezone

from assessments.models import (
    CollaborationType,
    Decision,
    Discipline,
    FunderType,
    FundingSource,
    Organisation,
    Partner,
    PartnershipRequest,
    Recommendation,
    RequestStatus,
    Sector,
    WorkLocation,
)

_numbers = itertools.count(1)


def aware(year: int, month: int = 6, day: int = 15, hour: int = 12) -> datetime:
    return timezone.make_aware(datetime(year, month, day, hour))


def make_organisation(name: str, *, country: str = "CN", city: str = "", native: str = ""):
    organisation, _ = Organisation.objects.get_or_create(
        name=name, defaults={"country": country, "city": city, "name_native": native}
    )
    return organisation


def make_request(
    *,
    department,
    created_by,
    title: str = "Joint project on battery materials",
    status: str = RequestStatus.SUBMITTED,
    tier: str = "",
    created_at: datetime | None = None,
    submitted_at: datetime | None = None,
    decided_at: datetime | None = None,
    partners=(),
    sectors=(),
    disciplines=(),
    funders=(),
    reference: str | None = None,
) -> PartnershipRequest:
    """A request; partners are Organisations, sectors and disciplines are codes, funders dicts."""
    request = PartnershipRequest.objects.create(
        reference=reference or f"T-{next(_numbers):05d}",
        title=title,
        summary="A test request.",
        lead_academic="Dr Test Lead",
        department=department,
        created_by=created_by,
        status=status,
        tier=tier,
        collaboration_type=CollaborationType.JOINT_PROJECT,
        work_location=WorkLocation.BOTH,
        submitted_at=submitted_at,
        decided_at=decided_at,
    )
    if created_at:
        PartnershipRequest.objects.filter(pk=request.pk).update(created_at=created_at)
        request.created_at = created_at
    for organisation in partners:
        Partner.objects.create(request=request, organisation=organisation, role="Partner")
    request.sectors.set(Sector.objects.filter(code__in=sectors))
    request.disciplines.set(Discipline.objects.filter(code__in=disciplines))
    for funder in funders:
        FundingSource.objects.create(
            request=request,
            funder_name=funder.get("name", ""),
            country=funder.get("country", ""),
            funder_type=funder.get("type", FunderType.UK_PUBLIC),
            origin_undisclosed=funder.get("undisclosed", False),
        )
    return request


def decide(request, *, recommender, decider, outcome=RequestStatus.APPROVED):
    """Record a recommendation and a decision, and set the request's status to the outcome."""
    Recommendation.objects.create(
        request=request,
        recommended_by=recommender,
        outcome={
            RequestStatus.APPROVED: Recommendation.Outcome.APPROVE,
            RequestStatus.APPROVED_WITH_CONDITIONS: Recommendation.Outcome.APPROVE_WITH_CONDITIONS,
            RequestStatus.DECLINED: Recommendation.Outcome.DECLINE,
        }[outcome],
        reasoning="Checked.",
    )
    decision = Decision.objects.create(
        request=request, decided_by=decider, outcome=outcome, reasoning="Agreed.", tier=request.tier
    )
    request.status = outcome
    request.decided_at = request.decided_at or timezone.now()
    request.save(update_fields=["status", "decided_at"])
    return decision
