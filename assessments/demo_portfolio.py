"""A realistic demonstration portfolio: years of partnership requests shaped like the source study.

The per-year volumes, subject mix, NSI sectors and partner provinces follow the 2022 study's
figures for UK-China joint centres (see DOMAIN.md), continued to today at a steady pace, with
partners in other countries too, because the review is the same whatever the country.
Everything is derived from a fixed random seed, so running it twice gives the same portfolio.
"""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from ukcn.models import Department

from .audit import audit_record
from .models import (
    CollaborationType,
    Condition,
    Decision,
    Discipline,
    FunderType,
    FundingSource,
    Organisation,
    OrganisationType,
    Partner,
    PartnershipRequest,
    Recommendation,
    RequestStatus,
    Sector,
    Tier,
    WorkLocation,
)

# New requests per year: the study's joint centres per year set up (2012-2021), then a steady office.
YEAR_WEIGHTS = {
    2012: 9, 2013: 8, 2014: 12, 2015: 15, 2016: 20, 2017: 18, 2018: 27, 2019: 15,
    2020: 4, 2021: 1, 2022: 6, 2023: 8, 2024: 10, 2025: 12, 2026: 9,
}  # fmt: skip
DEFAULT_COUNT = sum(YEAR_WEIGHTS.values())

# The study's top subjects of 156 centres (discipline code: centres).
DISCIPLINE_WEIGHTS = {
    "engineering": 28, "environment-ecology": 17, "materials-science": 17,
    "multidisciplinary": 15, "computer-science": 15, "clinical-medicine": 12,
    "agricultural-sciences": 11, "social-sciences": 10, "space-science": 7,
    "arts-humanities": 6, "immunology": 5, "economics-business": 4,
    "pharmacology-toxicology": 3, "molecular-biology-genetics": 2,
    "biology-biochemistry": 2, "plant-animal-science": 2,
}  # fmt: skip

# The study's centres mapped to NSI sectors; about a third touched none.
SECTOR_WEIGHTS = {
    "synthetic-biology": 47, "advanced-materials": 21, "energy": 15,
    "artificial-intelligence": 8, "satellite-and-space": 8, "communications": 4,
    "transport": 4, "data-infrastructure": 3, "quantum-technologies": 2,
    "military-and-dual-use": 1,
}  # fmt: skip
NO_SECTOR_SHARE = 0.35
SENSITIVE_SECTORS = {"military-and-dual-use", "quantum-technologies", "satellite-and-space"}

DEPARTMENT_BY_DISCIPLINE = {
    "engineering": "engineering", "materials-science": "engineering",
    "space-science": "engineering", "environment-ecology": "engineering",
    "computer-science": "computer-science", "multidisciplinary": "computer-science",
    "clinical-medicine": "medicine", "immunology": "medicine",
    "pharmacology-toxicology": "medicine", "molecular-biology-genetics": "medicine",
    "biology-biochemistry": "chemistry", "plant-animal-science": "chemistry",
    "agricultural-sciences": "chemistry", "social-sciences": "history",
    "arts-humanities": "history", "economics-business": "history",
}  # fmt: skip

TOPICS = {
    "engineering": ["low-carbon manufacturing", "smart infrastructure", "offshore wind structures"],
    "environment-ecology": ["river basin ecology", "urban air quality", "coastal wetland carbon"],
    "materials-science": [
        "battery cathode materials",
        "graphene composites",
        "functional ceramics",
    ],
    "multidisciplinary": ["sustainable cities", "healthy ageing", "food systems"],
    "computer-science": [
        "trustworthy machine learning",
        "edge computing",
        "natural language tools",
    ],
    "clinical-medicine": ["stroke rehabilitation", "liver cancer outcomes", "diabetes care"],
    "agricultural-sciences": ["rice crop resilience", "soil health", "precision irrigation"],
    "social-sciences": ["migration and cities", "urban governance", "labour markets"],
    "space-science": ["space weather", "planetary imaging", "small satellite payloads"],
    "arts-humanities": ["Silk Road manuscripts", "museum collections", "translation studies"],
    "immunology": ["vaccine response", "autoimmune disease"],
    "economics-business": ["trade and supply chains", "green finance"],
    "pharmacology-toxicology": ["drug metabolism", "herbal medicine safety"],
    "molecular-biology-genetics": ["crop genomics"],
    "biology-biochemistry": ["enzyme engineering"],
    "plant-animal-science": ["aquaculture health"],
}
FORMATS = {
    CollaborationType.JOINT_CENTRE: "Joint research centre for {topic}",
    CollaborationType.JOINT_PROJECT: "Joint project on {topic}",
    CollaborationType.VISITING: "Visiting researcher exchange in {topic}",
    CollaborationType.FRAMEWORK: "Framework agreement on {topic}",
    CollaborationType.DATA_SHARING: "Data sharing for {topic}",
    CollaborationType.CO_AUTHORSHIP: "Co-authored study of {topic}",
}
COLLABORATION_WEIGHTS = {
    CollaborationType.JOINT_CENTRE: 30, CollaborationType.JOINT_PROJECT: 35,
    CollaborationType.VISITING: 12, CollaborationType.FRAMEWORK: 10,
    CollaborationType.DATA_SHARING: 8, CollaborationType.CO_AUTHORSHIP: 5,
}  # fmt: skip


