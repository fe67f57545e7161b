"""A request's life: registration, edits under optimistic locking, and each status change."""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from ukcn.models import requester_department
from ukcn.refusals import Refusal
from ukcn.roles import Role, has_department_role, has_role

from ..audit import audit_record
from ..gates import gates_refusal, gates_summary, open_gates
from ..models import (
    Decision,
    FundingSource,
    Organisation,
    OrganisationIdentity,
    Partner,
    PartnershipRequest,
    Recommendation,
    RequestStatus,
    SignOff,
    Tier,
)
from ..notifications import (
    notify_request_decided,
    notify_request_recommended,
    notify_request_submitted,
    notify_request_taken_into_review,
    notify_sign_off_needed,
    notify_sign_off_refused,
)
from ..routes import route_for
from ..screening.service import screen_request
from .conditions import _condition_create
from .facts import request_facts_validate
from .rules import (
    DECISION_OUTCOMES,
    EDITABLE_FIELDS,
    FUNDING_FIELDS,
    ORGANISATION_FIELDS,
    ConditionInput,
    PartnerInput,
    RequestFacts,
    _decide_refusal,
    _edit_refusal,
    _locked,
    _plain,
    _recommend_refusal,
    _refresh,
    _refuse,
    _reopen_refusal,
    _sign_off_refusal,
    _submit_refusal,
    _take_refusal,
    _tier_refusal,
    _withdraw_refusal,
    higher_tier,
    next_sign_off,
    pending_decision,
    refuse_role,
    request_policy_data,
    sign_off_capacity,
    tier_change_refusal,
    tier_rank,
)


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


def _resolve_partners(facts: RequestFacts, *, actor, ip) -> None:
    """Register (or find, by name and country) each new organisation the facts describe."""
    resolved = []
    for partner in facts.partners:
        if partner.organisation is None:
            organisation = organisation_get_or_create(
                actor=actor, ip=ip, **(partner.new_organisation or {})
            )
            partner = PartnerInput(organisation=organisation, role=partner.role)
        resolved.append(partner)
    facts.partners = resolved


def funder_organisation(*, name: str, country: str, actor, ip=None) -> Organisation | None:
    """The register's organisation for a funder named on a funding row, when the name
    resolves to one: an existing organisation (reused) or a ROR identity (registered linked,
    audited). A name resolving to nothing, or to several, stays free text on the row (the
    central office links it: `manage.py link_funders`, or the admin)."""
    from ..organisations.resolve import resolve

    name, country = (name or "").strip(), (country or "").upper()
    if not name:
        return None
    existing = Organisation.objects.filter(name__iexact=name)
    existing = existing.filter(country=country) if country else existing
    found = list(existing.order_by("id")[:2])
    if len(found) == 1:
        return found[0]
    chosen = resolve(name, country=country or None).chosen
    if chosen is None:
        return None
    if chosen.organisation_id is not None:
        return Organisation.objects.get(pk=chosen.organisation_id)
    try:
        return _organisation_from_ror(actor=actor, ip=ip, ror_id=chosen.ror_id)
    except Refusal:
        return None


def _resolve_funders(facts: RequestFacts, *, actor, ip) -> None:
    """Each funding row's funder as an organisation of the register (screened as a funder)."""
    for row in facts.funding:
        if row.get("organisation") is None and not row.get("origin_undisclosed"):
            row["organisation"] = funder_organisation(
                name=row.get("funder_name", ""), country=row.get("country", ""), actor=actor, ip=ip
            )


def _write_facts(request: PartnershipRequest, facts: RequestFacts) -> None:
    request.sectors.set(facts.sectors)
    request.disciplines.set(facts.disciplines)
    wanted: dict[int, PartnerInput] = {}
    for partner in facts.partners:
        if partner.organisation.pk in wanted:
            # A new organisation typed as one already listed: found, so listed twice.
            raise Refusal.invalid(f"{partner.organisation} is listed twice as a partner.")
        wanted[partner.organisation.pk] = partner
    # Keep the rows of partners that stay, so what hangs off them (e.g. screening results)
    # survives an edit; remove the dropped ones and add the new ones.
    existing = {p.organisation_id: p for p in request.partners.all()}
    request.partners.exclude(organisation_id__in=wanted).delete()
    for organisation_id, partner in wanted.items():
        row = existing.get(organisation_id)
        if row is None:
            Partner.objects.create(
                request=request, organisation=partner.organisation, role=partner.role
            )
        elif row.role != partner.role:
            row.role = partner.role
            row.save(update_fields=["role"])
    request.funding_sources.all().delete()
    FundingSource.objects.bulk_create(
        FundingSource(
            request=request,
            organisation=row.get("organisation"),
            **{k: v for k, v in row.items() if k in FUNDING_FIELDS},
        )
        for row in facts.funding
    )


