"""Who may do what in the workflow, and its plain-data inputs.

Every rule about who may act lives here: `ACTION_ROLES` (the roles that may ever take an
action; the API's permission classes and the services ask it) and the `_*_refusal` functions
(what the request's state, segregation of duties and four eyes allow now). Services raise a
`ukcn.refusals.Refusal` built from them; `request_actions_for` shows the same answers as buttons.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from ukcn.refusals import refuse
from ukcn.roles import Role, has_department_role, has_role

from ..models import (
    Organisation,
    PartnershipRequest,
    RequestStatus,
    Tier,
)
from ..models.requests import DECIDED_STATUSES, OPEN_STATUSES

# The request's own fields a form may set; everything else moves only through the workflow.
EDITABLE_FIELDS = (
    "title",
    "summary",
    "lead_academic",
    "lead_academic_email",
    "collaboration_type",
    "start_date",
    "end_date",
    "work_location",
    "no_nsi_sector",
    "export_controlled",
    "dual_use",
    "personal_data",
    "data_leaves_uk",
    "data_leaves_partner_country",
    "people_exchanged",
    "lab_access",
    "staff_travel",
    "research_kind",
    "technology_readiness",
    "largest_foreign_funding_share",
    "ip_arrangements",
    "transfers",
    "ip_kind",
    "sensitivity_notes",
    "statement_of_intent_agreed",
    "statement_of_intent",
)
ORGANISATION_FIELDS = ("name", "name_native", "country", "org_type", "city", "website")
FUNDING_FIELDS = (
    "funder_name",
    "country",
    "funder_type",
    "amount",
    "currency",
    "origin_undisclosed",
)
HIGH_TIERS = frozenset({Tier.HIGH, Tier.VERY_HIGH})
DECISION_OUTCOMES = frozenset(
    {RequestStatus.APPROVED, RequestStatus.APPROVED_WITH_CONDITIONS, RequestStatus.DECLINED}
)


@dataclass(frozen=True)
class PartnerInput:
    """One partner as a form gives it: a registered organisation, or a new one described by
    `new_organisation` (ORGANISATION_FIELDS) that the workflow registers or finds by name and
    country; and its role in the project."""

    organisation: Organisation | None = None
    role: str = ""
    new_organisation: dict | None = None


@dataclass(frozen=True)
class ConditionInput:
    text: str
    due_date: date
    owner: object = None


@dataclass
class RequestFacts:
    """Everything a requester states about a request, as plain data."""

    fields: dict
    sectors: list = field(default_factory=list)
    disciplines: list = field(default_factory=list)
    partners: list[PartnerInput] = field(default_factory=list)
    funding: list[dict] = field(default_factory=list)


# --- who may do what -------------------------------------------------------------------------


def sign_off_roles() -> frozenset[str]:
    """Every role a sign-off step names (or lets sign in its place): the active policy's
    routes, and the steps of decisions already awaiting sign-off."""
    from ..models import ScoringPolicy, SignOff
    from ..routes import route_for

    policy = ScoringPolicy.objects.filter(is_active=True).only("data").first()
    data = policy.data if policy else {}
    roles = {
        role
        for tier in Tier.values
        for step in route_for(data, tier).sign_offs
        for role in (step.role, step.fallback_role)
    }
    for role, fallback in (
        SignOff.objects.filter(status=SignOff.Status.PENDING)
        .values_list("role", "fallback_role")
        .distinct()
    ):
        roles |= {role, fallback}
    return frozenset(roles - {""})


def _sign_off_roles_message() -> str:
    names = sorted(Role(role).label.lower() for role in sign_off_roles() if role in Role.values)
    return f"Only those who sign off decisions ({', '.join(names)}) may sign off or refuse."


_CENTRAL = (Role.REVIEWER, Role.APPROVER)

# The roles that may ever take each action, and the sentence for everyone else. The request's
# state, its tier, segregation of duties and four eyes narrow this further (the refusals below).
# A callable gives roles (and its sentence) decided at call time: the policy names who signs off.
ACTION_ROLES = {
    "register": (
        (Role.REQUESTER, Role.REVIEWER),
        "Only requesters and reviewers may register requests.",
    ),
    "take_into_review": ((Role.REVIEWER,), "Only a reviewer may take a request into review."),
    "set_tier": (_CENTRAL, "Only a reviewer or an approver may set the risk tier."),
    "assess": (_CENTRAL, "Only a reviewer or an approver may assess the risk."),
    "recommend": ((Role.REVIEWER,), "Only a reviewer may recommend an outcome."),
    "decide": (_CENTRAL, "Only reviewers and approvers decide."),
    "reopen": (_CENTRAL, "Only a reviewer or an approver may reopen a decided request."),
    "add_condition": (_CENTRAL, "Only a reviewer or an approver may add conditions."),
    "screen": ((Role.REVIEWER,), "Only reviewers screen a request's partners."),
    "match_decide": ((Role.REVIEWER,), "Only reviewers decide screening matches."),
    "answer_checklist": ((Role.REVIEWER,), "Only reviewers answer the checklist."),
    "record_legal": ((Role.REVIEWER,), "Only reviewers record legal determinations."),
    "sign_off": (sign_off_roles, _sign_off_roles_message),
    "write_lesson": (_CENTRAL, "Only reviewers and approvers write lessons."),
    "people_edit": (
        (Role.REQUESTER, Role.REVIEWER),
        "Only requesters and reviewers may enter the people taking part.",
    ),
    "people_declarations_request": (
        (Role.REVIEWER,),
        "Only a reviewer may ask for people's declarations.",
    ),
    "people_screen": ((Role.REVIEWER,), "Only reviewers screen the people taking part."),
    "person_match_decide": ((Role.REVIEWER,), "Only reviewers decide a person's match."),
    "set_entry_risk": (
        _CENTRAL,
        "Only a reviewer or an approver may set the risk level of a list entry.",
    ),
}


def action_roles(action: str) -> tuple:
    roles, _message = ACTION_ROLES[action]
    return tuple(roles() if callable(roles) else roles)


def action_role_refusal(user, action: str) -> str | None:
    """The sentence for a user whose roles never allow `action`; None when they may."""
    roles, message = ACTION_ROLES[action]
    if has_role(user, *(roles() if callable(roles) else roles)):
        return None
    return message() if callable(message) else message


def refuse_role(user, action: str) -> None:
    """Raise a forbidden Refusal when the user's roles never allow `action`."""
    refuse(action_role_refusal(user, action), kind="forbidden")