@dataclass(frozen=True)
class DemoOrganisation:
    name: str
    native: str
    country: str
    city: str
    weight: int
    org_type: str = OrganisationType.UNIVERSITY
    # Defence links as a tracker would rate them: raises the request's tier.
    risk: str = ""


U, R, C = OrganisationType.UNIVERSITY, OrganisationType.RESEARCH_INSTITUTE, OrganisationType.COMPANY
ORGANISATIONS = [
    # China: Jiangsu most, then Beijing, Zhejiang, Guangdong; then Shandong; then the rest.
    DemoOrganisation("Southeast University", "东南大学", "CN", "Jiangsu", 40),
    DemoOrganisation("Nanjing University", "南京大学", "CN", "Jiangsu", 16),
    DemoOrganisation("Soochow University", "苏州大学", "CN", "Jiangsu", 8),
    DemoOrganisation(
        "Nanjing University of Aeronautics and Astronautics",
        "南京航空航天大学",
        "CN",
        "Jiangsu",
        4,
        U,
        "very_high",
    ),
    DemoOrganisation("Tsinghua University", "清华大学", "CN", "Beijing", 14, U, "high"),
    DemoOrganisation("Peking University", "北京大学", "CN", "Beijing", 10),
    DemoOrganisation("Beihang University", "北京航空航天大学", "CN", "Beijing", 3, U, "very_high"),
    DemoOrganisation("Chinese Academy of Sciences", "中国科学院", "CN", "Beijing", 12, R, "high"),
    DemoOrganisation("Zhejiang University", "浙江大学", "CN", "Zhejiang", 12, U, "high"),
    DemoOrganisation(
        "Ningbo Institute of Materials Technology",
        "中国科学院宁波材料技术与工程研究所",
        "CN",
        "Zhejiang",
        3,
        R,
    ),
    DemoOrganisation("Sun Yat-sen University", "中山大学", "CN", "Guangdong", 9),
    DemoOrganisation("South China University of Technology", "华南理工大学", "CN", "Guangdong", 6),
    DemoOrganisation(
        "Shenzhen Smart Grid Co., Ltd.", "深圳智能电网有限公司", "CN", "Guangdong", 2, C
    ),
    DemoOrganisation("Shandong University", "山东大学", "CN", "Shandong", 7),
    DemoOrganisation("Ocean University of China", "中国海洋大学", "CN", "Shandong", 4),
    DemoOrganisation(
        "Dalian University of Technology", "大连理工大学", "CN", "Liaoning", 4, U, "medium"
    ),
    DemoOrganisation("Sichuan University", "四川大学", "CN", "Sichuan", 4),
    DemoOrganisation("Wuhan University", "武汉大学", "CN", "Hubei", 4),
    DemoOrganisation("Fudan University", "复旦大学", "CN", "Shanghai", 4),
    DemoOrganisation(
        "Shanghai Jiao Tong University", "上海交通大学", "CN", "Shanghai", 4, U, "high"
    ),
    DemoOrganisation(
        "Harbin Institute of Technology", "哈尔滨工业大学", "CN", "Heilongjiang", 2, U, "very_high"
    ),
    # UK co-partners, as in the study's network.
    DemoOrganisation("University of Cambridge", "", "GB", "Cambridge", 24),
    DemoOrganisation("University of Edinburgh", "", "GB", "Edinburgh", 16),
    DemoOrganisation("University of Nottingham", "", "GB", "Nottingham", 4),
    DemoOrganisation("University of Liverpool", "", "GB", "Liverpool", 3),
    # Elsewhere: the same review, whatever the country.
    DemoOrganisation(
        "Technical University of Munich", "Technische Universität München", "DE", "Bavaria", 4
    ),
    DemoOrganisation("National University of Singapore", "", "SG", "Singapore", 4),
    DemoOrganisation("Indian Institute of Technology Delhi", "", "IN", "Delhi", 3),
    DemoOrganisation("University of São Paulo", "Universidade de São Paulo", "BR", "São Paulo", 2),
    DemoOrganisation(
        "King Abdullah University of Science and Technology",
        "جامعة الملك عبدالله للعلوم والتقنية",
        "SA",
        "Makkah",
        2,
        U,
        "medium",
    ),
    DemoOrganisation("University of Tokyo", "東京大学", "JP", "Tokyo", 3),
    # The long tail: organisations met once or twice, as in any real network.
    *[
        DemoOrganisation(name, native, country, city, 1)
        for name, native, country, city in [
            ("Xi'an Jiaotong University", "西安交通大学", "CN", "Shaanxi"),
            ("Hunan University", "湖南大学", "CN", "Hunan"),
            ("Central South University", "中南大学", "CN", "Hunan"),
            ("Jilin University", "吉林大学", "CN", "Jilin"),
            ("Xiamen University", "厦门大学", "CN", "Fujian"),
            ("Chongqing University", "重庆大学", "CN", "Chongqing"),
            ("Tianjin University", "天津大学", "CN", "Tianjin"),
            ("Nankai University", "南开大学", "CN", "Tianjin"),
            ("Lanzhou University", "兰州大学", "CN", "Gansu"),
            ("China Agricultural University", "中国农业大学", "CN", "Beijing"),
            ("Jiangnan University", "江南大学", "CN", "Jiangsu"),
            ("Hohai University", "河海大学", "CN", "Jiangsu"),
            ("Zhengzhou University", "郑州大学", "CN", "Henan"),
            ("Yunnan University", "云南大学", "CN", "Yunnan"),
            ("Northeastern University", "东北大学", "CN", "Liaoning"),
            ("University of Leeds", "", "GB", "Leeds"),
            ("Cardiff University", "", "GB", "Cardiff"),
            ("University of Glasgow", "", "GB", "Glasgow"),
            ("University of Toronto", "", "CA", "Ontario"),
            ("Monash University", "", "AU", "Victoria"),
        ]
    ],
]
FUNDERS = {
    "CN": [
        ("National Natural Science Foundation of China", FunderType.PARTNER_GOVERNMENT),
        ("Chinese Academy of Sciences", FunderType.PARTNER_INSTITUTION),
        ("Ministry of Science and Technology", FunderType.PARTNER_GOVERNMENT),
        ("Jiangsu Science and Technology Department", FunderType.PARTNER_GOVERNMENT),
    ],
    "GB": [
        ("UK Research and Innovation", FunderType.UK_PUBLIC),
        ("Innovate UK", FunderType.UK_PUBLIC),
        ("British Council", FunderType.UK_PUBLIC),
    ],
}
LEAD_ACADEMICS = [
    "Dr Helen Marsh", "Prof. Wei Zhang", "Dr Owen Price", "Prof. Aisha Bello", "Dr Li Na",
    "Prof. Graham Shaw", "Dr Fiona Reid", "Dr Chen Hao", "Prof. Ruth Adeyemi", "Dr Kiran Patel",
    "Dr James Whitaker", "Prof. Sofia Romano", "Dr Yusuf Karim", "Dr Emma Lloyd",
]  # fmt: skip


