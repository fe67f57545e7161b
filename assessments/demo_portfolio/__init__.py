"""A realistic demonstration portfolio: years of partnership requests shaped like the source study.

The per-year volumes, subject mix, NSI sectors and partner provinces follow the 2022 study's
figures for UK-China joint centres (see DOMAIN.md), continued to today at a steady pace, with
partners in other countries too, because the review is the same whatever the country.
Everything is derived from a fixed random seed, so running it twice gives the same portfolio.
The requests are written in bulk as drafts, then walked through the real workflow (see
`walk.py`) and back-dated to the plan.
"""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from ukcn.models import Department

from ..audit import audit_record
from ..models import (
    Discipline,
    FunderType,
    FundingSource,
    Notification,
    Organisation,
    Partner,
    PartnershipRequest,
    RequestStatus,
    Sector,
    Tier,
    WorkLocation,
)
from ..workflow.facts import years_later
from .bulk import bulk_outcomes_write
from .data import (
    COLLABORATION_WEIGHTS,
    DEFAULT_COUNT,
    DEPARTMENT_BY_DISCIPLINE,
    DISCIPLINE_WEIGHTS,
    FORMATS,
    FUNDERS,
    LEAD_ACADEMICS,
    NO_SECTOR_SHARE,
    ORGANISATIONS,
    SECTOR_WEIGHTS,
    SENSITIVE_SECTORS,
    TOPICS,
    YEAR_WEIGHTS,
    DemoOrganisation,
)
from .walk import (
    Target,
    portfolio_back_date,
    portfolio_forget_notifications,
    portfolio_walk,
    target_take,
)

__all__ = ["DEFAULT_COUNT", "demo_portfolio_seed"]


@dataclass
class _Plan:
    """One planned request and everything that hangs off it, before it is written."""

    reference: str
    request: PartnershipRequest
    discipline_codes: list[str]
    sector_codes: list[str]
    organisations: list[DemoOrganisation]
    funders: list[tuple[str, str, str, bool]] = field(default_factory=list)
    target: Target | None = None


def _weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _year_counts(count: int) -> dict[int, int]:
    """Spread `count` requests over the years in the study's proportions (largest remainder)."""
    total = DEFAULT_COUNT
    exact = {year: count * weight / total for year, weight in YEAR_WEIGHTS.items()}
    counts = {year: int(value) for year, value in exact.items()}
    short = count - sum(counts.values())
    for year in sorted(exact, key=lambda y: exact[y] - counts[y], reverse=True)[:short]:
        counts[year] += 1
    return counts


def _tier(rng: random.Random, organisations, sector_codes) -> str:
    risks = {org.risk for org in organisations}
    if "very_high" in risks:
        return Tier.VERY_HIGH
    if "high" in risks or SENSITIVE_SECTORS & set(sector_codes):
        return Tier.HIGH
    if "medium" in risks or sector_codes:
        return rng.choice([Tier.MEDIUM, Tier.MEDIUM, Tier.LOW])
    return rng.choice([Tier.LOW, Tier.LOW, Tier.MEDIUM])


def _outcome(rng: random.Random, tier: str) -> str:
    if tier == Tier.VERY_HIGH:
        return rng.choice([RequestStatus.DECLINED, RequestStatus.DECLINED, RequestStatus.WITHDRAWN])
    weights = {
        RequestStatus.APPROVED: 55 if tier in (Tier.LOW, Tier.MEDIUM) else 25,
        RequestStatus.APPROVED_WITH_CONDITIONS: 25 if tier != Tier.HIGH else 55,
        RequestStatus.DECLINED: 10,
        RequestStatus.WITHDRAWN: 5,
    }
    return _weighted(rng, weights)


def _at(day: date, rng: random.Random) -> datetime:
    moment = datetime.combine(day, time(hour=rng.randint(8, 17), minute=rng.randint(0, 59)))
    return timezone.make_aware(moment)