def _is_central(user) -> bool:
    return has_role(user, Role.REVIEWER, Role.APPROVER)


def _is_department_requester(user, request: PartnershipRequest) -> bool:
    """The person who registered the request, or any requester of its department."""
    if request.created_by_id == user.pk and has_role(user, Role.REVIEWER):
        return True  # a reviewer who registered on a department's behalf
    return has_department_role(user, request.department_id, Role.REQUESTER)


def _edit_refusal(user, request) -> str | None:
    if request.status == RequestStatus.DRAFT:
        if _is_department_requester(user, request):
            return None
        return "Only its author or a requester from its department may edit a draft."
    if request.status in {RequestStatus.SUBMITTED, RequestStatus.UNDER_REVIEW}:
        if has_role(user, Role.REVIEWER):
            return None
        return "Once submitted, only a reviewer may correct a request."
    return f"A request that is {request.get_status_display().lower()} can no longer be edited."


def _submit_refusal(user, request) -> str | None:
    if not _is_department_requester(user, request):
        return "Only its author or a requester from its department may submit a request."
    if request.status != RequestStatus.DRAFT:
        return f"Only a draft can be submitted; this request is {request.get_status_display().lower()}."
    return None


def _withdraw_refusal(user, request) -> str | None:
    if not _is_department_requester(user, request):
        return "Only its author or a requester from its department may withdraw a request."
    if request.status not in OPEN_STATUSES:
        return f"A request that is {request.get_status_display().lower()} cannot be withdrawn."
    return None


def _take_refusal(user, request) -> str | None:
    if refusal := action_role_refusal(user, "take_into_review"):
        return refusal
    if request.status != RequestStatus.SUBMITTED:
        return "Only a submitted request can be taken into review."
    return segregation_refusal(user, request, "review it")


TIER_ORDER = tuple(Tier.values)


def tier_rank(tier: str) -> int:
    """0 for no tier, then 1 (low) to 4 (very high)."""
    return TIER_ORDER.index(tier) + 1 if tier in TIER_ORDER else 0


