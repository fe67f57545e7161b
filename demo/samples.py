"""Sample partnership requests for the demo, created through the real workflow."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from assessments import workflow
from assessments.checklists import (
    AnswerInput,
    checklist_answers_save,
    checklist_version_for_request,
)
from assessments.models import (
    Organisation,
    PartnershipRequest,
    RequestStatus,
    ScreeningMatch,
    Sector,
)
from assessments.models.screening import MatchStatus
from assessments.scoring.assessing import request_assess
from assessments.screening.service import match_confirm, match_dismiss
from assessments.workflow.rules import (
    decider_role,
    next_sign_off,
    pending_decision,
    sign_off_fallback_applies,
    tier_rank,
)
from ukcn.models import Department
from ukcn.roles import DEPARTMENTAL_ROLES, Role, has_department_role, has_role

S = RequestStatus

ORGANISATIONS = {
    "tsinghua": ("Tsinghua University", "清华大学", "CN", "university", "Beijing", "https://www.tsinghua.edu.cn"),
    "nju": ("Nanjing University", "南京大学", "CN", "university", "Nanjing, Jiangsu", "https://www.nju.edu.cn"),
    "fudan": ("Fudan University", "复旦大学", "CN", "university", "Shanghai", "https://www.fudan.edu.cn"),
    "beihang": ("Beihang University", "北京航空航天大学", "CN", "university", "Beijing", "https://www.buaa.edu.cn"),
    "zju": ("Zhejiang University", "浙江大学", "CN", "university", "Hangzhou, Zhejiang", "https://www.zju.edu.cn"),
    "dicp": ("Dalian Institute of Chemical Physics, CAS", "中国科学院大连化学物理研究所", "CN", "research_institute", "Dalian, Liaoning", ""),
    "hit": ("Harbin Institute of Technology", "哈尔滨工业大学", "CN", "university", "Harbin, Heilongjiang", "https://www.hit.edu.cn"),
    "sjtu": ("Shanghai Jiao Tong University", "上海交通大学", "CN", "university", "Shanghai", "https://www.sjtu.edu.cn"),
    "seu": ("Southeast University", "东南大学", "CN", "university", "Nanjing, Jiangsu", "https://www.seu.edu.cn"),
    "hku": ("The University of Hong Kong", "香港大學", "HK", "university", "Hong Kong", "https://www.hku.hk"),
}  # fmt: skip


@dataclass
class Sample:
    title: str
    department: str
    registered_by: str
    partners: list[tuple[str, str]]
    registered_on: date
    status: str
    tier: str = ""
    sectors: list[str] = field(default_factory=list)
    funding: list[dict] = field(default_factory=list)
    collaboration_type: str = "joint_project"
    work_location: str = "both"
    sensitivity: dict = field(default_factory=dict)
    # The decision taken when `status` is awaiting sign-off (otherwise the status is the outcome).
    decision: str = ""
    review_in_days: int | None = None
    condition: str = ""


SAMPLES = [
    Sample(
        title="Joint research centre for low-carbon battery materials",
        department="engineering",
        registered_by="requester",
        partners=[("tsinghua", "Co-director of the centre"), ("nju", "Materials characterisation")],
        registered_on=date(2025, 3, 14),
        status=S.APPROVED_WITH_CONDITIONS,
        tier="medium",
        sectors=["Advanced Materials", "Energy"],
        funding=[
            {
                "funder_name": "UKRI",
                "country": "GB",
                "funder_type": "uk_public",
                "amount": 420000,
                "currency": "GBP",
            },
            {
                "funder_name": "National Natural Science Foundation of China (NSFC)",
                "country": "CN",
                "funder_type": "partner_government",
                "amount": 3000000,
                "currency": "CNY",
            },
        ],
        collaboration_type="joint_centre",
        sensitivity={
            "people_exchanged": 4,
            "lab_access": True,
            "staff_travel": True,
            "ip_arrangements": "Jointly owned foreground IP; background IP stays with each party.",
        },
        condition="Agree a technology control plan with the export-control officer before samples are shipped",
    ),
    Sample(
        title="Digitising Qing-dynasty maritime trade archives",
        department="history",
        registered_by="requester2",
        partners=[("fudan", "Archive holder and co-investigator")],
        registered_on=date(2026, 9, 2),
        status=S.SUBMITTED,
        funding=[
            {
                "funder_name": "British Council",
                "country": "GB",
                "funder_type": "uk_public",
                "amount": 38000,
                "currency": "GBP",
            }
        ],
        sensitivity={"personal_data": False, "staff_travel": True},
    ),
    Sample(
        title="Hypersonic boundary-layer flow modelling",
        department="engineering",
        registered_by="requester",
        partners=[("beihang", "Wind-tunnel experiments")],
        registered_on=date(2026, 6, 20),
        status=S.RECOMMENDED,
        tier="very_high",
        sectors=["Defence", "Military and Dual-Use", "Satellite and Space Technologies"],
        funding=[
            {
                "funder_name": "",
                "country": "CN",
                "funder_type": "partner_institution",
                "origin_undisclosed": True,
            }
        ],
        sensitivity={
            "export_controlled": True,
            "dual_use": True,
            "lab_access": True,
            "people_exchanged": 2,
        },
    ),
    Sample(
        title="Antimicrobial resistance surveillance in hospital wastewater",
        department="medicine",
        registered_by="reviewer2",
        partners=[("zju", "Sampling and sequencing")],
        registered_on=date(2026, 10, 11),
        status=S.UNDER_REVIEW,
        tier="medium",
        sectors=["Synthetic Biology"],
        funding=[
            {
                "funder_name": "Wellcome Trust",
                "country": "GB",
                "funder_type": "other",
                "amount": 150000,
                "currency": "GBP",
            }
        ],
        sensitivity={"personal_data": True, "data_leaves_partner_country": True},
    ),
    Sample(
        title="Perovskite solar cell stability testing",
        department="chemistry",
        registered_by="reviewer2",
        partners=[("dicp", "Accelerated ageing tests")],
        registered_on=date(2024, 11, 5),
        status=S.APPROVED,
        tier="low",
        sectors=["Energy"],
        funding=[
            {
                "funder_name": "Innovate UK",
                "country": "GB",
                "funder_type": "uk_public",
                "amount": 60000,
                "currency": "GBP",
            }
        ],
        review_in_days=30,
    ),
    Sample(
        title="Visiting PhD student in robotic welding",
        department="engineering",
        registered_by="requester",
        partners=[("hit", "Home institution of the visiting student")],
        registered_on=date(2026, 11, 20),
        status=S.DRAFT,
        sectors=["Advanced Robotics"],
        collaboration_type="visiting",
        work_location="uk",
        sensitivity={"people_exchanged": 1, "lab_access": True},
    ),
    Sample(
        title="Co-authored review of federated learning for medical imaging",
        department="computer-science",
        registered_by="reviewer",
        partners=[("sjtu", "Co-author"), ("seu", "Co-author")],
        registered_on=date(2025, 7, 1),
        status=S.WITHDRAWN,
        sectors=["Artificial Intelligence"],
        collaboration_type="co_authorship",
        work_location="uk",
    ),
    Sample(
        title="Shared fatigue-test data for offshore wind foundations",
        department="engineering",
        registered_by="requester",
        partners=[("seu", "Fatigue tests and co-analysis")],
        registered_on=date(2025, 10, 6),
        status=S.APPROVED,
        tier="low",
        sectors=["Energy"],
        funding=[
            {
                "funder_name": "EPSRC",
                "country": "GB",
                "funder_type": "uk_public",
                "amount": 85000,
                "currency": "GBP",
            }
        ],
        collaboration_type="data_sharing",
        work_location="uk",
    ),
    Sample(
        title="Visiting lecturer series on bridge monitoring",
        department="engineering",
        registered_by="requester",
        # Outside the country table's starting rows: a low tier, which the head signs off.
        partners=[("hku", "Home institution of the visiting lecturers")],
        registered_on=date(2026, 10, 19),
        status=S.AWAITING_SIGN_OFF,
        decision=S.APPROVED,
        tier="low",
        collaboration_type="visiting",
        work_location="uk",
        sensitivity={"people_exchanged": 2},
    ),
    Sample(
        title="Cold-climate durability of hydrogen fuel cells",
        department="engineering",
        registered_by="requester",
        partners=[("hit", "Low-temperature test rigs")],
        registered_on=date(2026, 9, 8),
        status=S.AWAITING_SIGN_OFF,
        decision=S.DECLINED,
        tier="very_high",
        sectors=["Energy", "Advanced Materials"],
        funding=[
            {
                "funder_name": "Ministry of Industry and Information Technology",
                "country": "CN",
                "funder_type": "partner_government",
                "amount": 1200000,
                "currency": "CNY",
            }
        ],
        sensitivity={"lab_access": True, "people_exchanged": 3, "staff_travel": True},
    ),
]


def _organisation(key: str, actor) -> Organisation:
    name, native, country, org_type, city, website = ORGANISATIONS[key]
    existing = Organisation.objects.filter(name=name, country=country).first()
    return existing or workflow.organisation_create(
        actor=actor,
        name=name,
        name_native=native,
        country=country,
        org_type=org_type,
        city=city,
        website=website,
    )


def _facts(sample: Sample, actor) -> workflow.RequestFacts:
    sectors = list(Sector.objects.filter(name__in=sample.sectors))
    return workflow.RequestFacts(
        fields={
            "title": sample.title,
            "summary": f"{sample.title}: a demonstration request for the review workflow.",
            "lead_academic": "Dr Demo Lead",
            "collaboration_type": sample.collaboration_type,
            "work_location": sample.work_location,
            "no_nsi_sector": not sectors,
            "start_date": sample.registered_on + timedelta(days=90),
            "end_date": sample.registered_on + timedelta(days=90 + 3 * 365),
            **sample.sensitivity,
        },
        sectors=sectors,
        partners=[
            workflow.PartnerInput(organisation=_organisation(key, actor), role=role)
            for key, role in sample.partners
        ],
        funding=sample.funding,
    )


def _is_listed_body(match: ScreeningMatch) -> bool:
    """Is the partner the listed body itself (same name or native name), not a namesake?"""
    organisation = match.subject_organisation
    if organisation is None:
        return False
    entry = match.entry
    names = {entry.name.casefold(), *(alias.casefold() for alias in entry.aliases)}
    return organisation.name.casefold() in names or (
        bool(organisation.name_native) and organisation.name_native.casefold() in names
    )


def demo_resolve_matches(pr: PartnershipRequest, reviewer) -> None:
    """Confirm the matches that are the listed body itself; dismiss namesakes, with a reason."""
    potential = ScreeningMatch.objects.filter(
        request=pr, status=MatchStatus.POTENTIAL
    ).select_related("partner__organisation", "organisation", "entry")
    for match in potential:
        if _is_listed_body(match):
            match_confirm(
                match=match,
                actor=reviewer,
                reason="Same institution: name, city and website agree with the listed entry.",
            )
        else:
            match_dismiss(
                match=match,
                actor=reviewer,
                reason=(f"A different body: {match.subject_name} is not {match.entry.name}."),
            )


def demo_answer_checklist(pr: PartnershipRequest, reviewer, *, not_met: int = 0) -> None:
    """Answer every item of the request's checklist; the last `not_met` items are not met."""
    items = checklist_version_for_request(pr).items
    answers = []
    for index, item in enumerate(items):
        if index >= len(items) - not_met:
            answers.append(AnswerInput(ref_id=item["ref_id"], answer="not_met"))
        else:
            answers.append(
                AnswerInput(
                    ref_id=item["ref_id"],
                    answer="met",
                    evidence_notes="Seen in the request file and the lead academic's notes.",
                )
            )
    checklist_answers_save(request=pr, actor=reviewer, answers=answers)