def _check_facts(facts: RequestFacts, *, registered_on: date | None = None) -> None:
    unknown = set(facts.fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise Refusal.invalid(
            f"These fields cannot be set on a request: {', '.join(sorted(unknown))}."
        )
    errors = request_facts_validate(
        {
            **facts.fields,
            "sectors": facts.sectors,
            "funding": facts.funding,
            "partners": facts.partners,
            "registered_on": registered_on,
        }
    )
    if errors:
        raise Refusal.for_fields(errors)


# --- organisations ---------------------------------------------------------------------------


def _may_register_organisations(actor) -> bool:
    return has_role(actor, Role.REQUESTER, Role.REVIEWER, Role.APPROVER) or actor.has_perm(
        "assessments.add_organisation"
    )


def organisation_create(
    *, actor, ip: str | None = None, needs_resolution: bool = False, **fields
) -> Organisation:
    """Register a partner organisation, reusable by later requests (by requesters and central
    staff with the request, or in the admin by those allowed to add organisations).
    `needs_resolution` flags one whose name resolved to no known identity, for the office."""
    if not _may_register_organisations(actor):
        raise Refusal.forbidden("You may not register organisations.")
    data = {k: v for k, v in fields.items() if k in ORGANISATION_FIELDS}
    if not data.get("name") or not data.get("country"):
        raise Refusal.invalid("An organisation needs at least a name and a country.")
    data["country"] = data["country"].upper()
    if needs_resolution:
        data["needs_resolution"] = True
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


def organisation_update(
    *, actor, organisation: Organisation, ip: str | None = None, **fields
) -> Organisation:
    """Correct a registered organisation (the admin); audited with each field's before and after."""
    if not actor.has_perm("assessments.change_organisation"):
        raise Refusal.forbidden("You may not correct organisations.")
    # The central office also links the ROR identity, sets the parent (records without ROR),
    # keeps aliases and clears the "to resolve" flag.
    office = ("identity", "parent", "aliases", "needs_resolution")
    data = {k: v for k, v in fields.items() if k in (*ORGANISATION_FIELDS, *office)}
    if data.get("parent") is not None and data["parent"].pk == organisation.pk:
        raise Refusal.invalid("An organisation cannot be its own parent.")
    if "country" in data:
        data["country"] = (data["country"] or "").upper()
    with transaction.atomic():
        current = Organisation.objects.select_for_update().get(pk=organisation.pk)
        changes = {
            k: [_audit_value(getattr(current, k)), _audit_value(v)]
            for k, v in data.items()
            if getattr(current, k) != v
        }
        for name, value in data.items():
            setattr(current, name, value)
        current.save()
        audit_record(
            actor=actor,
            action="organisation.updated",
            summary=f"Corrected organisation {current}",
            obj=current,
            changes=changes,
            ip=ip,
        )
    for name, value in data.items():
        setattr(organisation, name, value)
    return organisation


def _audit_value(value):
    if isinstance(value, models.Model):
        return str(value)
    return _plain(value)


def organisation_get_or_create(
    *, actor, ip: str | None = None, identity: str | None = None, **fields
) -> Organisation:
    """The organisation a typed partner is: registered under this name and country, or what
    the name resolves to (assessments/organisations/resolve.py), or a newly registered one.

    A requester's list of organisations holds only their departments' partners, so one another
    department registered is found by typing its name (in any script, or its acronym): reused,
    not duplicated. `identity` is the user's pick among candidates ("org:<id>", "ror:<ror id>",
    or "new" for none of them); without it, the name is resolved here and several equally
    fitting candidates are refused for the user to choose. A ROR identity creates the
    organisation linked to it; a name resolving to nothing is registered unlinked and flagged
    for the central office.
    """
    from ..organisations.resolve import candidate_for_key

    name = (fields.get("name") or "").strip()
    country = (fields.get("country") or "").upper()
    existing = (
        Organisation.objects.filter(name__iexact=name, country=country).order_by("id").first()
        if name and country
        else None
    )
    if existing is not None:
        return existing
    key = identity or _resolved_key(name, fields.get("name_native") or "", country)
    candidate = candidate_for_key(key) if key != "new" else None
    if key != "new" and candidate is None:
        message = "Choose one of the organisations offered, or register a new one."
        raise Refusal.invalid(message, code="identity_unknown", fields={"identity": message})
    if candidate is not None and candidate.organisation_id is not None:
        organisation = Organisation.objects.get(pk=candidate.organisation_id)
        if organisation.identity_id is None:
            # Registered before ROR was imported: linked to its namesake identity (audited).
            namesakes = list(
                OrganisationIdentity.objects.filter(
                    name__iexact=organisation.name, country=organisation.country
                ).values_list("ror_id", flat=True)[:2]
            )
            if len(namesakes) == 1:
                return _organisation_from_ror(actor=actor, ip=ip, ror_id=namesakes[0])
        return organisation
    if candidate is not None:
        return _organisation_from_ror(actor=actor, ip=ip, ror_id=candidate.ror_id)
    return organisation_create(
        actor=actor, ip=ip, needs_resolution=True, **{**fields, "country": country}
    )


def _resolved_key(name: str, name_native: str, country: str) -> str:
    """What a typed name resolves to, as a candidate key; "new" for nothing; refused when
    several fit equally (the user picks)."""
    from ..organisations.resolve import resolve

    # The name as written decides: a native name that disagrees with it (a different body's
    # name left in the row) must not pull the partner onto another organisation.
    for text in (name or name_native,):
        if not text.strip():
            continue
        resolution = resolve(text, country=country or None)
        if resolution.chosen is not None:
            return resolution.chosen.key
        if resolution.ambiguous:
            names = "; ".join(
                f"{c.name} ({', '.join(p for p in (c.city, c.country, c.ror_id) if p)})"
                for c in resolution.candidates[:5]
            )
            message = f"Several organisations fit “{text}”: choose one ({names})."
            raise Refusal.invalid(
                message, code="organisation_ambiguous", fields={"identity": message}
            )
    return "new"


def _organisation_from_ror(*, actor, ip, ror_id: str) -> Organisation:
    """The organisation for a ROR identity, registered (with its parents) and audited."""
    from ..organisations.resolve import organisation_for_identity

    if not _may_register_organisations(actor):
        raise Refusal.forbidden("You may not register organisations.")
    identity = OrganisationIdentity.objects.get(ror_id=ror_id)
    with transaction.atomic():
        changes: list = []
        organisation = organisation_for_identity(identity, changes)
        for change, org in changes:
            verb = "Registered" if change == "created" else "Linked"
            audit_record(
                actor=actor,
                action=f"organisation.{change}",
                summary=f"{verb} organisation {org} from ROR {org.identity.ror_url}",
                obj=org,
                changes={"ror_id": [None, org.identity.ror_id], "name": [None, org.name]},
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
    refuse_role(actor, "register")
    department = department or requester_department(actor)
    if department is None:
        raise Refusal.invalid(
            "The request needs a department: choose the department it is registered for."
        )
    if not has_role(actor, Role.REVIEWER) and not has_department_role(
        actor, department.pk, Role.REQUESTER
    ):
        message = "Requesters may register requests only for a department they are requester for."
        raise Refusal.invalid(message, fields={"department": message})
    _check_facts(facts, registered_on=registered_on)
    if registered_on and registered_on > timezone.localdate():
        raise Refusal.invalid("A request cannot be registered in the future.")
    with transaction.atomic():
        # New organisations are registered with the request, and roll back with a refusal.
        _resolve_partners(facts, actor=actor, ip=ip)
        _resolve_funders(facts, actor=actor, ip=ip)
        return _request_insert(
            actor=actor,
            facts=facts,
            department=department,
            registered_on=registered_on,
            ip=ip,
        )


def _request_insert(*, actor, facts, department, registered_on, ip) -> PartnershipRequest:
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
    raise Refusal.conflict("Could not allocate a request reference; please try again.")


def request_update(
    *,
    actor,
    request: PartnershipRequest,
    version: int,
    facts: RequestFacts,
    ip: str | None = None,
) -> PartnershipRequest:
    """Save a form's changes, refusing if someone else saved since `version` was read."""
    _check_facts(facts, registered_on=timezone.localdate(request.created_at))
    with transaction.atomic():
        current = _locked(request)
        _refuse(_edit_refusal(actor, current))
        if current.version != version:
            raise Refusal.conflict(
                f"{current.reference} was changed by someone else while you were editing "
                "(your copy is out of date). Reload the request, then make your changes again.",
                code="version_conflict",
                extra={"current_version": current.version},
            )
        _resolve_partners(facts, actor=actor, ip=ip)
        _resolve_funders(facts, actor=actor, ip=ip)
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
            raise Refusal.conflict("Add at least one partner organisation before submitting.")
        if not current.no_nsi_sector and not current.sectors.exists():
            raise Refusal.conflict(
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
            submitted_by=actor,
            highest_tier=current.tier,
        )
        notify_request_submitted(request=current)
        # Every partner is screened on submit, so the reviewer opens a request already checked.
        screen_request(request=current, actor=actor, reason="on submit", ip=ip)
    _refresh(request, current)
    return request


def request_withdraw(*, actor, request: PartnershipRequest, reason: str = "", ip=None):
    """Withdraw an open request; it stays on record."""
    with transaction.atomic():
        current = _locked(request)
        _refuse(_withdraw_refusal(actor, current))
        pending = pending_decision(current)
        if pending is not None:
            pending.superseded = True
            pending.save(update_fields=["superseded"])
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
        refuse_role(actor, "take_into_review")
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
        notify_request_taken_into_review(request=current, reviewer=actor)
    _refresh(request, current)
    return request


def request_set_tier(*, actor, request: PartnershipRequest, tier: str, reason: str = "", ip=None):
    """Change the risk tier by hand: on a current assessment, with a reason, never below the
    policy's floor; a high or very high tier is lowered only by an approver who did not
    recommend. The highest tier since submission is kept, so lowering removes no approver."""
    from ..gates import assessment_changed_inputs, latest_assessment

    if tier not in Tier.values:
        raise Refusal.invalid(f"'{tier}' is not a risk tier.")
    if not reason.strip():
        raise Refusal.invalid("Say why you change the tier: the reason goes on the record.")
    with transaction.atomic():
        current = _locked(request)
        refuse_role(actor, "set_tier")
        _refuse(_tier_refusal(actor, current))
        assessment = latest_assessment(current)
        if assessment is None:
            raise Refusal.conflict(
                "Assess the risk first: a tier is changed by hand only on an assessment."
            )
        changed = assessment_changed_inputs(current, assessment)
        if changed:
            raise Refusal.conflict(
                f"The assessment is out of date ({', '.join(changed)} changed since): assess "
                "again before changing the tier."
            )
        _refuse(_floor_refusal(assessment, tier))
        _refuse(tier_change_refusal(actor, current, tier))
        changes = {"tier": [current.tier, tier], "reason": [None, reason]}
        current.tier = tier
        current.highest_tier = higher_tier(current.highest_tier, tier)
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


def _floor_refusal(assessment, tier: str) -> str | None:
    """The tier may never go below the assessment's floor (a confirmed listed match...)."""
    if assessment.floor and tier_rank(tier) < tier_rank(assessment.floor):
        return (
            f"The tier cannot go below {assessment.get_floor_display().lower()}: "
            f"{assessment.floor_reason}."
        )
    return None


def request_recommend(
    *, actor, request: PartnershipRequest, outcome: str, reasoning: str, ip=None
) -> Recommendation:
    """A reviewer recommends approve, approve with conditions, or decline."""
    if outcome not in Recommendation.Outcome.values:
        raise Refusal.invalid(f"'{outcome}' is not a recommendation.")
    if not reasoning.strip():
        raise Refusal.invalid("A recommendation needs its reasoning.")
    with transaction.atomic():
        current = _locked(request)
        refuse_role(actor, "recommend")
        _refuse(_recommend_refusal(actor, current))
        _refuse(gates_refusal(current, "recommend", "a recommendation"))
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
        notify_request_recommended(request=current, recommendation=recommendation)
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
    """Decide a recommended request on finished checks, by the role its route names.

    When the route needs sign-offs the decision waits for them ("approved subject to sign-off
    by ..."): its conditions and review date take effect with the last sign-off.
    """
    conditions = conditions or []
    if outcome not in DECISION_OUTCOMES:
        raise Refusal.invalid(f"'{outcome}' is not a decision.")
    if not reasoning.strip():
        raise Refusal.invalid("A decision needs its reasoning.")
    if outcome == RequestStatus.APPROVED_WITH_CONDITIONS and not conditions:
        raise Refusal.invalid("An approval with conditions needs at least one condition.")
    if outcome != RequestStatus.APPROVED_WITH_CONDITIONS and conditions:
        raise Refusal.invalid("Conditions belong only to an approval with conditions.")
    today = timezone.localdate()
    if any(c.due_date < today for c in conditions):
        raise Refusal.invalid("A condition's due date cannot be in the past.")
    with transaction.atomic():
        current = _locked(request)
        refuse_role(actor, "decide")
        _refuse(_decide_refusal(actor, current))
        _refuse(gates_refusal(current, "decide", "a decision"))
        review_on = next_review_date or today + review_period()
        if review_on <= today:
            raise Refusal.invalid("The next review date must be in the future.")
        route = route_for(request_policy_data(current), current.tier)
        decision = Decision.objects.create(
            request=current,
            decided_by=actor,
            outcome=outcome,
            reasoning=reasoning,
            tier=current.tier,
            route_code=route.code,
            route_label=route.label[:300],
            state=Decision.State.PENDING_SIGN_OFF if route.sign_offs else Decision.State.IN_FORCE,
            pending_conditions=[
                {
                    "text": c.text,
                    "due_date": c.due_date.isoformat(),
                    "owner": getattr(c.owner, "pk", None),
                }
                for c in conditions
            ],
            review_on=review_on,
        )
        if not route.sign_offs:
            _decision_take_effect(actor=actor, current=current, decision=decision, ip=ip)
        else:
            SignOff.objects.bulk_create(
                SignOff(
                    decision=decision,
                    request=current,
                    order=number,
                    role=step.role,
                    label=step.label,
                    fallback_role=step.fallback_role,
                )
                for number, step in enumerate(route.sign_offs, start=1)
            )
            _transition(
                actor=actor,
                current=current,
                to_status=RequestStatus.AWAITING_SIGN_OFF,
                action="request.decided_subject_to_sign_off",
                summary=f"Decided {current.reference}: {decision.outcome_phrase.lower()}",
                ip=ip,
                extra={
                    "outcome": [None, outcome],
                    "reasoning": [None, reasoning],
                    "decision_tier": [None, current.tier],
                    "sign_offs": [None, [step.label for step in route.sign_offs]],
                },
            )
            notify_sign_off_needed(request=current, decision=decision)
    _refresh(request, current)
    return decision


def _decision_take_effect(*, actor, current: PartnershipRequest, decision: Decision, ip) -> None:
    """The decision holds: its conditions start, the request takes its outcome."""
    for item in decision.pending_conditions:
        owner = None
        if item.get("owner"):
            # Not type(decision.decided_by): from a view that is a lazy wrapper of the user.
            owner = get_user_model().objects.filter(pk=item["owner"]).first()
        _condition_create(
            actor=actor,
            request=current,
            decision=decision,
            item=ConditionInput(
                text=item["text"], due_date=date.fromisoformat(item["due_date"]), owner=owner
            ),
            ip=ip,
        )
    if decision.state != Decision.State.IN_FORCE:
        decision.state = Decision.State.IN_FORCE
        decision.save(update_fields=["state"])
    signers = [
        f"{s.label}: {s.signed_by}"
        + (f" (in place of the {s.in_place_of})" if s.in_place_of else "")
        for s in decision.sign_offs.filter(status=SignOff.Status.GIVEN).select_related("signed_by")
    ]
    extra = {
        "reasoning": [None, decision.reasoning],
        "decision_tier": [None, decision.tier],
        "decided_by": [None, str(decision.decided_by)],
    }
    if signers:
        extra["sign_offs"] = [None, signers]
    _transition(
        actor=actor,
        current=current,
        to_status=decision.outcome,
        action="request.decided",
        summary=f"Decided {current.reference}: {decision.get_outcome_display().lower()}",
        ip=ip,
        extra=extra,
        decided_at=timezone.now(),
        next_review_date=decision.review_on,
    )
    notify_request_decided(request=current, decision=decision)


def _record_sign_off(step, actor, current, status: str, reason: str = "") -> tuple[str, str]:
    """Write who gave or refused the step, in which capacity; return (signed as, in place of)."""
    signed_as, in_place_of = sign_off_capacity(actor, current, step)
    step.status = status
    step.signed_by = actor
    step.signed_as = signed_as
    step.in_place_of = in_place_of
    step.reason = reason
    step.signed_at = timezone.now()
    step.save()
    return signed_as, in_place_of


def request_sign_off(*, actor, request: PartnershipRequest, ip=None) -> SignOff:
    """Give the next sign-off the decision's route requires; the last one makes it hold."""
    with transaction.atomic():
        current = _locked(request)
        decision = pending_decision(current)
        step = next_sign_off(decision)
        refuse_role(actor, "sign_off")
        _refuse(_sign_off_refusal(actor, current, decision, step))
        missing = [g for g in open_gates(current, "sign_off") if g.code != "sign_offs"]
        if missing:
            raise Refusal.conflict(
                "Not yet: a sign-off needs every check finished. Still missing: "
                f"{gates_summary(missing)}."
            )
        signed_as, in_place_of = _record_sign_off(step, actor, current, SignOff.Status.GIVEN)
        audit_record(
            actor=actor,
            action="request.signed_off",
            summary=(
                f"Signed off {current.reference} as {step.label.lower()}"
                + (f" (an {signed_as} in place of the {in_place_of})" if in_place_of else "")
            ),
            obj=step,
            request=current,
            changes={
                "sign_off": step.label,
                "role": step.role,
                "signed_as": signed_as,
                "in_place_of": in_place_of or None,
                "decision": decision.outcome,
            },
            ip=ip,
        )
        if next_sign_off(decision) is None:
            _decision_take_effect(actor=actor, current=current, decision=decision, ip=ip)
        else:
            current.version += 1
            current.save(update_fields=["version", "updated_at"])
    _refresh(request, current)
    return step


def request_sign_off_refuse(*, actor, request: PartnershipRequest, reason: str, ip=None) -> SignOff:
    """Refuse the sign-off, with a reason: the decision lapses and the request returns to the
    decider (recommended again)."""
    if not reason.strip():
        raise Refusal.invalid("Say why you refuse to sign off: the decider reads it.")
    with transaction.atomic():
        current = _locked(request)
        decision = pending_decision(current)
        step = next_sign_off(decision)
        refuse_role(actor, "sign_off")
        _refuse(_sign_off_refusal(actor, current, decision, step))
        _record_sign_off(step, actor, current, SignOff.Status.REFUSED, reason)
        decision.state = Decision.State.REFUSED
        decision.superseded = True
        decision.save(update_fields=["state", "superseded"])
        _transition(
            actor=actor,
            current=current,
            to_status=RequestStatus.RECOMMENDED,
            action="request.sign_off_refused",
            summary=(f"Refused to sign off {current.reference} as {step.label.lower()}: {reason}"),
            ip=ip,
            extra={"sign_off": [None, step.label], "reason": [None, reason]},
        )
        notify_sign_off_refused(request=current, decision=decision, reason=reason)
    _refresh(request, current)
    return step


def request_reopen(*, actor, request: PartnershipRequest, reason: str, ip=None):
    """Put a decided request back under review; its earlier decision stays, marked superseded."""
    if not reason.strip():
        raise Refusal.invalid("Say why the request is reopened (e.g. a watchlist change).")
    with transaction.atomic():
        current = _locked(request)
        refuse_role(actor, "reopen")
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
            decided_at=None,
        )
    _refresh(request, current)
    return request


def request_return_to_review(*, actor, request: PartnershipRequest, reason: str, ip=None):
    """Put a recommended, awaiting-sign-off or decided request back under review because
    something it rested on changed (e.g. a new screening match confirmed). A decision in
    force is reopened (kept, marked superseded); one awaiting sign-off lapses."""
    with transaction.atomic():
        current = _locked(request)
        if current.is_decided:
            request_reopen(actor=actor, request=current, reason=reason, ip=ip)
            _refresh(request, current)
            return request
        if current.status not in {RequestStatus.RECOMMENDED, RequestStatus.AWAITING_SIGN_OFF}:
            return request
        pending = pending_decision(current)
        extra = {"reason": [None, reason]}
        if pending is not None:
            pending.superseded = True
            pending.save(update_fields=["superseded"])
            extra["superseded_decisions"] = [None, [pending.pk]]
        _transition(
            actor=actor,
            current=current,
            to_status=RequestStatus.UNDER_REVIEW,
            action="request.returned_to_review",
            summary=f"Returned {current.reference} to review: {reason}",
            ip=ip,
            extra=extra,
        )
    _refresh(request, current)
    return request
