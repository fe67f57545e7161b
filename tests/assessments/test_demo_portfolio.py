from datetime import date

from django.core.management import call_command

from assessments.demo_portfolio import DEFAULT_COUNT, demo_portfolio_seed
from assessments.models import AuditEvent, Organisation, PartnershipRequest, RequestStatus, Tier
from assessments.reports.analytics import portfolio_analytics


def test_seed_demo_loads_a_portfolio_spanning_years_countries_and_tiers_once(db):
    call_command("seed_demo")
    assert PartnershipRequest.objects.filter(reference__startswith="DEMO-").count() == DEFAULT_COUNT
    call_command("seed_demo")
    assert PartnershipRequest.objects.filter(reference__startswith="DEMO-").count() == DEFAULT_COUNT
    assert AuditEvent.objects.filter(action="demo.portfolio_loaded").count() == 1

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


def test_the_demo_portfolio_is_the_same_whenever_it_is_built(db):
    call_command("seed_demo")
    first = list(
        PartnershipRequest.objects.filter(reference__startswith="DEMO-")
        .order_by("reference")
        .values_list("reference", "title", "status", "tier")
    )
    PartnershipRequest.objects.filter(reference__startswith="DEMO-").delete()
    assert demo_portfolio_seed() == DEFAULT_COUNT
    again = list(
        PartnershipRequest.objects.filter(reference__startswith="DEMO-")
        .order_by("reference")
        .values_list("reference", "title", "status", "tier")
    )
    assert again == first


def test_requests_in_the_future_are_not_planned_and_recent_ones_are_still_open(db):
    call_command("seed_demo")
    assert demo_portfolio_seed(count=40, prefix="EARLY", today=date(2019, 6, 30)) > 0
    early = PartnershipRequest.objects.filter(reference__startswith="EARLY-")
    assert not early.filter(created_at__year__gt=2019).exists()
    assert not early.filter(decided_at__date__gt=date(2019, 6, 30)).exists()
    decided = early.exclude(decided_at=None)
    assert not decided.filter(tier="").exists()
    assert early.filter(status=RequestStatus.APPROVED, tier=Tier.VERY_HIGH).count() == 0
