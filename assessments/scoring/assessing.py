"""Assessing a request: gather its facts from the database, score them, keep the snapshot."""

from collections.abc import Iterable

from django.db import transaction

from ukcn.refusals import Refusal

from ..audit import audit_record
from ..checklists import checklist_version_for_request
from ..countries import country_facts
from ..gates import request_input_digests
from ..models import Assessment, PartnershipRequest, RequestStatus
from ..workflow.rules import HIGH_TIERS, higher_tier, tier_change_refusal, tier_rank
from .points import (
    AnswerFact,
    ConfirmedMatch,
    Facts,
    FunderFact,
    PartnerFact,
    SectorFact,
    assessment_score,
)
from .versions import scoring_policy_active


def request_facts(
    *, request: PartnershipRequest, confirmed_matches: Iterable[ConfirmedMatch]
) -> tuple[Facts, object]:
    """The scoring inputs for a request, with the checklist version its answers belong to."""
    version = checklist_version_for_request(request)
    given = {answer.ref_id: answer for answer in request.checklist_answers.all()}
    answers = tuple(
        AnswerFact(
            ref_id=item["ref_id"],
            weight=item["weight"],
            answer=given[item["ref_id"]].answer if item["ref_id"] in given else "",
            evidence=item["ref_id"] in given
            and bool(
                given[item["ref_id"]].evidence_notes.strip() or given[item["ref_id"]].attachment_id
            ),
        )
        for item in (version.items if version else [])
    )
    funders = tuple(
        FunderFact(
            name=source.funder_name,
            funder_type=source.funder_type,
            undisclosed=source.origin_undisclosed,
            country=source.country,
        )
        for source in request.funding_sources.all()
    )
    partners = tuple(
        PartnerFact(
            name=p.organisation.name,
            org_type=p.organisation.org_type,
            country=p.organisation.country,
        )
        for p in request.partners.select_related("organisation")
    )
    facts = Facts(
        confirmed_matches=tuple(confirmed_matches),
        sectors=tuple(SectorFact(s.code, s.name) for s in request.sectors.order_by("code")),
        export_controlled=request.export_controlled,
        dual_use=request.dual_use,
        personal_data=request.personal_data,
        data_leaves_uk=request.data_leaves_uk,
        data_leaves_partner_country=request.data_leaves_partner_country,
        funders=funders,
        people_exchanged=request.people_exchanged,
        lab_access=request.lab_access,
        staff_travel=request.staff_travel,
        academic_freedom_disciplines=tuple(
            request.disciplines.filter(academic_freedom_exposure=True)
            .order_by("name")
            .values_list("name", flat=True)
        ),
        partners=partners,
        answers=answers,
        research_kind=request.research_kind,
        technology_readiness=request.technology_readiness,
        largest_foreign_share=request.largest_foreign_funding_share,
        countries=country_facts([p.country for p in partners] + [f.country for f in funders]),
    )
    return facts, version


def request_assess(
    *,
    request: PartnershipRequest,
    actor,
    confirmed_matches: Iterable[ConfirmedMatch] | None = None,
    ip: str | None = None,
) -> Assessment:
    """Score the request under the active policy, keep the result and set the request's tier.

    Without `confirmed_matches`, the matches reviewers have confirmed in screening are used.
    """
    if confirmed_matches is None:
        from ..screening.service import confirmed_matches as screening_confirmed_matches

        confirmed_matches = screening_confirmed_matches(request)
    given = request
    with transaction.atomic():
        request = PartnershipRequest.objects.select_for_update().get(pk=given.pk)
        policy = scoring_policy_active()
        if policy is None:
            raise Refusal.conflict(
                "No scoring policy is active: run manage.py load_checklist.", code="no_policy"
            )
        facts, version = request_facts(request=request, confirmed_matches=confirmed_matches)
        result = assessment_score(policy=policy.data, facts=facts)
        assessment = Assessment.objects.create(
            request=request,
            policy=policy,
            checklist_version=version,
            watchlist_version_ids=sorted({m.version_id for m in facts.confirmed_matches}),
            outcome=result.outcome,
            explanation=result.explanation,
            inherent=result.inherent,
            mitigation=result.mitigation,
            residual=result.residual,
            tier=result.tier,
            route_code=result.route_code,
            route_label=result.route_label,
            floor=result.floor,
            floor_reason=result.floor_reason[:500],
            not_permissible_without_exception=result.not_permissible_without_exception,
            factors=[factor.as_dict() for factor in result.factors],
            facts=facts.as_dict(),
            input_digests=request_input_digests(request),
            created_by=actor,
        )
        previous_tier = request.tier
        new_tier, kept = result.tier, ""
        if previous_tier in HIGH_TIERS and tier_rank(result.tier) < tier_rank(previous_tier):
            # Re-scoring lower is a downward change of a high tier like any other: only an
            # approver who did not recommend makes it; otherwise the tier stays.
            kept = tier_change_refusal(actor, request, result.tier) or ""
            if kept:
                new_tier = previous_tier
        # Only the tier changes: an update of these columns leaves a requester's edit alone.
        highest = request.highest_tier
        if request.status != RequestStatus.DRAFT:
            highest = higher_tier(highest, new_tier)
        PartnershipRequest.objects.filter(pk=request.pk).update(tier=new_tier, highest_tier=highest)
        audit_record(
            actor=actor,
            action="request.assessed",
            summary=(
                f"{request.reference} assessed {result.tier} "
                + (
                    f"({result.explanation['summary']}) "
                    if result.schema == 2
                    else f"(residual {result.residual}) "
                )
                + f"under scoring policy version {policy.number}"
                + (f"; the tier stays {previous_tier}: {kept}" if kept else "")
            ),
            obj=assessment,
            request=request,
            changes={
                "tier": {"from": previous_tier, "to": new_tier},
                "scored_tier": result.tier,
                "tier_kept_because": kept or None,
                "inherent": result.inherent,
                "mitigation": result.mitigation,
                "residual": result.residual,
                "outcome": result.outcome or None,
                "sensitivity": result.explanation.get("sensitivity"),
                "partner": result.explanation.get("partner"),
                "floor": result.floor,
                "not_permissible_without_exception": result.not_permissible_without_exception,
                "policy_version": policy.number,
                "checklist_version": version.number if version else None,
                "watchlist_version_ids": assessment.watchlist_version_ids,
            },
            ip=ip,
        )
    given.tier = new_tier
    given.highest_tier = highest
    return assessment


def request_assess_by(*, request: PartnershipRequest, actor, ip: str | None = None) -> Assessment:
    """A user's "Assess the risk" (web or API): a Refusal unless they may assess it now."""
    from ..workflow.rules import _refuse, _tier_refusal, refuse_role

    refuse_role(actor, "assess")
    _refuse(_tier_refusal(actor, request))
    return request_assess(request=request, actor=actor, ip=ip)
