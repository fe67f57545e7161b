"""Portfolio analytics in the source study's terms, computed with pandas from four queries.

The portfolio is the requests that reached review (submitted); drafts are left out. Requests
count by the year they were submitted, approved partnerships by the year they were decided.
"""

import math
from dataclasses import dataclass

import pandas as pd
from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet
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


# Pure parts: plain DataFrames in, plain data out.


def per_year(requests: pd.DataFrame) -> list[YearRow]:
    """New and cumulative requests and approvals per year, with empty years filled as zero."""
    if requests.empty:
        return []
    submitted = requests["submitted_year"].value_counts()
    approved_rows = requests[requests["status"].isin(APPROVED) & requests["decided_year"].notna()]
    approved = approved_rows["decided_year"].astype(int).value_counts()
    years = range(
        int(submitted.index.min()), int(max(submitted.index.max(), *approved.index, 0)) + 1
    )
    table = pd.DataFrame(
        {
            "requests": submitted.reindex(years, fill_value=0),
            "approved": approved.reindex(years, fill_value=0),
        }
    )
    table["requests_cumulative"] = table["requests"].cumsum()
    table["approved_cumulative"] = table["approved"].cumsum()
    return [
        YearRow(
            int(year),
            int(row.requests),
            int(row.requests_cumulative),
            int(row.approved),
            int(row.approved_cumulative),
        )
        for year, row in table.iterrows()
    ]


def _shares(counts: pd.Series, total: int, labels: dict | None = None) -> list[Share]:
    labels = labels or {}
    return [
        Share(
            labels.get(key, str(key)),
            int(count),
            round(100 * count / total, 1) if total else 0.0,
            str(key),
        )
        for key, count in counts.items()
    ]


def discipline_group_shares(links: pd.DataFrame, request_ids: pd.Series) -> list[Share]:
    """Each request counted once: its one group, multidisciplinary when it spans groups."""
    per_request = links.groupby("request_id")["group"].agg(["nunique", "first"])
    groups = per_request["first"].where(
        per_request["nunique"] == 1, DisciplineGroup.MULTIDISCIPLINARY
    )
    groups = groups.reindex(request_ids, fill_value=NOT_RECORDED)
    order = [*DisciplineGroup.values, NOT_RECORDED]
    counts = groups.value_counts().reindex(order, fill_value=0)
    counts = counts[(counts > 0) | (counts.index != NOT_RECORDED)]
    return _shares(counts, len(request_ids), dict(DisciplineGroup.choices))


def request_shares(
    links: pd.DataFrame, column: str, total: int, limit: int | None = None
) -> list[Share]:
    """Requests per value of `column` (a request with two partners in one country counts once)."""
    counts = links.drop_duplicates(["request_id", column]).groupby(column).size()
    counts = counts.sort_values(ascending=False, kind="stable")
    counts = counts.iloc[: limit or len(counts)]
    return _shares(counts, total)


def tier_shares(requests: pd.DataFrame) -> list[Share]:
    order = [*Tier.values, ""]
    counts = requests["tier"].value_counts().reindex(order, fill_value=0)
    return _shares(counts, len(requests), {**dict(Tier.choices), "": "Not yet scored"})


def concentration(links_per_organisation: pd.Series) -> Concentration:
    """The study's measure: the share of links held by the top fifth of organisations."""
    degrees = links_per_organisation.sort_values(ascending=False)
    top = math.ceil(len(degrees) / 5)
    return Concentration(
        organisations=len(degrees),
        links=int(degrees.sum()),
        top_organisations=top,
        top_links=int(degrees.iloc[:top].sum()),
    )


def most_connected(
    partners: pd.DataFrame, approved_ids: set, limit: int = TOP_ORGANISATIONS
) -> list[ConnectedOrganisation]:
    if partners.empty:
        return []
    partners = partners.assign(approved=partners["request_id"].isin(approved_ids))
    table = (
        partners.groupby(["organisation_id", "name", "name_native", "country", "city"])
        .agg(links=("request_id", "size"), approved=("approved", "sum"))
        .reset_index()
        .sort_values(["links", "approved", "name"], ascending=[False, False, True], kind="stable")
        .head(limit)
    )
    return [
        ConnectedOrganisation(
            row.name,
            row.name_native,
            country_name(row.country),
            row.city,
            int(row.links),
            int(row.approved),
        )
        for row in table.itertuples(index=False)
    ]


# The database side: four queries, whatever the portfolio's size.


def _local_year(values: pd.Series) -> pd.Series:
    moments = pd.to_datetime(values, utc=True).dt.tz_convert(settings.TIME_ZONE)
    return moments.dt.year


def _frames(requests: QuerySet) -> tuple[pd.DataFrame, ...]:
    submitted = requests.exclude(submitted_at=None)
    ids = submitted.values("pk")
    request_frame = pd.DataFrame(
        list(submitted.values_list("pk", "submitted_at", "decided_at", "status", "tier")),
        columns=["request_id", "submitted_at", "decided_at", "status", "tier"],
    )
    request_frame["submitted_year"] = _local_year(request_frame["submitted_at"])
    request_frame["decided_year"] = _local_year(request_frame["decided_at"])
    disciplines = PartnershipRequest.disciplines.through.objects.filter(
        partnershiprequest_id__in=ids
    )
    discipline_frame = pd.DataFrame(
        list(disciplines.values_list("partnershiprequest_id", "discipline__group")),
        columns=["request_id", "group"],
    )
    sectors = PartnershipRequest.sectors.through.objects.filter(partnershiprequest_id__in=ids)
    sector_frame = pd.DataFrame(
        list(sectors.values_list("partnershiprequest_id", "sector__name")),
        columns=["request_id", "sector"],
    )
    partners = Partner.objects.filter(request_id__in=ids).values_list(
        "request_id",
        "organisation_id",
        "organisation__name",
        "organisation__name_native",
        "organisation__country",
        "organisation__city",
    )
    partner_frame = pd.DataFrame(
        list(partners),
        columns=["request_id", "organisation_id", "name", "name_native", "country", "city"],
    )
    return request_frame, discipline_frame, sector_frame, partner_frame


def portfolio_analytics(*, requests: QuerySet) -> PortfolioAnalytics:
    """Analytics for the requests given (already narrowed to what the user may see)."""
    request_frame, discipline_frame, sector_frame, partner_frame = _frames(requests)
    total = len(request_frame)
    approved_ids = set(request_frame.loc[request_frame["status"].isin(APPROVED), "request_id"])
    partner_frame["country_name"] = partner_frame["country"].map(country_name)
    partner_frame["place"] = [
        f"{city}, {country}" if city else f"{NOT_RECORDED}, {country}"
        for city, country in zip(partner_frame["city"], partner_frame["country_name"], strict=True)
    ]
    return PortfolioAnalytics(
        requests=total,
        approved=len(approved_ids),
        per_year=per_year(request_frame),
        discipline_groups=discipline_group_shares(discipline_frame, request_frame["request_id"]),
        sectors=request_shares(sector_frame, "sector", total),
        countries=request_shares(partner_frame, "country_name", total),
        places=request_shares(partner_frame, "place", total, limit=TOP_PLACES),
        tiers=tier_shares(request_frame),
        top_organisations=most_connected(partner_frame, approved_ids),
        concentration=concentration(partner_frame.groupby("organisation_id").size()),
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
