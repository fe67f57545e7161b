import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.models import PartnershipRequest, RequestStatus, Tier
from assessments.reports.analytics import (
    concentration,
    discipline_group_shares,
    per_year,
    portfolio_analytics,
)
from assessments.reports.charts import bar_chart, year_chart
from assessments.workflow import request_submit
from tests.assessments.reports.factories import aware, make_organisation, make_request

# The aggregate queries the portfolio figures take (a cached dashboard skips them).
ANALYTICS_QUERIES = 10


def test_concentration_is_the_share_of_links_held_by_the_top_fifth_of_organisations():
    result = concentration([1, 10, 1, 5, 1, 3, 1, 1, 1, 1])
    assert (result.organisations, result.links, result.top_organisations) == (10, 25, 2)
    assert result.top_links == 15
    assert result.percent == 60.0


def test_the_top_fifth_rounds_up_so_a_small_portfolio_still_has_one():
    result = concentration([4, 2, 1])
    assert result.top_organisations == 1
    assert result.percent == round(100 * 4 / 7, 1)
    assert concentration([]).percent == 0.0


def test_per_year_fills_empty_years_and_accumulates():
    # Submitted: two in 2012, one in 2015, one in 2016; approved: decided 2013 and 2016.
    rows = per_year({2012: 2, 2015: 1, 2016: 1}, {2013: 1, 2016: 1})
    assert [(r.year, r.requests, r.requests_cumulative) for r in rows] == [
        (2012, 2, 2),
        (2013, 0, 2),
        (2014, 0, 2),
        (2015, 1, 3),
        (2016, 1, 4),
    ]
    assert [(r.approved, r.approved_cumulative) for r in rows] == [
        (0, 0),
        (1, 1),
        (0, 1),
        (0, 1),
        (1, 2),
    ]
    assert per_year({}, {}) == []


def test_requests_without_a_discipline_count_as_not_recorded():
    shares = discipline_group_shares({"stem": 2, "multidisciplinary": 1, "non_stem": 1}, 5)
    assert [(s.label, s.count, s.percent) for s in shares] == [
        ("STEM", 2, 40.0),
        ("Non-STEM", 1, 20.0),
        ("Multidisciplinary", 1, 20.0),
        ("Not recorded", 1, 20.0),
    ]


def test_bar_lengths_are_proportional_to_the_largest_value():
    chart = bar_chart([("a", 10, "10"), ("b", 5, "5"), ("c", 0, "0")], width=400, label_width=100)
    widths = [bar.width for bar in chart.bars]
    assert widths[0] == chart.plot_width
    assert widths[1] == chart.plot_width / 2
    assert widths[2] == 0


def test_year_columns_share_one_scale():
    chart = year_chart([2020, 2021], [("new", [4, 8]), ("approved", [2, 0])])
    heights = {(c.series, c.value): c.height for c in chart.columns}
    assert heights[("new", 8)] == 2 * heights[("new", 4)] == 4 * heights[("approved", 2)]
    assert [tick.text for tick in chart.x_ticks] == ["2020", "2021"]


@pytest.fixture
def known_portfolio(requester, other_requester, engineering, history):
    """Five submitted requests and one draft, with partners in known places."""
    southeast = make_organisation("Southeast University", city="Jiangsu", native="东南大学")
    tsinghua = make_organisation("Tsinghua University", city="Beijing", native="清华大学")
    cambridge = make_organisation("University of Cambridge", country="GB", city="Cambridge")
    nus = make_organisation("National University of Singapore", country="SG", city="Singapore")
    specs = [
        (2019, 2020, RequestStatus.APPROVED, Tier.LOW, [southeast, cambridge], ["energy"], ["engineering"]),
        (2019, 2019, RequestStatus.DECLINED, Tier.HIGH, [tsinghua], ["synthetic-biology"], ["chemistry"]),
        (2021, 2021, RequestStatus.APPROVED_WITH_CONDITIONS, Tier.MEDIUM, [southeast], ["energy"], ["social-sciences", "engineering"]),
        (2021, None, RequestStatus.UNDER_REVIEW, Tier.MEDIUM, [southeast, nus], [], ["arts-humanities"]),
    ]  # fmt: skip
    for submitted, decided, status, tier, partners, sectors, disciplines in specs:
        make_request(
            department=engineering,
            created_by=requester,
            status=status,
            tier=tier,
            submitted_at=aware(submitted),
            decided_at=aware(decided) if decided else None,
            partners=partners,
            sectors=sectors,
            disciplines=disciplines,
        )
    make_request(
        department=history,
        created_by=other_requester,
        status=RequestStatus.SUBMITTED,
        submitted_at=aware(2022),
        partners=[southeast],
    )
    make_request(
        department=engineering,
        created_by=requester,
        status=RequestStatus.DRAFT,
        partners=[tsinghua, nus],
        sectors=["defence"],
    )


