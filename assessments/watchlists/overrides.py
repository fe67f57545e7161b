"""Risk levels the central office sets on list entries a source does not rate.

ASPI's tracker rates each university, but its MISP copy carries no rating: every entry
arrives at the list's default. The office may set a level on an entry, with a reason and a
source; it applies to later versions of the list while the entry's fingerprint (its name,
aliases, country, source risk level and categories) is unchanged, and screening uses it.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from assessments.audit import audit_record
from assessments.models import (
    EntryRiskOverride,
    RiskLevel,
    WatchlistEntry,
    WatchlistVersion,
)
from ukcn.refusals import Refusal

REASON_MAX = 2000
SOURCE_MAX = 1000


def _text(value: str, field: str, what: str, limit: int) -> str:
    text = (value or "").strip()
    if not text:
        message = f"Give the {what}."
        raise Refusal.invalid(message, code=f"{field}_required", fields={field: message})
    if len(text) > limit:
        message = f"Keep the {what} under {limit} characters."
        raise Refusal.invalid(message, fields={field: message})
    return text


def entry_risk_override_set(
    *, actor, entry: WatchlistEntry, risk_level: str, reason: str, source: str, ip=None
) -> EntryRiskOverride:
    """Set (or change) the office's risk level on an entry of a list's active version, audited."""
    from assessments.workflow.rules import refuse_role

    refuse_role(actor, "set_entry_risk")
    if risk_level not in RiskLevel.values:
        message = f"Choose a risk level: {', '.join(RiskLevel.values)}."
        raise Refusal.invalid(message, fields={"risk_level": message})
    reason = _text(reason, "reason", "reason for the level", REASON_MAX)
    source = _text(source, "source", "source of the level (a URL or citation)", SOURCE_MAX)
    with transaction.atomic():
        entry = WatchlistEntry.objects.select_related("version__watchlist").get(pk=entry.pk)
        if entry.version.status != WatchlistVersion.Status.ACTIVE:
            raise Refusal.conflict(
                f"{entry.name} is in v{entry.version.number} of {entry.version.watchlist}, "
                "which is not the active version: set the level on the active one."
            )
        watchlist = entry.version.watchlist
        existing = (
            EntryRiskOverride.objects.select_for_update()
            .filter(watchlist=watchlist, external_id=entry.external_id)
            .first()
        )
        before = (
            {
                "risk_level": existing.risk_level,
                "reason": existing.reason,
                "source": existing.source,
            }
            if existing
            else None
        )
        unchanged = {"risk_level": risk_level, "reason": reason, "source": source}
        if existing and existing.fingerprint == entry.fingerprint and before == unchanged:
            return existing  # the same level, reason and source: nothing changes
        override, _created = EntryRiskOverride.objects.update_or_create(
            watchlist=watchlist,
            external_id=entry.external_id,
            defaults={
                "entry_name": entry.name,
                "fingerprint": entry.fingerprint,
                "risk_level": risk_level,
                "source_risk_level": entry.risk_level,
                "reason": reason,
                "source": source,
                "set_by": actor if getattr(actor, "is_authenticated", False) else None,
                "set_at": timezone.now(),
            },
        )
        audit_record(
            actor=actor,
            action="watchlist.entry_risk_set",
            summary=(
                f"Risk level of {entry.name} on {watchlist} set by the office to "
                f"{override.get_risk_level_display()} (the source says "
                f"{RiskLevel(entry.risk_level).label})"
            ),
            obj=override,
            changes={
                "watchlist": watchlist.name,
                "entry": entry.external_id,
                "fingerprint": entry.fingerprint,
                "risk_level": risk_level,
                "source_risk_level": entry.risk_level,
                "reason": reason,
                "source": source,
                "before": before,
            },
            ip=ip,
        )
        _rescreen_on_commit(f"risk level of {entry.name} on {watchlist} set by the office")
    return override


def _rescreen_on_commit(reason: str) -> None:
    """Open partnerships matched with the new level: screened again once committed."""
    from assessments.screening.service import rescreen_open_partnerships

    transaction.on_commit(lambda: rescreen_open_partnerships(reason=reason))


def entry_risk_override_clear(*, actor, override: EntryRiskOverride, reason: str, ip=None) -> None:
    """Remove the office's level: the entry goes back to the source's own level, audited."""
    from assessments.workflow.rules import refuse_role

    refuse_role(actor, "set_entry_risk")
    reason = _text(reason, "reason", "reason for removing the level", REASON_MAX)
    with transaction.atomic():
        override = EntryRiskOverride.objects.select_for_update().get(pk=override.pk)
        audit_record(
            actor=actor,
            action="watchlist.entry_risk_cleared",
            summary=(
                f"Office risk level on {override.entry_name} ({override.watchlist}) removed: "
                "the source's level applies"
            ),
            obj=override,
            changes={
                "entry": override.external_id,
                "risk_level": override.risk_level,
                "reason": reason,
            },
            ip=ip,
        )
        override.delete()
        _rescreen_on_commit(f"office risk level on {override.entry_name} removed")


def overrides_in_force(watchlist_ids) -> dict[tuple[int, str, str], EntryRiskOverride]:
    """Overrides by (watchlist id, external id, fingerprint): an entry whose fingerprint is not
    the one the level was set on is not covered (its data changed since)."""
    return {
        (o.watchlist_id, o.external_id, o.fingerprint): o
        for o in EntryRiskOverride.objects.filter(watchlist_id__in=set(watchlist_ids))
    }


def entry_risk(entry: WatchlistEntry) -> tuple[str, EntryRiskOverride | None]:
    """The level that applies to an entry and the override that set it (None: the source's)."""
    override = EntryRiskOverride.objects.filter(
        watchlist_id=entry.version.watchlist_id,
        external_id=entry.external_id,
        fingerprint=entry.fingerprint,
    ).first()
    return (override.risk_level, override) if override else (entry.risk_level, None)
