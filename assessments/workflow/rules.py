"""Who may do what in the workflow, its errors and its plain-data inputs."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from ukcn.models import department_of
from ukcn.roles import Role, has_role

from ..models import (
    Organisation,
    PartnershipRequest,
    RequestStatus,
    Tier,
)
from ..models.requests import DECIDED_STATUSES, OPEN_STATUSES


class WorkflowError(Exception):
    """An action the actor may not take, or not in the request's current state."""


class ConflictError(WorkflowError):
    """The request changed after the actor read it (optimistic locking)."""


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
    "ip_arrangements",
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
    """One partner as a form gives it: an organisation and its role in the project."""

    organisation: Organisation
    role: str = ""


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


def _is_central(user) -> bool:
    return has_role(user, Role.REVIEWER, Role.APPROVER)


def _is_department_requester(user, request: PartnershipRequest) -> bool:
    """The person who registered the request, or any requester of its department."""
    if request.created_by_id == user.pk and has_role(user, Role.REQUESTER, Role.REVIEWER):
        return True
    if not has_role(user, Role.REQUESTER):
        return False
    department = department_of(user)
    return department is not None and department.pk == request.department_id


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
    if not has_role(user, Role.REVIEWER):
        return "Only a reviewer may take a request into review."
    if request.status != RequestStatus.SUBMITTED:
        return "Only a submitted request can be taken into review."
    return None


def _tier_refusal(user, request, recommender_id: int | None = None) -> str | None:
    if request.status == RequestStatus.UNDER_REVIEW:
        return None if has_role(user, Role.REVIEWER) else "Only a reviewer may set the risk tier."
    if request.status != RequestStatus.RECOMMENDED:
        return "The risk tier can be set only while the request is under review or recommended."
    if not _is_central(user):
        return "Only a reviewer or an approver may change the risk tier."
    if recommender_id == user.pk:
        # Otherwise a recommender could lower a high tier and then decide alone.
        return "Four-eyes rule: once you have recommended, someone else must change the risk tier."
    return None


def _recommend_refusal(user, request) -> str | None:
    if not has_role(user, Role.REVIEWER):
        return "Only a reviewer may recommend an outcome."
    if request.status != RequestStatus.UNDER_REVIEW:
        return "Only a request under review can be recommended."
    return None


def _decide_refusal(user, request, recommender_id: int | None) -> str | None:
    if not _is_central(user):
        return "Only a reviewer or an approver may decide a request."
    if request.status != RequestStatus.RECOMMENDED:
        return "Only a recommended request can be decided."
    if not request.tier:
        return (
            "The request has no risk tier yet: set the tier (or let the scoring policy set it) "
            "before deciding."
        )
    if request.tier in HIGH_TIERS:
        if not has_role(user, Role.APPROVER):
            return (
                f"A {request.get_tier_display().lower()} tier request needs an approver's decision."
            )
        if recommender_id == user.pk:
            return (
                "Four-eyes rule: the person who recommended a high or very high tier request "
                "cannot also decide it."
            )
    return None


def _reopen_refusal(user, request) -> str | None:
    if not _is_central(user):
        return "Only a reviewer or an approver may reopen a decided request."
    if request.status not in DECIDED_STATUSES:
        return "Only a decided request can be reopened."
    return None


def _attach_refusal(user, request) -> str | None:
    if _is_central(user):
        return None
    if _is_department_requester(user, request) and request.status in OPEN_STATUSES:
        return None
    return "You may not add attachments to this request."


def _latest_recommender_id(request) -> int | None:
    latest = request.recommendations.order_by("-created_at", "-id").only("recommended_by").first()
    return latest.recommended_by_id if latest else None


def request_actions_for(user, request: PartnershipRequest) -> set[str]:
    """The workflow actions this user may take on this request now (for showing buttons)."""
    checks = {
        "edit": _edit_refusal,
        "submit": _submit_refusal,
        "withdraw": _withdraw_refusal,
        "take_into_review": _take_refusal,
        "set_tier": _tier_refusal,
        "assess": _tier_refusal,
        "recommend": _recommend_refusal,
        "reopen": _reopen_refusal,
        "attach": _attach_refusal,
    }
    actions = {name for name, check in checks.items() if check(user, request) is None}
    if request.status == RequestStatus.RECOMMENDED and _is_central(user):
        recommender_id = _latest_recommender_id(request)
        if _tier_refusal(user, request, recommender_id) is not None:
            actions.discard("set_tier")
            actions.discard("assess")
        # A missing tier still shows the form, so the refusal explains what is needed.
        refusal = _decide_refusal(user, request, recommender_id)
        if refusal is None or not request.tier:
            actions.add("decide")
    if request.status == RequestStatus.APPROVED_WITH_CONDITIONS and _is_central(user):
        actions.add("add_condition")
    return actions


def _refuse(refusal: str | None) -> None:
    if refusal:
        raise WorkflowError(refusal)


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