def higher_tier(first: str, second: str) -> str:
    return first if tier_rank(first) >= tier_rank(second) else second


def ever_high(request) -> bool:
    """Has the request been high or very high at any time since it was submitted?"""
    return request.tier in HIGH_TIERS or request.highest_tier in HIGH_TIERS


def _registered_or_submitted(user, request) -> bool:
    return user.pk is not None and user.pk in {request.created_by_id, request.submitted_by_id}


def _recommender_ids(request) -> set[int]:
    return set(request.recommendations.values_list("recommended_by_id", flat=True))


def segregation_refusal(user, request, doing: str) -> str | None:
    """Whoever registered or submitted a request may not review, recommend, decide or sign it
    off, whatever roles they hold."""
    if _registered_or_submitted(user, request):
        return (
            f"Segregation of duties: you registered or submitted {request.reference}, so "
            f"someone else must {doing}."
        )
    return None


def _tier_refusal(user, request) -> str | None:
    """May this user assess or set the tier of the request now (before the new tier is known)?"""
    if request.status == RequestStatus.UNDER_REVIEW:
        if not has_role(user, Role.REVIEWER):
            return "Only a reviewer may set the risk tier."
    elif request.status == RequestStatus.RECOMMENDED:
        if not _is_central(user):
            return "Only a reviewer or an approver may change the risk tier."
        if user.pk in _recommender_ids(request):
            # Otherwise a recommender could lower a high tier and then decide alone.
            return (
                "Four-eyes rule: once you have recommended, someone else must change the risk tier."
            )
    else:
        return "The risk tier can be set only while the request is under review or recommended."
    return segregation_refusal(user, request, "assess its risk")


def tier_change_refusal(user, request, tier: str) -> str | None:
    """A downward change of a high or very high tier needs an approver who did not recommend."""
    if tier_rank(tier) < tier_rank(request.tier) and request.tier in HIGH_TIERS:
        if not has_role(user, Role.APPROVER):
            return f"Only an approver may lower a {request.get_tier_display().lower()} tier."
        if user.pk in _recommender_ids(request):
            return (
                "Four-eyes rule: an approver who did not recommend the request must lower its tier."
            )
    return None


def _recommend_refusal(user, request) -> str | None:
    if refusal := action_role_refusal(user, "recommend"):
        return refusal
    if request.status != RequestStatus.UNDER_REVIEW:
        return "Only a request under review can be recommended."
    return segregation_refusal(user, request, "recommend an outcome")


def decider_role(request) -> str:
    """The role that decides the request: its route's, raised to approver when the request has
    been high or very high at any time since submission."""
    from ..routes import route_for

    route = route_for(request_policy_data(request), request.tier) if request.tier else None
    role = route.decided_by if route else Role.REVIEWER
    if ever_high(request):
        role = Role.APPROVER
    return role


def approver_decides_q():
    """`decider_role(request) == approver` as a query, for queues over many requests: any
    request high or very high since submission, and the tiers whose route in the active policy
    an approver decides (read in the same query, from the policy's JSON)."""
    from django.db.models import Exists, Q

    from ..models import ScoringPolicy
    from ..routes import DEFAULT_ROUTES

    needs = Q(tier__in=HIGH_TIERS) | Q(highest_tier__in=HIGH_TIERS)
    active = ScoringPolicy.objects.filter(is_active=True)
    for tier in sorted(set(Tier.values) - HIGH_TIERS):
        said = {f"data__routes__{tier}__decided_by": Role.APPROVER.value}
        unsaid = {f"data__routes__{tier}__decided_by__isnull": True}
        by_approver = Exists(active.filter(**said))
        if DEFAULT_ROUTES[tier]["decided_by"] == Role.APPROVER:
            by_approver = by_approver | Exists(active.filter(**unsaid))
        needs |= Q(by_approver, tier=tier)
    return needs


