"""Conditions on an approval: added, met, and marked overdue."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from ukcn.refusals import Refusal

from ..audit import AuditEntry, audit_record, audit_record_many
from ..models import (
    Condition,
    PartnershipRequest,
    RequestStatus,
)
from .rules import (
    ConditionInput,
    _is_central,
    _locked,
    refuse_role,
)

# --- conditions ------------------------------------------------------------------------------


def _condition_create(*, actor, request, decision, item: ConditionInput, ip) -> Condition:
    if not item.text.strip():
        raise Refusal.invalid("A condition needs its text.")
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
        raise Refusal.invalid("A condition's due date cannot be in the past.")
    with transaction.atomic():
        current = _locked(request)
        refuse_role(actor, "add_condition")
        if current.status != RequestStatus.APPROVED_WITH_CONDITIONS:
            raise Refusal.conflict(
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
            raise Refusal.conflict(
                "Only the condition's owner, a reviewer or an approver may mark it met."
            )
        if current.status == Condition.Status.MET:
            raise Refusal.conflict("This condition is already met.")
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
    """Mark open conditions past their due date as overdue, each audited and its people told;
    return how many changed. The one way a condition becomes overdue: the daily scheduled job
    and `manage.py mark_overdue_conditions` both call it. Safe to run again.

    One transaction and a fixed number of queries however many conditions are late: the late
    conditions are read and locked at once, changed by one update, audited by one insert into
    the chain and their people told by one insert of notifications."""
    from ..notifications import notify_conditions_overdue

    today = today or timezone.localdate()
    with transaction.atomic():
        late = list(
            Condition.objects.select_for_update(of=("self",))
            .filter(status=Condition.Status.OPEN, due_date__lt=today)
            .select_related("request", "request__reviewer", "owner")
            .order_by("pk")
        )
        if not late:
            return 0
        # Locked above, so none was met or marked in the meantime: the same rows change.
        Condition.objects.filter(pk__in=[c.pk for c in late]).update(
            status=Condition.Status.OVERDUE
        )
        for condition in late:
            condition.status = Condition.Status.OVERDUE
        audit_record_many(
            actor=actor,
            entries=[
                AuditEntry(
                    action="condition.overdue",
                    summary=(
                        f"Condition overdue on {condition.request.reference} "
                        f"(due {condition.due_date:%d %b %Y}): {condition.text[:150]}"
                    ),
                    obj=condition,
                    request=condition.request,
                    changes={"status": [Condition.Status.OPEN, Condition.Status.OVERDUE]},
                )
                for condition in late
            ],
        )
        notify_conditions_overdue(conditions=late)
    return len(late)
