"""Portfolio analytics in the source study's terms, aggregated by the database.

The portfolio is the requests that reached review (submitted); drafts are left out. Requests
count by the year they were submitted, approved partnerships by the year they were decided.
"""

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, F, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import ExtractYear
from django.template.loader import render_to_string

from ..models import AuditEvent, DisciplineGroup, Partner, PartnershipRequest, RequestStatus, Tier
from . import charts
from .countries import country_name

APPROVED = (RequestStatus.APPROVED, RequestStatus.APPROVED_WITH_CONDITIONS)
TOP_ORGANISATIONS = 10
TOP_PLACES = 12
NOT_RECORDED = "Not recorded"
# The longest the dashboard's figures lag a change made without an audit event.
DASHBOARD_CACHE_SECONDS = 300


@dataclass(frozen=True)
class YearRow:
    year: int
    requests: int
    requests_cumulative: int
    approved: int
    approved_cumulative: int


@dataclass(frozen=True)
class Share:
    label: str
    count: int
    percent: float
    key: str = ""


@dataclass(frozen=True)
class ConnectedOrganisation:
    name: str
    name_native: str
    country: str
    city: str
    links: int
    approved: int


@dataclass(frozen=True)
class Concentration:
    """How much of the portfolio's partner links the best-connected fifth of organisations holds."""

    organisations: int
    links: int
    top_organisations: int
    top_links: int

    @property
    def percent(self) -> float:
        return round(100 * self.top_links / self.links, 1) if self.links else 0.0


@dataclass
class PortfolioAnalytics:
    requests: int
    approved: int
    per_year: list[YearRow]
    discipline_groups: list[Share]
    sectors: list[Share]
    countries: list[Share]
    places: list[Share]
    tiers: list[Share]
    top_organisations: list[ConnectedOrganisation]
    concentration: Concentration


# Pure parts: counts in, rows and shares out.


def per_year(submitted: Mapping[int, int], approved: Mapping[int, int]) -> list[YearRow]:
    """New and cumulative requests and approvals per year, with empty years filled as zero.

    `submitted` counts requests by the year they were submitted, `approved` approvals by the
    year they were decided."""
    if not submitted:
        return []
    years = range(min(submitted), max(max(submitted), *approved, 0) + 1)
    rows, requests_total, approved_total = [], 0, 0
    for year in years:
        requests_total += submitted.get(year, 0)
        approved_total += approved.get(year, 0)
        rows.append(
            YearRow(
                year,
                submitted.get(year, 0),
                requests_total,
                approved.get(year, 0),
                approved_total,
            )
        )
    return rows


def _shares(counts: Iterable[tuple], total: int, labels: dict | None = None) -> list[Share]:
    labels = labels or {}
    return [
        Share(
            labels.get(key, str(key)),
            int(count),
            round(100 * count / total, 1) if total else 0.0,
            str(key),
        )
        for key, count in counts
    ]


def _largest_first(counts: Mapping[str, int], limit: int | None = None) -> list[tuple[str, int]]:
    """Most requests first; a tie in name order."""
    ordered = sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))
    return ordered[:limit] if limit else ordered


def discipline_group_shares(groups: Mapping[str, int], total: int) -> list[Share]:
    """Each request counted once: its one group, multidisciplinary when it spans groups
    (`groups` counts requests by that group); requests with no discipline are not recorded."""
    counts = {group: groups.get(group, 0) for group in DisciplineGroup.values}
    if missing := total - sum(counts.values()):
        counts[NOT_RECORDED] = missing
    return _shares(counts.items(), total, dict(DisciplineGroup.choices))


def tier_shares(tiers: Mapping[str, int], total: int) -> list[Share]:
    order = [*Tier.values, ""]
    return _shares(
        [(tier, tiers.get(tier, 0)) for tier in order],
        total,
        {**dict(Tier.choices), "": "Not yet scored"},
    )


def concentration(links_per_organisation: Iterable[int]) -> Concentration:
    """The study's measure: the share of links held by the top fifth of organisations."""
    degrees = sorted((int(n) for n in links_per_organisation), reverse=True)
    top = math.ceil(len(degrees) / 5)
    return Concentration(
        organisations=len(degrees),
        links=sum(degrees),
        top_organisations=top,
        top_links=sum(degrees[:top]),
    )


# The database side: a fixed number of aggregate queries, whatever the portfolio's size; the
# database counts and groups, Python only labels and orders the few rows that come back.


def _count_by(queryset: QuerySet, key, *, distinct: str = "pk") -> dict:
    rows = queryset.values(key=key).annotate(n=Count(distinct, distinct=True)).order_by()
    return {row["key"]: row["n"] for row in rows}