def demo_finish_checks(pr: PartnershipRequest, reviewer, *, tier: str = "", not_met: int = 0):
    """Do what the gates ask before a recommendation: resolve the matches, answer the
    checklist, assess; then raise the tier by hand to `tier` if the scoring came out lower."""
    demo_resolve_matches(pr, reviewer)
    demo_answer_checklist(pr, reviewer, not_met=not_met)
    request_assess(request=pr, actor=reviewer)
    pr.refresh_from_db()
    from .legal import demo_legal_determinations

    demo_legal_determinations(pr, reviewer)
    if tier and tier_rank(tier) > tier_rank(pr.tier):
        workflow.request_set_tier(
            actor=reviewer,
            request=pr,
            tier=tier,
            reason="Reviewer's judgement on what the scoring cannot see (demonstration).",
        )


def demo_decider(pr: PartnershipRequest, users: dict, reviewer):
    """Whoever the request's route has decide: the approver, or a reviewer (who may be the one
    who recommended a low or medium tier request)."""
    return users["approver"] if decider_role(pr) == Role.APPROVER else reviewer


def _signer(pr: PartnershipRequest, step, users: dict, busy: set[int]):
    role = step.role
    if sign_off_fallback_applies(pr, step.decision, step):
        role = step.fallback_role  # nobody holding the role may sign this one
    for user in users.values():
        if user.pk in busy or user.is_superuser:
            continue
        if role in DEPARTMENTAL_ROLES:
            holds = has_department_role(user, pr.department_id, role)
        else:
            holds = has_role(user, role)
        if holds:
            return user
    raise LookupError(f"No demo account can give the sign-off of {pr.reference} as {role}.")