class _Planner:
    def __init__(self, *, seed: int, today: date, departments: dict, users: dict):
        self.rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
        self.today = today
        self.departments = departments
        self.users = users
        self.org_weights = {org: org.weight for org in ORGANISATIONS}

    def plan(self, reference: str, year: int) -> _Plan:
        rng = self.rng
        discipline = _weighted(rng, DISCIPLINE_WEIGHTS)
        disciplines = [discipline]
        if rng.random() < 0.1:
            disciplines.append(_weighted(rng, DISCIPLINE_WEIGHTS))
        sectors = [] if rng.random() < NO_SECTOR_SHARE else [_weighted(rng, SECTOR_WEIGHTS)]
        organisations = self._organisations()
        tier = _tier(rng, organisations, sectors)
        kind = _weighted(rng, COLLABORATION_WEIGHTS)
        department_code = DEPARTMENT_BY_DISCIPLINE[discipline]
        last_day = min(date(year, 12, 31), self.today)
        created = date(year, 1, 1) + timedelta(
            days=rng.randint(0, (last_day - date(year, 1, 1)).days)
        )
        request = PartnershipRequest(
            reference=reference,
            title=FORMATS[kind].format(topic=rng.choice(TOPICS[discipline])),
            summary="Demonstration request: a collaboration planned with the partners listed.",
            lead_academic=rng.choice(LEAD_ACADEMICS),
            department=self.departments[department_code],
            created_by=self.users[REGISTRANTS.get(department_code, "reviewer2")],
            collaboration_type=kind,
            work_location=rng.choice(list(WorkLocation.values)),
            no_nsi_sector=not sectors,
            dual_use=bool(SENSITIVE_SECTORS & set(sectors)),
            personal_data=discipline in ("clinical-medicine", "social-sciences"),
            staff_travel=rng.random() < 0.6,
            people_exchanged=rng.randint(0, 6),
            statement_of_intent_agreed=rng.random() < 0.7,
        )
        request.created_at = _at(created, rng)
        # The work starts a few months after registration and runs two to five years.
        request.start_date = created + timedelta(days=rng.randint(60, 240))
        request.end_date = years_later(request.start_date, rng.choice([2, 3, 3, 4, 5]))
        self._progress(request, tier, created)
        plan = _Plan(reference, request, disciplines, sectors, organisations)
        plan.funders = self._funders(organisations, year)
        return plan

    def _organisations(self) -> list[DemoOrganisation]:
        count = self.rng.choices([1, 2, 3], weights=[55, 35, 10])[0]
        chosen: list[DemoOrganisation] = []
        while len(chosen) < count:
            org = _weighted(self.rng, self.org_weights)
            if org not in chosen:
                chosen.append(org)
        return chosen

    def _funders(self, organisations, year: int) -> list[tuple[str, str, str, bool]]:
        rng = self.rng
        uk_name, uk_type = rng.choice(FUNDERS["GB"])
        if year < 2018 and rng.random() < 0.4:
            uk_name = "Research Councils UK"
        funders = [(uk_name, "GB", uk_type, False)]
        if rng.random() < 0.05:
            funders.append(("", "", FunderType.OTHER, True))
        elif any(org.country == "CN" for org in organisations) and rng.random() < 0.6:
            name, kind = rng.choice(FUNDERS["CN"])
            funders.append((name, "CN", kind, False))
        return funders

    def _progress(self, request: PartnershipRequest, tier: str, created: date) -> None:
        """Move the request along the workflow as far as its age allows."""
        rng = self.rng
        age = (self.today - created).days
        if age < 10 and rng.random() < 0.5:
            request.status = RequestStatus.DRAFT
            return
        submitted = created + timedelta(days=rng.randint(2, min(20, max(age, 2))))
        request.submitted_at = _at(min(submitted, self.today), rng)
        request.tier = tier
        decided = submitted + timedelta(days=rng.randint(20, 90))
        if decided > self.today:
            request.status = rng.choice(
                [RequestStatus.SUBMITTED, RequestStatus.UNDER_REVIEW, RequestStatus.RECOMMENDED]
            )
            request.reviewer = self.users["reviewer"]
            if request.status == RequestStatus.SUBMITTED:
                request.tier = ""
            return
        request.status = _outcome(rng, tier)
        request.reviewer = self.users[rng.choice(["reviewer", "reviewer2"])]
        request.decided_at = _at(decided, rng)
        if request.status in (RequestStatus.APPROVED, RequestStatus.APPROVED_WITH_CONDITIONS):
            # Reviewed three years after the decision, or at its end if it ends before then; a
            # partnership that has ended is closed and has no review to come.
            review = min(decided + timedelta(days=3 * 365), request.end_date)
            request.next_review_date = review if request.end_date >= self.today else None


def _reference(prefix: str, year: int, number: int) -> str:
    return f"{prefix}-{year}-{number:04d}"