def test_portfolio_figures_come_out_right_from_known_data(known_portfolio):
    analytics = portfolio_analytics(requests=PartnershipRequest.objects.all())
    assert analytics.requests == 5  # the draft is left out
    assert analytics.approved == 2
    assert [(r.year, r.requests, r.requests_cumulative, r.approved, r.approved_cumulative) for r in analytics.per_year] == [
        (2019, 2, 2, 0, 0),
        (2020, 0, 2, 1, 1),
        (2021, 2, 4, 1, 2),
        (2022, 1, 5, 0, 2),
    ]  # fmt: skip
    assert [(s.label, s.count) for s in analytics.countries] == [
        ("China", 5),
        ("Singapore", 1),
        ("United Kingdom", 1),
    ]
    assert analytics.places[0].label == "Jiangsu, China"
    assert analytics.places[0].count == 4
    assert analytics.places[0].percent == 80.0
    assert [(s.label, s.count) for s in analytics.sectors] == [
        ("Energy", 2),
        ("Synthetic Biology", 1),
    ]
    assert {s.label: s.count for s in analytics.discipline_groups} == {
        "STEM": 2,
        "Non-STEM": 1,
        "Multidisciplinary": 1,
        "Not recorded": 1,
    }
    assert {s.label: s.count for s in analytics.tiers} == {
        "Low": 1,
        "Medium": 2,
        "High": 1,
        "Very high": 0,
        "Not yet scored": 1,
    }
    top = analytics.top_organisations[0]
    assert (top.name, top.name_native, top.links, top.approved) == (
        "Southeast University",
        "东南大学",
        4,
        2,
    )
    # Links: Southeast 4, Tsinghua 1, Cambridge 1, Singapore 1; the top fifth is one organisation.
    assert analytics.concentration.percent == round(100 * 4 / 7, 1)


def test_the_dashboard_shows_charts_and_their_data_tables(client, reviewer, known_portfolio):
    client.force_login(reviewer)
    response = client.get("/")
    content = response.content.decode()
    assert content.count("<svg") >= 7
    assert 'role="img"' in content
    assert "Data table: Requests by partner country" in content
    assert '<td class="text-end">80.0%</td>' in content
    assert "东南大学" in content
    assert "<strong>57.1%</strong>" in content


def test_a_requester_sees_analytics_of_their_own_department_only(
    client, requester, known_portfolio
):
    client.force_login(requester)
    content = client.get("/").content.decode()
    assert "4 requests submitted for review, 2 approved." in content


def test_the_dashboard_figures_follow_a_change_to_the_portfolio(
    client, reviewer, requester, known_portfolio
):
    client.force_login(reviewer)
    assert "5 requests submitted for review, 2 approved." in client.get("/").content.decode()

    request_submit(actor=requester, request=PartnershipRequest.objects.get(status="draft"))

    assert "6 requests submitted for review, 2 approved." in client.get("/").content.decode()


def test_the_dashboard_reuses_its_figures_until_the_audit_log_moves_on(
    client, reviewer, known_portfolio
):
    client.force_login(reviewer)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            client.get("/")
        return len(captured)

    first, second = queries(), queries()

    assert second == first - ANALYTICS_QUERIES


def test_each_department_has_its_own_cached_figures(client, reviewer, requester, known_portfolio):
    client.force_login(reviewer)
    assert "5 requests submitted for review" in client.get("/").content.decode()

    client.force_login(requester)
    assert "4 requests submitted for review, 2 approved." in client.get("/").content.decode()


def test_the_dashboard_says_so_when_there_is_nothing_yet(client, reviewer):
    client.force_login(reviewer)
    assert b"No requests have been submitted for review yet" in client.get("/").content


def test_the_dashboards_query_count_does_not_grow_with_the_portfolio(
    client, reviewer, requester, engineering
):
    client.force_login(reviewer)
    organisations = [make_organisation(f"University {n}", city=f"City {n % 4}") for n in range(12)]

    def queries_with(count: int) -> int:
        PartnershipRequest.objects.all().delete()
        cache.clear()  # the factory writes no audit events, so the cached figures would stay
        for n in range(count):
            make_request(
                department=engineering,
                created_by=requester,
                submitted_at=aware(2015 + n % 10),
                partners=organisations[n % 12 : n % 12 + 2],
                sectors=["energy"] if n % 2 else ["transport", "communications"],
                disciplines=["engineering"],
                tier=Tier.LOW,
            )
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/").status_code == 200
        return len(queries)

    few, many = queries_with(3), queries_with(60)
    assert few == many
    # Analytics (ten aggregates, each counted by the database), work queues (with decisions
    # under re-review), screening alerts, the people who may not start (ATAS) and the unread
    # count, each a fixed cost.
    assert many <= 27
