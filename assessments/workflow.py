"""The review workflow: every status change of a request, who may make it, and its audit event.

Each public function checks the actor's permission and the request's state, makes its
change and writes its audit event in one transaction; an illegal call raises
`WorkflowError` and changes nothing.
"""

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from ukcn.models import department_of
from ukcn.roles import Role, has_role

from .attachments import AttachmentRejected, attachment_check
from .audit import audit_record
from .models import (
    Attachment,
    Condition,
    Decision,
    FundingSource,
    Organisation,
    Partner,
    PartnershipRequest,
    Recommendation,
    RequestStatus,
    Tier,
)
from .models.requests import DECIDED_STATUSES, OPEN_STATUSES


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


def _tier_refusal(user, request) -> str | None:
    if not has_role(user, Role.REVIEWER):
        return "Only a reviewer may set the risk tier."
    if request.status not in {RequestStatus.UNDER_REVIEW, RequestStatus.RECOMMENDED}:
        return "The risk tier can be set only while the request is under review or recommended."
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
        "recommend": _recommend_refusal,
        "reopen": _reopen_refusal,
        "attach": _attach_refusal,
    }
    actions = {name for name, check in checks.items() if check(user, request) is None}
    if request.status == RequestStatus.RECOMMENDED and _is_central(user):
        # A missing tier still shows the form, so the refusal explains what is needed.
        refusal = _decide_refusal(user, request, _latest_recommender_id(request))
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


def _next_reference(year: int) -> str:
    prefix = f"PR-{year}-"
    numbers = PartnershipRequest.objects.filter(reference__startswith=prefix).values_list(
        "reference", flat=True
    )
    highest = max((int(ref[len(prefix) :]) for ref in numbers), default=0)
    return f"{prefix}{highest + 1:04d}"


def _partners_summary(request) -> list[str]:
    return [
        f"{p.organisation} ({p.organisation.country}){': ' + p.role if p.role else ''}"
        for p in request.partners.select_related("organisation")
    ]


def _funding_summary(request) -> list[str]:
    rows = []
    for source in request.funding_sources.all():
        amount = f" {source.amount} {source.currency}" if source.amount is not None else ""
        undisclosed = " (origin undisclosed)" if source.origin_undisclosed else ""
        rows.append(
            f"{source.funder_name or 'Unnamed funder'} [{source.get_funder_type_display()}, "
            f"{source.country or '??'}]{amount}{undisclosed}"
        )
    return rows


def _snapshot(request) -> dict:
    data = {name: _plain(getattr(request, name)) for name in EDITABLE_FIELDS}
    data["sectors"] = sorted(request.sectors.values_list("name", flat=True))
    data["disciplines"] = sorted(request.disciplines.values_list("name", flat=True))
    data["partners"] = _partners_summary(request)
    data["funding"] = _funding_summary(request)
    return data


def _write_facts(request: PartnershipRequest, facts: RequestFacts) -> None:
    request.sectors.set(facts.sectors)
    request.disciplines.set(facts.disciplines)
    request.partners.all().delete()
    seen = set()
    for partner in facts.partners:
        if partner.organisation.pk in seen:
            raise WorkflowError(f"{partner.organisation} is listed twice as a partner.")
        seen.add(partner.organisation.pk)
        Partner.objects.create(
            request=request, organisation=partner.organisation, role=partner.role
        )
    request.funding_sources.all().delete()
    FundingSource.objects.bulk_create(
        FundingSource(request=request, **{k: v for k, v in row.items() if k in FUNDING_FIELDS})
        for row in facts.funding
    )


