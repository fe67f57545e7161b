from datetime import date

from django.core.management import call_command

from assessments.gates import open_gates, request_input_digests
from assessments.models import (
    AuditEvent,
    Decision,
    MatchStatus,
    Organisation,
    PartnershipRequest,
    RequestStatus,
    ScreeningMatch,
    SignOff,
    Tier,
)
from assessments.routes import route_for
from assessments.workflow.rules import HIGH_TIERS
from demo.portfolio import DEFAULT_COUNT, demo_portfolio_seed
from ukcn.roles import Role, has_role


def test_seed_demo_loads_a_portfolio_spanning_years_countries_and_tiers_once(db):
    call_command("seed_demo", "--i-know-this-is-not-production")
    assert PartnershipRequest.objects.filter(reference__startswith="DEMO-").count() == DEFAULT_COUNT
    call_command("seed_demo", "--i-know-this-is-not-production")
    assert PartnershipRequest.objects.filter(reference__startswith="DEMO-").count() == DEFAULT_COUNT
    assert AuditEvent.objects.filter(action="demo.portfolio_loaded").count() == 1

    from assessments.reports.analytics import portfolio_analytics

    analytics = portfolio_analytics(requests=PartnershipRequest.objects.all())
    years = [row.year for row in analytics.per_year]
    assert years[0] == 2012
    assert len(years) >= 14
    assert analytics.countries[0].label == "China"
    assert len(analytics.countries) >= 5
    assert "Jiangsu" in analytics.places[0].label
    assert {share.label for share in analytics.tiers if share.count} >= {
        "Low",
        "Medium",
        "High",
        "Very high",
    }
    stem = next(s for s in analytics.discipline_groups if s.label == "STEM")
    assert 60 < stem.percent < 90
    # Like the study's network: a fifth of the organisations hold most of the links.
    assert analytics.concentration.percent > 45
    assert Organisation.objects.filter(name_native="东南大学").exists()
    # Back-dated to the plan: decided over the years, not on the day the demo was loaded.
    decided = PartnershipRequest.objects.filter(reference__startswith="DEMO-").exclude(
        decided_at=None
    )
    assert decided.filter(decided_at__year__lt=2016).exists()


def _portfolio(prefix):
    return [
        (reference.removeprefix(prefix), title, status, tier)
        for reference, title, status, tier in PartnershipRequest.objects.filter(
            reference__startswith=f"{prefix}-"
        )
        .order_by("reference")
        .values_list("reference", "title", "status", "tier")
    ]


def test_the_demo_portfolio_is_the_same_whenever_it_is_built(db):
    call_command("seed_demo", "--i-know-this-is-not-production", "--no-portfolio")
    assert demo_portfolio_seed(count=40, prefix="ONE") == 40
    assert demo_portfolio_seed(count=40, prefix="TWO") == 40
    assert _portfolio("ONE") == _portfolio("TWO")
    assert len({status for _, _, status, _ in _portfolio("ONE")}) >= 4


def test_requests_in_the_future_are_not_planned_and_recent_ones_are_still_open(db):
    call_command("seed_demo", "--i-know-this-is-not-production", "--no-portfolio")
    assert demo_portfolio_seed(count=40, prefix="EARLY", today=date(2019, 6, 30)) > 0
    early = PartnershipRequest.objects.filter(reference__startswith="EARLY-")
    assert not early.filter(created_at__year__gt=2019).exists()
    assert not early.filter(decided_at__date__gt=date(2019, 6, 30)).exists()
    decided = early.exclude(decided_at=None)
    assert not decided.filter(tier="").exists()
    assert early.filter(status=RequestStatus.APPROVED, tier=Tier.VERY_HIGH).count() == 0


def _gate_failures(decision: Decision) -> list[str]:
    """What the decision's request lacked at the decision, as the rules name it."""
    request = decision.request
    failures = []
    assessment = (
        request.assessments.filter(created_at__lte=decision.created_at)
        .order_by("-created_at", "-id")
        .first()
    )
    # Decided requests cannot be edited, so their inputs now are their inputs then.
    if assessment is None or assessment.input_digests != request_input_digests(request):
        failures.append("no current assessment")
    if ScreeningMatch.objects.filter(
        partner__request=request, status=MatchStatus.POTENTIAL
    ).exists():
        failures.append("a potential match")
    if request.partners.filter(screened_at=None).exists():
        failures.append("an unscreened partner")
    failures += [gate.code for gate in open_gates(request, "decide")]
    if decision.decided_by_id in {request.created_by_id, request.submitted_by_id}:
        failures.append("decided by its registrant or submitter")
    recommenders = set(request.recommendations.values_list("recommended_by_id", flat=True))
    route = route_for(assessment.policy.data if assessment else {}, decision.tier)
    if request.highest_tier in HIGH_TIERS or decision.tier in HIGH_TIERS:
        if not has_role(decision.decided_by, Role.APPROVER):
            failures.append("a high tier decided without an approver")
        if decision.decided_by_id in recommenders:
            failures.append("decided by its recommender")
    elif not has_role(decision.decided_by, route.decided_by, Role.APPROVER):
        failures.append(f"decided by someone not holding {route.decided_by}")
    sign_offs = list(decision.sign_offs.order_by("order"))
    if [s.role for s in sign_offs] != [step.role for step in route.sign_offs]:
        failures.append("sign-offs other than the route's")
    signers = [s.signed_by_id for s in sign_offs if s.status == SignOff.Status.GIVEN]
    if decision.state == Decision.State.IN_FORCE and len(signers) != len(sign_offs):
        failures.append("in force without every sign-off")
    if decision.state == Decision.State.PENDING_SIGN_OFF and (
        request.status != RequestStatus.AWAITING_SIGN_OFF
    ):
        failures.append("waiting for a sign-off but not shown so")
    independent = {request.created_by_id, request.submitted_by_id, decision.decided_by_id}
    if len(set(signers)) != len(signers) or (set(signers) & (independent | recommenders)):
        failures.append("a sign-off by someone not independent")
    return failures


def test_every_demo_decision_rests_on_finished_checks_and_its_route(db):
    call_command("seed_demo", "--i-know-this-is-not-production")
    decisions = Decision.objects.select_related("request", "decided_by")
    assert decisions.count() > 100
    assert not decisions.filter(gates_enforced=False).exists()
    failures = {
        decision.request.reference: problems
        for decision in decisions
        if (problems := _gate_failures(decision))
    }
    assert failures == {}
    # Every kind of route was walked: each sign-off given, and the fallback recorded as such.
    given = SignOff.objects.filter(status=SignOff.Status.GIVEN)
    assert given.filter(role=Role.SENIOR_OFFICER, signed_by__username="senior").exists()
    assert given.filter(role=Role.HEAD_OF_DEPARTMENT, signed_by__username="head").exists()
    assert given.filter(in_place_of=Role.HEAD_OF_DEPARTMENT, signed_as=Role.APPROVER).exists()