def _discipline_groups(submitted: QuerySet) -> dict[str, int]:
    links = PartnershipRequest.disciplines.through.objects.filter(
        partnershiprequest_id=OuterRef("pk")
    ).values("partnershiprequest_id")
    spans = links.annotate(k=Count("discipline__group", distinct=True)).values("k")
    first = links.annotate(g=Min("discipline__group")).values("g")
    groups: dict[str, int] = {}
    rows = (
        submitted.annotate(k=Subquery(spans), g=Subquery(first))
        .values("k", "g")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        if not row["k"]:
            continue  # no discipline: not recorded
        group = row["g"] if row["k"] == 1 else DisciplineGroup.MULTIDISCIPLINARY
        groups[group] = groups.get(group, 0) + row["n"]
    return groups


def _places(partners: QuerySet) -> dict[str, int]:
    places: dict[str, int] = {}
    rows = (
        partners.values("organisation__city", "organisation__country")
        .annotate(n=Count("request_id", distinct=True))
        .order_by()
    )
    for row in rows:
        city, country = row["organisation__city"], country_name(row["organisation__country"])
        label = f"{city}, {country}" if city else f"{NOT_RECORDED}, {country}"
        places[label] = places.get(label, 0) + row["n"]
    return places


def _most_connected(partners: QuerySet, limit: int = TOP_ORGANISATIONS):
    rows = (
        partners.values(
            "organisation_id",
            "organisation__name",
            "organisation__name_native",
            "organisation__country",
            "organisation__city",
        )
        .annotate(links=Count("pk"), approved=Count("pk", filter=Q(request__status__in=APPROVED)))
        .order_by("-links", "-approved", "organisation__name")[:limit]
    )
    return [
        ConnectedOrganisation(
            row["organisation__name"],
            row["organisation__name_native"],
            country_name(row["organisation__country"]),
            row["organisation__city"],
            row["links"],
            row["approved"],
        )
        for row in rows
    ]


def portfolio_analytics(*, requests: QuerySet) -> PortfolioAnalytics:
    """Analytics for the requests given (already narrowed to what the user may see)."""
    submitted = requests.exclude(submitted_at=None)
    ids = submitted.values("pk")
    totals = submitted.aggregate(
        requests=Count("pk"), approved=Count("pk", filter=Q(status__in=APPROVED))
    )
    total = totals["requests"]
    # Years in the project's time zone (Django converts before extracting the year).
    by_year = _count_by(submitted, ExtractYear("submitted_at"))
    approved_by_year = _count_by(
        submitted.filter(status__in=APPROVED, decided_at__isnull=False), ExtractYear("decided_at")
    )
    sectors = PartnershipRequest.sectors.through.objects.filter(partnershiprequest_id__in=ids)
    partners = Partner.objects.filter(request_id__in=ids)
    countries: dict[str, int] = {}
    for code, n in _count_by(partners, F("organisation__country"), distinct="request_id").items():
        countries[country_name(code)] = countries.get(country_name(code), 0) + n
    return PortfolioAnalytics(
        requests=total,
        approved=totals["approved"],
        per_year=per_year(by_year, approved_by_year),
        discipline_groups=discipline_group_shares(_discipline_groups(submitted), total),
        sectors=_shares(
            _largest_first(_count_by(sectors, F("sector__name"), distinct="partnershiprequest_id")),
            total,
        ),
        countries=_shares(_largest_first(countries), total),
        places=_shares(_largest_first(_places(partners), TOP_PLACES), total),
        tiers=tier_shares(_count_by(submitted, F("tier")), total),
        top_organisations=_most_connected(partners),
        concentration=concentration(
            partners.values("organisation_id")
            .annotate(n=Count("pk"))
            .order_by()
            .values_list("n", flat=True)
        ),
    )


def dashboard_analytics(*, user) -> dict:
    """The dashboard's analytics for what the user may see, with its charts laid out."""
    from ..permissions import visible_requests

    analytics = portfolio_analytics(requests=visible_requests(user))
    years = [row.year for row in analytics.per_year]
    return {
        "data": analytics,
        "charts": {
            "new": charts.year_chart(
                years,
                [
                    ("Requests submitted", [row.requests for row in analytics.per_year]),
                    ("Partnerships approved", [row.approved for row in analytics.per_year]),
                ],
            ),
            "cumulative": charts.line_chart(
                years,
                [
                    ("Requests (cumulative)", [r.requests_cumulative for r in analytics.per_year]),
                    ("Approved (cumulative)", [r.approved_cumulative for r in analytics.per_year]),
                ],
            ),
            "disciplines": charts.share_bars(analytics.discipline_groups),
            "sectors": charts.share_bars(analytics.sectors),
            "countries": charts.share_bars(analytics.countries),
            "places": charts.share_bars(analytics.places),
            "tiers": charts.share_bars(analytics.tiers, colours=charts.TIER_COLOURS),
        },
    }


def dashboard_analytics_html(*, user) -> str:
    """The dashboard's portfolio section as HTML, rebuilt once per change to the audit log.

    Every change to a request, a partner or an organisation writes an audit event in the
    same transaction, so the latest event versions the figures; the cache timeout bounds
    the lag for reference data edited without one. Each scope (all departments, one
    department, one user's own requests) has its own entry.
    """
    from ..permissions import visibility_scope

    latest_event = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    key = f"ukcn:dashboard-analytics:{visibility_scope(user)}:{latest_event}"
    html = cache.get(key)
    if html is None:
        html = render_to_string(
            "assessments/dashboard/analytics.html",
            {"analytics": dashboard_analytics(user=user)},
        )
        cache.set(key, html, DASHBOARD_CACHE_SECONDS)
    return html
