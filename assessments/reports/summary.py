"""The annual summary for the governing body: the year's requests and decisions, in counts."""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from ukcn.roles import Role, has_role

from ..models import Condition, Partner, PartnershipRequest, RequestStatus, Tier
from .countries import country_name
from .exports import DateRange

TOP_PARTNERS = 10
# A governing body reads the first hundred; the full list is in the exports.
CONDITIONS_LISTED = 100
DECISION_STATUSES = [
    RequestStatus.APPROVED,
    RequestStatus.APPROVED_WITH_CONDITIONS,
    RequestStatus.DECLINED,
]


@dataclass(frozen=True)
class Tally:
    label: str
    count: int


@dataclass(frozen=True)
class PartnerTally:
    name: str
    name_native: str
    country: str
    city: str
    count: int


@dataclass
class AnnualSummary:
    year: int
    generated_at: datetime
    received: int
    decided: int
    withdrawn: int
    by_tier: list[Tally]
    by_decision: list[Tally]
    by_country: list[Tally]
    by_sector: list[Tally]
    top_partners: list[PartnerTally] = field(default_factory=list)
    # The outstanding conditions due first (at most CONDITIONS_LISTED), and how many there are.
    conditions_outstanding: list[Condition] = field(default_factory=list)
    conditions_outstanding_count: int = 0
    conditions_overdue: int = 0
    conditions_met_in_year: int = 0

    @property
    def conditions_not_listed(self) -> int:
        return self.conditions_outstanding_count - len(self.conditions_outstanding)

    @property
    def is_partial(self) -> bool:
        """True while the year is not over yet."""
        return self.year >= self.generated_at.year


def may_read_summary(user) -> bool:
    """The governing body's summary is for central-office staff."""
    return has_role(user, Role.REVIEWER, Role.APPROVER, Role.SENIOR_OFFICER, Role.AUDITOR)


def _counts(rows, labels: dict | None = None) -> list[Tally]:
    return [Tally((labels or {}).get(key, key), count) for key, count in rows]


def _by_tier(received: QuerySet) -> list[Tally]:
    tiers = dict(received.values_list("tier").annotate(n=Count("pk")).order_by())
    by_tier = [Tally(label, tiers.get(value, 0)) for value, label in Tier.choices]
    return [*by_tier, Tally("Not yet scored", tiers.get("", 0))]


def _by_country(received: QuerySet) -> list[Tally]:
    """Requests with a partner in each country (a request may count in several)."""
    countries = (
        Partner.objects.filter(request__in=received.values("pk"))
        .values_list("organisation__country")
        .annotate(n=Count("request", distinct=True))
        .order_by("-n", "organisation__country")
    )
    return [Tally(country_name(code), n) for code, n in countries]


def _by_sector(received: QuerySet) -> list[Tally]:
    sectors = (
        received.filter(sectors__isnull=False)
        .values_list("sectors__name")
        .annotate(n=Count("pk", distinct=True))
        .order_by("-n", "sectors__name")
    )
    none = received.filter(sectors__isnull=True).count()
    return [*_counts(sectors), Tally("None of the NSI Act sectors", none)]


def _top_partners(received: QuerySet) -> list[PartnerTally]:
    partners = (
        Partner.objects.filter(request__in=received.values("pk"))
        .values_list(
            "organisation__name",
            "organisation__name_native",
            "organisation__country",
            "organisation__city",
        )
        .annotate(n=Count("request", distinct=True))
        .order_by("-n", "organisation__name")[:TOP_PARTNERS]
    )
    return [
        PartnerTally(name, native, country_name(country), city, n)
        for name, native, country, city, n in partners
    ]


def annual_summary(*, year: int, requests: QuerySet | None = None) -> AnnualSummary:
    """Count the year's requests (by submission) and decisions (by decision date).

    Conditions outstanding are those not met at the moment of generation, whatever their year.
    """
    requests = PartnershipRequest.objects.all() if requests is None else requests
    period = DateRange(date(year, 1, 1), date(year, 12, 31))
    received = period.filter(requests, "submitted_at")
    decided = period.filter(requests, "decided_at")

    outcomes = dict(decided.values_list("status").annotate(n=Count("pk")).order_by())
    by_decision = [Tally(status.label, outcomes.get(status, 0)) for status in DECISION_STATUSES]

    conditions = Condition.objects.filter(request__in=requests.values("pk"))
    outstanding = conditions.exclude(status=Condition.Status.MET)
    today = timezone.localdate()
    return AnnualSummary(
        year=year,
        generated_at=timezone.localtime(),
        received=received.count(),
        decided=sum(outcomes.get(status, 0) for status in DECISION_STATUSES),
        withdrawn=decided.filter(status=RequestStatus.WITHDRAWN).count(),
        by_tier=_by_tier(received),
        by_decision=by_decision,
        by_country=_by_country(received),
        by_sector=_by_sector(received),
        top_partners=_top_partners(received),
        conditions_outstanding=list(
            outstanding.select_related("request", "owner").order_by("due_date", "id")[
                :CONDITIONS_LISTED
            ]
        ),
        conditions_outstanding_count=outstanding.count(),
        conditions_overdue=outstanding.filter(
            Q(due_date__lt=today) | Q(status=Condition.Status.OVERDUE)
        ).count(),
        conditions_met_in_year=period.filter(
            conditions.filter(status=Condition.Status.MET), "met_at"
        ).count(),
    )


def summary_years(*, today: date | None = None) -> list[int]:
    """The years a summary can be asked for: from the first request to this year, newest first."""
    this_year = (today or timezone.localdate()).year
    first = (
        PartnershipRequest.objects.filter(~Q(submitted_at=None))
        .order_by("submitted_at")
        .values_list("submitted_at", flat=True)
        .first()
    )
    start = timezone.localtime(first).year if first else this_year
    return list(range(this_year, start - 1, -1))