@dataclass
class _Plan:
    """One planned request and everything that hangs off it, before it is written."""

    reference: str
    request: PartnershipRequest
    discipline_codes: list[str]
    sector_codes: list[str]
    organisations: list[DemoOrganisation]
    funders: list[tuple[str, str, str, bool]] = field(default_factory=list)


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
            created_by=self.users["requester2" if department_code == "history" else "requester"],
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
            request.next_review_date = decided + timedelta(days=365 * rng.choice([1, 2, 3]))


def _reference(prefix: str, year: int, number: int) -> str:
    return f"{prefix}-{year}-{number:04d}"


def demo_portfolio_seed(
    *, count: int = DEFAULT_COUNT, prefix: str = "DEMO", seed: int = 2022, today: date | None = None
) -> int:
    """Add the demo portfolio's requests that are not there yet; return how many were added."""
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
        _write(plans, users, random.Random(seed + 1))  # noqa: S311
        audit_record(
            actor=None,
            action="demo.portfolio_loaded",
            summary=f"Demonstration portfolio loaded: {len(plans)} requests ({prefix}-…)",
            changes={"requests": len(plans), "prefix": prefix},
        )
    return len(plans)


_USERNAMES = ("requester", "requester2", "reviewer", "reviewer2", "approver")
_DEPARTMENTS = tuple(sorted(set(DEPARTMENT_BY_DISCIPLINE.values())))
BATCH = 1000