def _check_facts(facts: RequestFacts) -> None:
    unknown = set(facts.fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise WorkflowError(
            f"These fields cannot be set on a request: {', '.join(sorted(unknown))}."
        )
    start, end = facts.fields.get("start_date"), facts.fields.get("end_date")
    if start and end and end < start:
        raise WorkflowError("The end date is before the start date.")


# --- organisations ---------------------------------------------------------------------------


def organisation_create(*, actor, ip: str | None = None, **fields) -> Organisation:
    """Register a partner organisation, reusable by later requests."""
    if not has_role(actor, Role.REQUESTER, Role.REVIEWER, Role.APPROVER):
        raise WorkflowError("You may not register organisations.")
    data = {k: v for k, v in fields.items() if k in ORGANISATION_FIELDS}
    if not data.get("name") or not data.get("country"):
        raise WorkflowError("An organisation needs at least a name and a country.")
    data["country"] = data["country"].upper()
    with transaction.atomic():
        organisation = Organisation.objects.create(**data)
        audit_record(
            actor=actor,
            action="organisation.created",
            summary=f"Registered organisation {organisation}",
            obj=organisation,
            changes={k: [None, _plain(v)] for k, v in data.items() if v},
            ip=ip,
        )
    return organisation


# --- the request's life ----------------------------------------------------------------------


def request_create(
    *,
    actor,
    facts: RequestFacts,
    department=None,
    registered_on: date | None = None,
    ip: str | None = None,
) -> PartnershipRequest:
    """Register a new draft request with a fresh PR-YYYY-NNNN reference.

    Reviewers register on behalf of any department; requesters only for their own.
    `registered_on` back-dates a request recorded after the fact (its year names the reference).
    """
    if not has_role(actor, Role.REQUESTER, Role.REVIEWER):
        raise WorkflowError("Only requesters and reviewers may register requests.")
    own_department = department_of(actor)
    department = department or own_department
    if department is None:
        raise WorkflowError("The request needs a department, and you have none on your profile.")
    if not has_role(actor, Role.REVIEWER) and department != own_department:
        raise WorkflowError("Requesters may register requests only for their own department.")
    _check_facts(facts)
    if registered_on and registered_on > timezone.localdate():
        raise WorkflowError("A request cannot be registered in the future.")
    year = (registered_on or timezone.localdate()).year
    for _attempt in range(20):
        reference = _next_reference(year)
        try:
            with transaction.atomic():
                # Savepoint: a reference taken by a concurrent writer rolls back only this try.
                request = PartnershipRequest.objects.create(
                    reference=reference,
                    department=department,
                    created_by=actor,
                    **facts.fields,
                )
                _write_facts(request, facts)
                changes = {k: [None, v] for k, v in _snapshot(request).items() if v}
                if registered_on:
                    request.created_at = timezone.make_aware(
                        datetime.combine(registered_on, time(9, 0))
                    )
                    request.save(update_fields=["created_at"])
                    changes["registered_on"] = [None, registered_on.isoformat()]
                changes["department"] = [None, str(department)]
                audit_record(
                    actor=actor,
                    action="request.created",
                    summary=f"Registered {request.reference}: {request.title}",
                    obj=request,
                    request=request,
                    changes=changes,
                    ip=ip,
                )
            return request
        except IntegrityError:
            if PartnershipRequest.objects.filter(reference=reference).exists():
                continue
            raise
    raise WorkflowError("Could not allocate a request reference; please try again.")


def request_update(
    *,
    actor,
    request: PartnershipRequest,
    version: int,
    facts: RequestFacts,
    ip: str | None = None,
) -> PartnershipRequest:
    """Save a form's changes, refusing if someone else saved since `version` was read."""
    _check_facts(facts)
    with transaction.atomic():
        current = _locked(request)
        _refuse(_edit_refusal(actor, current))
        if current.version != version:
            raise ConflictError(
                f"{current.reference} was changed by someone else while you were editing "
                "(your copy is out of date). Reload the request, then make your changes again."
            )
        before = _snapshot(current)
        for name, value in facts.fields.items():
            setattr(current, name, value)
        current.version += 1
        current.save()
        _write_facts(current, facts)
        after = _snapshot(current)
        changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
        audit_record(
            actor=actor,
            action="request.updated",
            summary=(
                f"Edited {current.reference}: {', '.join(sorted(changes))}"
                if changes
                else f"Saved {current.reference} without changes"
            ),
            obj=current,
            request=current,
            changes=changes,
            ip=ip,
        )
    _refresh(request, current)
    return request


def _transition(
    *,
    actor,
    current: PartnershipRequest,
    to_status: str,
    action: str,
    summary: str,
    ip: str | None,
    extra: dict | None = None,
    **updates,
) -> None:
    changes = {"status": [current.status, to_status]}
    for name, value in updates.items():
        changes[name] = [_plain(getattr(current, name)), _plain(value)]
        setattr(current, name, value)
    changes.update(extra or {})
    current.status = to_status
    current.version += 1
    current.save()
    audit_record(
        actor=actor,
        action=action,
        summary=summary,
        obj=current,
        request=current,
        changes={k: [_jsonish(v) for v in pair] for k, pair in changes.items()},
        ip=ip,
    )


def _jsonish(value):
    if hasattr(value, "pk"):
        return str(value)
    return _plain(value)


def request_submit(*, actor, request: PartnershipRequest, ip: str | None = None):
    """Send a draft to the central office."""
    with transaction.atomic():
        current = _locked(request)
        _refuse(_submit_refusal(actor, current))
        if not current.partners.exists():
            raise WorkflowError("Add at least one partner organisation before submitting.")
        if not current.no_nsi_sector and not current.sectors.exists():
            raise WorkflowError(
                "Choose the NSI Act sectors the work touches, or tick 'none of the NSI Act "
                "sectors', before submitting."
            )
        _transition(
            actor=actor,
            current=current,
            to_status=RequestStatus.SUBMITTED,
            action="request.submitted",
            summary=f"Submitted {current.reference} for review",
            ip=ip,
            submitted_at=timezone.now(),
        )
    _refresh(request, current)
    return request


def request_withdraw(*, actor, request: PartnershipRequest, reason: str = "", ip=None):
    """Withdraw an open request; it stays on record."""
    with transaction.atomic():
        current = _locked(request)
        _refuse(_withdraw_refusal(actor, current))
        _transition(
            actor=actor,
            current=current,
            to_status=RequestStatus.WITHDRAWN,
            action="request.withdrawn",
            summary=f"Withdrew {current.reference}" + (f": {reason}" if reason else ""),
            ip=ip,
            extra={"reason": [None, reason]} if reason else None,
        )
    _refresh(request, current)
    return request


def request_take_into_review(*, actor, request: PartnershipRequest, ip=None):
    """A reviewer takes a submitted request and becomes its reviewer."""
    with transaction.atomic():
        current = _locked(request)
        _refuse(_take_refusal(actor, current))
        _transition(
            actor=actor,
            current=current,
            to_status=RequestStatus.UNDER_REVIEW,
            action="request.taken_into_review",
            summary=f"Took {current.reference} into review",
            ip=ip,
            reviewer=actor,
        )
    _refresh(request, current)
    return request


def request_set_tier(*, actor, request: PartnershipRequest, tier: str, reason: str = "", ip=None):
    """Record the risk tier (a reviewer's input until the scoring policy sets it)."""
    if tier not in Tier.values:
        raise WorkflowError(f"'{tier}' is not a risk tier.")
    with transaction.atomic():
        current = _locked(request)
        _refuse(_tier_refusal(actor, current))
        changes = {"tier": [current.tier, tier]}
        if reason:
            changes["reason"] = [None, reason]
        current.tier = tier
        current.version += 1
        current.save()
        audit_record(
            actor=actor,
            action="request.tier_set",
            summary=f"Set the risk tier of {current.reference} to {current.get_tier_display()}",
            obj=current,
            request=current,
            changes=changes,
            ip=ip,
        )
    _refresh(request, current)
    return request


def request_recommend(
    *, actor, request: PartnershipRequest, outcome: str, reasoning: str, ip=None
) -> Recommendation:
    """A reviewer recommends approve, approve with conditions, or decline."""
    if outcome not in Recommendation.Outcome.values:
        raise WorkflowError(f"'{outcome}' is not a recommendation.")
    if not reasoning.strip():
        raise WorkflowError("A recommendation needs its reasoning.")
    with transaction.atomic():
        current = _locked(request)
        _refuse(_recommend_refusal(actor, current))
        recommendation = Recommendation.objects.create(
            request=current, recommended_by=actor, outcome=outcome, reasoning=reasoning
        )
        _transition(
            actor=actor,
            current=current,
            to_status=RequestStatus.RECOMMENDED,
            action="request.recommended",
            summary=(
                f"Recommended {current.reference}: {recommendation.get_outcome_display().lower()}"
            ),
            ip=ip,
            extra={"recommendation": [None, outcome], "reasoning": [None, reasoning]},
        )
    _refresh(request, current)
    return recommendation


def review_period() -> timedelta:
    return timedelta(days=settings.REVIEW_PERIOD_DAYS)


def request_decide(
    *,
    actor,
    request: PartnershipRequest,
    outcome: str,
    reasoning: str,
    conditions: list[ConditionInput] | None = None,
    next_review_date: date | None = None,
    ip=None,
) -> Decision:
    """Decide a recommended request; high and very high tiers need a second person (four-eyes)."""
    conditions = conditions or []
    if outcome not in DECISION_OUTCOMES:
        raise WorkflowError(f"'{outcome}' is not a decision.")
    if not reasoning.strip():
        raise WorkflowError("A decision needs its reasoning.")
    if outcome == RequestStatus.APPROVED_WITH_CONDITIONS and not conditions:
        raise WorkflowError("An approval with conditions needs at least one condition.")
    if outcome != RequestStatus.APPROVED_WITH_CONDITIONS and conditions:
        raise WorkflowError("Conditions belong only to an approval with conditions.")
    today = timezone.localdate()
    if any(c.due_date < today for c in conditions):
        raise WorkflowError("A condition's due date cannot be in the past.")
    with transaction.atomic():
        current = _locked(request)
        _refuse(_decide_refusal(actor, current, _latest_recommender_id(current)))
        review_on = next_review_date or today + review_period()
        if review_on <= today:
            raise WorkflowError("The next review date must be in the future.")
        decision = Decision.objects.create(
            request=current,
            decided_by=actor,
            outcome=outcome,
            reasoning=reasoning,
            tier=current.tier,
        )
        for item in conditions:
            _condition_create(actor=actor, request=current, decision=decision, item=item, ip=ip)
        _transition(
            actor=actor,
            current=current,
            to_status=outcome,
            action="request.decided",
            summary=f"Decided {current.reference}: {decision.get_outcome_display().lower()}",
            ip=ip,
            extra={"reasoning": [None, reasoning], "decision_tier": [None, current.tier]},
            decided_at=timezone.now(),
            next_review_date=review_on,
        )
    _refresh(request, current)
    return decision


def request_reopen(*, actor, request: PartnershipRequest, reason: str, ip=None):
    """Put a decided request back under review; its earlier decision stays, marked superseded."""
    if not reason.strip():
        raise WorkflowError("Say why the request is reopened (e.g. a watchlist change).")
    with transaction.atomic():
        current = _locked(request)
        _refuse(_reopen_refusal(actor, current))
        superseded = list(current.decisions.filter(superseded=False).values_list("pk", flat=True))
        current.decisions.filter(pk__in=superseded).update(superseded=True)
        _transition(
            actor=actor,
            current=current,
            to_status=RequestStatus.UNDER_REVIEW,
            action="request.reopened",
            summary=f"Reopened {current.reference} for re-assessment: {reason}",
            ip=ip,
            extra={"reason": [None, reason], "superseded_decisions": [None, superseded]},
            reviewer=actor if has_role(actor, Role.REVIEWER) else current.reviewer,
            next_review_date=None,
        )
    _refresh(request, current)
    return request


# --- conditions ------------------------------------------------------------------------------


def _condition_create(*, actor, request, decision, item: ConditionInput, ip) -> Condition:
    if not item.text.strip():
        raise WorkflowError("A condition needs its text.")
    condition = Condition.objects.create(
        request=request,
        decision=decision,
        text=item.text.strip(),
        owner=item.owner,
        due_date=item.due_date,
    )
    audit_record(
        actor=actor,
        action="condition.added",
        summary=f"Condition on {request.reference}: {condition.text[:200]}",
        obj=condition,
        request=request,
        changes={
            "text": [None, condition.text],
            "owner": [None, item.owner.get_username() if item.owner else None],
            "due_date": [None, item.due_date.isoformat()],
        },
        ip=ip,
    )
    return condition


def condition_add(
    *, actor, request: PartnershipRequest, item: ConditionInput, ip=None
) -> Condition:
    """Add a condition to a request approved with conditions."""
    if item.due_date < timezone.localdate():
        raise WorkflowError("A condition's due date cannot be in the past.")
    with transaction.atomic():
        current = _locked(request)
        if not _is_central(actor):
            raise WorkflowError("Only a reviewer or an approver may add conditions.")
        if current.status != RequestStatus.APPROVED_WITH_CONDITIONS:
            raise WorkflowError(
                "Conditions can be added only to a request approved with conditions."
            )
        decision = current.decisions.filter(superseded=False).first()
        return _condition_create(actor=actor, request=current, decision=decision, item=item, ip=ip)


def condition_mark_met(*, actor, condition: Condition, note: str = "", ip=None) -> Condition:
    """Record that a condition has been met (by its owner, a reviewer or an approver)."""
    with transaction.atomic():
        current = (
            Condition.objects.select_for_update().select_related("request").get(pk=condition.pk)
        )
        if not (_is_central(actor) or (current.owner_id and current.owner_id == actor.pk)):
            raise WorkflowError(
                "Only the condition's owner, a reviewer or an approver may mark it met."
            )
        if current.status == Condition.Status.MET:
            raise WorkflowError("This condition is already met.")
        previous = current.status
        current.status = Condition.Status.MET
        current.met_at = timezone.now()
        current.save(update_fields=["status", "met_at"])
        audit_record(
            actor=actor,
            action="condition.met",
            summary=f"Condition met on {current.request.reference}: {current.text[:200]}",
            obj=current,
            request=current.request,
            changes={
                "status": [previous, current.status],
                **({"note": [None, note]} if note else {}),
            },
            ip=ip,
        )
    condition.status, condition.met_at = current.status, current.met_at
    return condition


def conditions_mark_overdue(*, today: date | None = None, actor=None) -> int:
    """Mark open conditions past their due date as overdue; return how many changed."""
    today = today or timezone.localdate()
    changed = 0
    with transaction.atomic():
        overdue = (
            Condition.objects.select_for_update()
            .filter(status=Condition.Status.OPEN, due_date__lt=today)
            .select_related("request")
        )
        for condition in overdue:
            condition.status = Condition.Status.OVERDUE
            condition.save(update_fields=["status"])
            audit_record(
                actor=actor,
                action="condition.overdue",
                summary=(
                    f"Condition overdue on {condition.request.reference} "
                    f"(due {condition.due_date:%d %b %Y}): {condition.text[:150]}"
                ),
                obj=condition,
                request=condition.request,
                changes={"status": [Condition.Status.OPEN, Condition.Status.OVERDUE]},
            )
            changed += 1
    return changed


# --- attachments -----------------------------------------------------------------------------


def attachment_add(
    *,
    actor,
    request: PartnershipRequest,
    uploaded_file,
    kind: str = Attachment.Kind.EVIDENCE,
    ip=None,
) -> Attachment:
    """Store an upload after checking its size and type (extension and content)."""
    if kind not in Attachment.Kind.values:
        raise WorkflowError(f"'{kind}' is not a kind of attachment.")
    size = uploaded_file.size
    uploaded_file.seek(0)
    head = uploaded_file.read(2048)
    try:
        safe_name, content_type = attachment_check(name=uploaded_file.name, size=size, head=head)
    except AttachmentRejected as exc:
        raise WorkflowError(str(exc)) from None
    uploaded_file.seek(0)
    digest = hashlib.sha256()
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    uploaded_file.seek(0)
    stored = None
    try:
        with transaction.atomic():
            current = _locked(request)
            _refuse(_attach_refusal(actor, current))
            attachment = Attachment(
                request=current,
                kind=kind,
                original_name=safe_name,
                content_type=content_type,
                size=size,
                sha256=digest.hexdigest(),
                uploaded_by=actor,
            )
            # Stored under a random name: the user's filename never becomes a path on disk.
            extension = safe_name.rpartition(".")[2].lower()
            attachment.file.save(f"{uuid.uuid4().hex}.{extension}", uploaded_file, save=False)
            stored = attachment.file.name
            attachment.save()
            audit_record(
                actor=actor,
                action="attachment.added",
                summary=(
                    f"Attached {safe_name} ({attachment.get_kind_display().lower()}) "
                    f"to {current.reference}"
                ),
                obj=attachment,
                request=current,
                changes={
                    "file": [None, safe_name],
                    "size": [None, size],
                    "sha256": [None, attachment.sha256],
                },
                ip=ip,
            )
    except Exception:
        # The transaction rolled back: do not leave an orphan file on disk.
        if stored:
            Attachment._meta.get_field("file").storage.delete(stored)
        raise
    return attachment


def attachment_open(*, actor, attachment: Attachment, ip=None):
    """Record a download and return the open file; the caller has checked visibility."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="attachment.downloaded",
            summary=f"Downloaded {attachment.original_name} from {attachment.request.reference}",
            obj=attachment,
            request=attachment.request,
            ip=ip,
        )
    return attachment.file.open("rb")