def requests_awaiting_decision(user, requests):
    """Of `requests`, the recommended ones this user may decide (`_decide_refusal` as a query:
    role and tier, segregation of duties, four eyes; the gates are shown on the request)."""
    from django.db.models import Q

    from ..models import Recommendation

    if action_role_refusal(user, "decide"):
        return requests.none()
    needs_approver = approver_decides_q()
    recommended_by_user = Recommendation.objects.filter(recommended_by_id=user.pk).values(
        "request_id"
    )
    ever_high = Q(tier__in=HIGH_TIERS) | Q(highest_tier__in=HIGH_TIERS)
    awaiting = (
        requests.filter(status=RequestStatus.RECOMMENDED)
        .exclude(created_by_id=user.pk)
        .exclude(submitted_by_id=user.pk)
        # Four eyes: who recommended a request that has been high never decides it.
        .exclude(ever_high & Q(pk__in=recommended_by_user))
    )
    if not has_role(user, Role.APPROVER):
        awaiting = awaiting.exclude(needs_approver)
    return awaiting


def request_policy_data(request) -> dict:
    """The policy the request was last assessed under (the active one before any assessment)."""
    from ..scoring.versions import scoring_policy_active

    assessment = request.assessments.select_related("policy").order_by("-created_at", "-id").first()
    policy = assessment.policy if assessment else scoring_policy_active()
    return policy.data if policy else {}


def _decide_refusal(user, request) -> str | None:
    if refusal := action_role_refusal(user, "decide"):
        return refusal
    if request.status != RequestStatus.RECOMMENDED:
        return "Only a recommended request can be decided."
    if not request.tier:
        return "The request has no risk tier yet: assess the risk before deciding."
    refusal = segregation_refusal(user, request, "decide it")
    if refusal:
        return refusal
    role = decider_role(request)
    if role == Role.APPROVER and not has_role(user, Role.APPROVER):
        if ever_high(request) and request.tier not in HIGH_TIERS:
            return (
                f"{request.reference} has been {Tier(request.highest_tier).label.lower()} tier "
                "since it was submitted, so an approver must decide it."
            )
        return f"A {request.get_tier_display().lower()} tier request needs an approver's decision."
    if ever_high(request) and user.pk in _recommender_ids(request):
        return (
            "Four-eyes rule: the person who recommended a request that has been high or very "
            "high tier cannot also decide it."
        )
    return None


def _independence_refusal(user, request, decision, step) -> str | None:
    """A sign-off is an independent check: never by the registrant, submitter, decider,
    a recommender, or someone who gave another sign-off of the same decision."""
    refusal = segregation_refusal(user, request, "sign it off")
    if refusal:
        return refusal
    if decision.decided_by_id == user.pk:
        return (
            "No one gives two of a request's sign-offs: you decided it, so someone else signs off."
        )
    others = decision.sign_offs.exclude(pk=step.pk) if step is not None else decision.sign_offs
    if user.pk in set(others.values_list("signed_by_id", flat=True)):
        return "No one gives two of a request's sign-offs: you have already signed this decision."
    if user.pk in _recommender_ids(request):
        return "You recommended this request: an independent person must sign it off."
    return None


def sign_off_candidates_exist(request, role: str, decision, step) -> bool:
    """Does anyone active hold `role` for the request (its department, for departmental roles)
    who may give this sign-off, independent of the decision?"""
    from django.contrib.auth import get_user_model

    from ukcn.roles import DEPARTMENTAL_ROLES

    holders = get_user_model().objects.filter(role_assignments__role=role, is_active=True)
    if role in DEPARTMENTAL_ROLES:
        holders = holders.filter(role_assignments__department_id=request.department_id)
    return any(_independence_refusal(holder, request, decision, step) is None for holder in holders)


def _holds_for_request(user, request, role: str) -> bool:
    from ukcn.roles import DEPARTMENTAL_ROLES

    if role in DEPARTMENTAL_ROLES:
        return has_department_role(user, request.department_id, role)
    return has_role(user, role)


def sign_off_fallback_applies(request, decision, step) -> bool:
    """The fallback role signs in place of the step's role when nobody who holds that role
    may give this sign-off (none assigned, or every holder took part in the decision)."""
    return bool(step.fallback_role) and not sign_off_candidates_exist(
        request, step.role, decision, step
    )