def _write(plans: list[_Plan], users: dict, rng: random.Random) -> None:
    """Write the planned requests and their partners, funding, decisions and conditions in bulk."""
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
    _write_outcomes([plan.request for plan in plans if plan.request.decided_at], users, rng)


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


def _write_outcomes(decided: list[PartnershipRequest], users: dict, rng: random.Random) -> None:
    """Recommendations, decisions and conditions for the requests that were decided."""
    recommendations, decisions, conditions = [], [], []
    for request in decided:
        if request.status == RequestStatus.WITHDRAWN:
            continue
        outcome = {
            RequestStatus.APPROVED: Recommendation.Outcome.APPROVE,
            RequestStatus.APPROVED_WITH_CONDITIONS: Recommendation.Outcome.APPROVE_WITH_CONDITIONS,
            RequestStatus.DECLINED: Recommendation.Outcome.DECLINE,
        }[request.status]
        recommender = request.reviewer
        committee = request.tier in (Tier.HIGH, Tier.VERY_HIGH)
        decider = (
            users["approver"]
            if committee
            else users["reviewer2" if recommender.username == "reviewer" else "reviewer"]
        )
        recommendation = Recommendation(
            request=request,
            recommended_by=recommender,
            outcome=outcome,
            reasoning="Checks complete; see the assessment.",
        )
        recommendation.created_at = request.decided_at - timedelta(days=rng.randint(2, 14))
        recommendations.append(recommendation)
        decision = Decision(
            request=request,
            decided_by=decider,
            outcome=request.status,
            tier=request.tier,
            reasoning="Decided on the reviewer's recommendation.",
        )
        decision.created_at = request.decided_at
        decisions.append(decision)
    _bulk_create_keeping_times(Recommendation, recommendations)
    _bulk_create_keeping_times(Decision, decisions)
    today = timezone.localdate()
    for decision in decisions:
        if decision.outcome != RequestStatus.APPROVED_WITH_CONDITIONS:
            continue
        for text in rng.sample(CONDITION_TEXTS, rng.randint(1, 2)):
            due = decision.created_at.date() + timedelta(days=rng.randint(60, 400))
            status = Condition.Status.OPEN
            met_at = None
            if due < today:
                status = Condition.Status.MET if rng.random() < 0.9 else Condition.Status.OVERDUE
                met_at = _at(due, rng) if status == Condition.Status.MET else None
            conditions.append(
                Condition(
                    request_id=decision.request_id,
                    decision=decision,
                    text=text,
                    owner=decision.request.reviewer,
                    due_date=due,
                    status=status,
                    met_at=met_at,
                )
            )
    Condition.objects.bulk_create(conditions, batch_size=BATCH)


def _bulk_create_keeping_times(model, rows: list) -> None:
    times = [row.created_at for row in rows]
    model.objects.bulk_create(rows, batch_size=BATCH)
    for row, moment in zip(rows, times, strict=True):
        row.created_at = moment
    model.objects.bulk_update(rows, ["created_at"], batch_size=BATCH)


CONDITION_TEXTS = [
    "Export-control classification confirmed by the research-contracts team before any transfer.",
    "Data-sharing agreement signed; no personal data leaves the UK without it.",
    "Staff travelling to the partner country complete the travel-safety briefing.",
    "Annual report to the central office on the partnership's outputs and visitors.",
    "Laboratory access limited to named visitors under supervision.",
]