def demo_portfolio_seed(
    *,
    count: int = DEFAULT_COUNT,
    prefix: str = "DEMO",
    seed: int = 2022,
    today: date | None = None,
    through_workflow: bool = True,
) -> int:
    """Add the demo portfolio's requests that are not there yet; return how many were added.

    Each request goes through the real workflow to its planned state. `through_workflow=False`
    writes the planned outcomes in bulk instead (for benchmarks at scale: those decisions are
    marked as taken before the decision gates were enforced)."""
    today = today or timezone.localdate()
    User = get_user_model()
    users = {u.username: u for u in User.objects.filter(username__in=_USERNAMES)}
    departments = {d.code: d for d in Department.objects.filter(code__in=_DEPARTMENTS)}
    missing = sorted(set(_USERNAMES) - set(users)) + sorted(set(_DEPARTMENTS) - set(departments))
    if missing:
        raise ValueError(f"the demo portfolio needs seed_demo's users and departments: {missing}")
    planner = _Planner(seed=seed, today=today, departments=departments, users=users)
    plans = []
    for year, year_count in _year_counts(count).items():
        if year > today.year:
            continue
        for number in range(1, year_count + 1):
            plans.append(planner.plan(_reference(prefix, year, number), year))
    existing = set(
        PartnershipRequest.objects.filter(reference__startswith=f"{prefix}-").values_list(
            "reference", flat=True
        )
    )
    plans = [plan for plan in plans if plan.reference not in existing]
    if not plans:
        return 0
    with transaction.atomic():
        _write(plans, users, random.Random(seed + 1), through_workflow)  # noqa: S311
        audit_record(
            actor=None,
            action="demo.portfolio_loaded",
            summary=f"Demonstration portfolio loaded: {len(plans)} requests ({prefix}-…)",
            changes={"requests": len(plans), "prefix": prefix},
        )
    return len(plans)


# Who registers a department's requests: its requester, or for departments without a demo
# requester the central office on their behalf (so that reviewer may not review them).
REGISTRANTS = {"engineering": "requester", "history": "requester2"}
_USERNAMES = ("requester", "requester2", "head", "reviewer", "reviewer2", "approver", "senior")
_DEPARTMENTS = tuple(sorted(set(DEPARTMENT_BY_DISCIPLINE.values())))
BATCH = 1000


def _write(plans: list[_Plan], users: dict, rng: random.Random, through_workflow: bool) -> None:
    """Write the planned requests (as drafts) and their partners and funding in bulk, then
    take each to its planned state."""
    if through_workflow:
        for plan in plans:
            plan.target = target_take(plan.request)
    requests = [plan.request for plan in plans]
    created_at = [request.created_at for request in requests]
    PartnershipRequest.objects.bulk_create(requests, batch_size=BATCH)
    # auto_now_add overwrote the planned creation times; put them back.
    for request, moment in zip(requests, created_at, strict=True):
        request.created_at = moment
    PartnershipRequest.objects.bulk_update(requests, ["created_at"], batch_size=BATCH)

    organisations = _organisations()
    sectors = dict(Sector.objects.values_list("code", "pk"))
    disciplines = dict(Discipline.objects.values_list("code", "pk"))
    SectorLink = PartnershipRequest.sectors.through
    DisciplineLink = PartnershipRequest.disciplines.through
    SectorLink.objects.bulk_create(
        [
            SectorLink(partnershiprequest_id=plan.request.pk, sector_id=sectors[code])
            for plan in plans
            for code in plan.sector_codes
        ],
        batch_size=BATCH,
    )
    DisciplineLink.objects.bulk_create(
        [
            DisciplineLink(partnershiprequest_id=plan.request.pk, discipline_id=disciplines[code])
            for plan in plans
            for code in dict.fromkeys(plan.discipline_codes)
        ],
        batch_size=BATCH,
    )
    Partner.objects.bulk_create(
        [
            Partner(
                request=plan.request,
                organisation=organisations[org.name],
                role="Lead partner" if index == 0 else "Co-investigator",
            )
            for plan in plans
            for index, org in enumerate(plan.organisations)
        ],
        batch_size=BATCH,
    )
    FundingSource.objects.bulk_create(
        [
            FundingSource(
                request=plan.request,
                funder_name=name,
                country=country,
                funder_type=kind,
                origin_undisclosed=undisclosed,
                amount=None if undisclosed else rng.randint(2, 60) * 5000,
            )
            for plan in plans
            for name, country, kind, undisclosed in plan.funders
        ],
        batch_size=BATCH,
    )
    if through_workflow:
        _walk(plans, users, rng)
    else:
        bulk_outcomes_write([p.request for p in plans if p.request.decided_at], users, rng)


def _walk(plans: list[_Plan], users: dict, rng: random.Random) -> None:
    """Each request through the workflow to its planned state, then back to its planned dates."""
    before = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    for plan in plans:
        portfolio_walk(plan.request, plan.target, users, rng)
        portfolio_back_date(plan.request, plan.target, rng)
    portfolio_forget_notifications(before)


def _organisations() -> dict[str, Organisation]:
    found = {
        org.name: org
        for org in Organisation.objects.filter(name__in=[o.name for o in ORGANISATIONS])
    }
    for spec in ORGANISATIONS:
        if spec.name not in found:
            found[spec.name] = Organisation.objects.create(
                name=spec.name,
                name_native=spec.native,
                country=spec.country,
                city=spec.city,
                org_type=spec.org_type,
            )
    return found