def demo_give_sign_offs(pr: PartnershipRequest, users: dict) -> None:
    """Give each sign-off the decision waits for, by a demo account holding its role."""
    pr.refresh_from_db()
    while pr.status == S.AWAITING_SIGN_OFF:
        decision = pending_decision(pr)
        busy = {decision.decided_by_id, pr.created_by_id, pr.submitted_by_id}
        busy |= set(pr.recommendations.values_list("recommended_by_id", flat=True))
        busy |= set(decision.sign_offs.values_list("signed_by_id", flat=True))
        signer = _signer(pr, next_sign_off(decision), users, busy)
        workflow.request_sign_off(actor=signer, request=pr)
        pr.refresh_from_db()


def _walk(pr: PartnershipRequest, sample: Sample, users: dict) -> None:
    author = users[sample.registered_by]
    if sample.status == S.DRAFT:
        return
    if sample.status == S.WITHDRAWN:
        workflow.request_withdraw(
            actor=author, request=pr, reason="The collaboration did not go ahead."
        )
        return
    workflow.request_submit(actor=author, request=pr)
    if sample.status == S.SUBMITTED:
        return
    reviewer = users["reviewer"]
    workflow.request_take_into_review(actor=reviewer, request=pr)
    demo_finish_checks(pr, reviewer, tier=sample.tier)
    if sample.status == S.UNDER_REVIEW:
        return
    outcome = "decline" if sample.tier == "very_high" else "approve"
    workflow.request_recommend(
        actor=reviewer,
        request=pr,
        outcome=outcome,
        reasoning="Checked against the watchlists and the checklist.",
    )
    if sample.status == S.RECOMMENDED:
        return
    today = timezone.localdate()
    conditions = []
    if sample.condition:
        conditions.append(
            workflow.ConditionInput(
                text=sample.condition, owner=users["requester"], due_date=today + timedelta(days=45)
            )
        )
    workflow.request_decide(
        actor=demo_decider(pr, users, reviewer),
        request=pr,
        outcome=sample.decision or sample.status,
        reasoning="Risks are understood and proportionate to the benefits.",
        conditions=conditions,
        next_review_date=today + timedelta(days=sample.review_in_days)
        if sample.review_in_days
        else None,
    )
    if sample.status != S.AWAITING_SIGN_OFF:
        demo_give_sign_offs(pr, users)


def demo_requests_seed() -> tuple[int, int]:
    """Create the sample requests that do not exist yet; return (created, already there)."""
    users = {u.username: u for u in get_user_model().objects.all()}
    departments = {d.code: d for d in Department.objects.all()}
    created = skipped = 0
    for sample in sorted(SAMPLES, key=lambda s: s.registered_on):
        if PartnershipRequest.objects.filter(title=sample.title).exists():
            skipped += 1
            continue
        actor = users[sample.registered_by]
        pr = workflow.request_create(
            actor=actor,
            facts=_facts(sample, actor),
            department=departments[sample.department],
            registered_on=sample.registered_on,
        )
        _walk(pr, sample, users)
        created += 1
    return created, skipped