def sign_off_capacity(user, request, step, decision=None) -> tuple[str, str] | str:
    """(role signed as, role signed in place of) when the user may give this sign-off step, or
    a refusal sentence."""
    decision = decision or step.decision
    if _holds_for_request(user, request, step.role):
        return (step.role, "")
    fallback = sign_off_fallback_applies(request, decision, step)
    if fallback and _holds_for_request(user, request, step.fallback_role):
        return (step.fallback_role, step.role)
    needed = step.label.lower()
    if fallback:
        needed += (
            f" (or, as nobody holding that role may sign this one, an "
            f"{Role(step.fallback_role).label.lower()})"
        )
    return f"This sign-off is for {needed}."


def _sign_off_refusal(user, request, decision, step) -> str | None:
    if request.status != RequestStatus.AWAITING_SIGN_OFF or decision is None or step is None:
        return "Only a decision awaiting sign-off can be signed off."
    capacity = sign_off_capacity(user, request, step, decision)
    if isinstance(capacity, str):
        return capacity
    return _independence_refusal(user, request, decision, step)


def pending_decision(request):
    from ..models import Decision

    return (
        request.decisions.filter(state=Decision.State.PENDING_SIGN_OFF, superseded=False)
        .order_by("-created_at", "-id")
        .first()
    )


def next_sign_off(decision):
    from ..models import SignOff

    if decision is None:
        return None
    return decision.sign_offs.filter(status=SignOff.Status.PENDING).order_by("order").first()


def checklist_answer_refusal(user, request) -> str | None:
    """Reviewers answer the checklist of a request in review; never on their own request."""
    if refusal := action_role_refusal(user, "answer_checklist"):
        return refusal
    if request.status not in {
        RequestStatus.SUBMITTED,
        RequestStatus.UNDER_REVIEW,
        RequestStatus.RECOMMENDED,
    }:
        return (
            "The checklist can be answered only while the request is submitted, under review "
            "or recommended."
        )
    return segregation_refusal(user, request, "answer its checklist")


def _reopen_refusal(user, request) -> str | None:
    if refusal := action_role_refusal(user, "reopen"):
        return refusal
    if request.status not in DECIDED_STATUSES:
        return "Only a decided request can be reopened."
    return None


def _attach_refusal(user, request) -> str | None:
    if _is_central(user):
        return None
    if _is_department_requester(user, request) and request.status in OPEN_STATUSES:
        return None
    return "You may not add attachments to this request."


def request_actions_for(user, request: PartnershipRequest) -> set[str]:
    """The workflow actions this user may take on this request now (for showing buttons).

    Recommend and decide show whenever the user may take them in principle: the gate list
    beside them says what is still missing, and the workflow refuses until it is complete.
    """
    checks = {
        "edit": _edit_refusal,
        "submit": _submit_refusal,
        "withdraw": _withdraw_refusal,
        "take_into_review": _take_refusal,
        "set_tier": _tier_refusal,
        "assess": _tier_refusal,
        "recommend": _recommend_refusal,
        "decide": _decide_refusal,
        "reopen": _reopen_refusal,
        "attach": _attach_refusal,
        "answer_checklist": checklist_answer_refusal,
    }
    actions = {name for name, check in checks.items() if check(user, request) is None}
    if (
        request.status == RequestStatus.RECOMMENDED
        and not request.tier
        and _is_central(user)
        and segregation_refusal(user, request, "") is None
    ):
        actions.add("decide")  # the form's refusal explains that the tier is missing
    if request.status == RequestStatus.AWAITING_SIGN_OFF:
        decision = pending_decision(request)
        if _sign_off_refusal(user, request, decision, next_sign_off(decision)) is None:
            actions.add("sign_off")
    if request.status == RequestStatus.APPROVED_WITH_CONDITIONS and _is_central(user):
        actions.add("add_condition")
    return actions


def _refuse(refusal: str | None) -> None:
    """Raise the refusal a check returned, as a conflict with the request as it is now (a
    service calls `refuse_role` first, so a role that may never act is refused as forbidden)."""
    refuse(refusal)


# --- helpers ---------------------------------------------------------------------------------


def _locked(request: PartnershipRequest) -> PartnershipRequest:
    """Re-read the request under a row lock, so checks and change see the same state."""
    return PartnershipRequest.objects.select_for_update().get(pk=request.pk)


def _refresh(target: PartnershipRequest, source: PartnershipRequest) -> None:
    """Copy the saved state back into the caller's instance."""
    for f in PartnershipRequest._meta.concrete_fields:
        setattr(target, f.attname, getattr(source, f.attname))


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value
