"""Screening against the active watchlists: the cached index, requests, decisions, re-screening."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q
from django.utils import timezone

from ukcn.refusals import Refusal, refuse

from ..audit import audit_record
from ..models import (
    EntryKind,
    EntryRiskOverride,
    LegalEffect,
    MatchStatus,
    Partner,
    PartnershipRequest,
    RequestStatus,
    RiskLevel,
    ScreeningAlert,
    ScreeningDismissal,
    ScreeningMatch,
    ScreeningSettings,
    SubjectKind,
    WatchlistEntry,
    WatchlistVersion,
)
from ..models.requests import OPEN_STATUSES, partnerships_in_force_q
from ..models.screening import PEOPLE_SUBJECTS
from ..notifications import notify_rescreening_alert
from ..scoring.points import ConfirmedMatch
from .matcher import IndexEntry, Match, NameIndex

logger = logging.getLogger(__name__)
_lock = threading.Lock()
_cache: dict = {"version_ids": None, "index": None}


def active_version_ids() -> tuple[int, ...]:
    """Ids of the active versions of active watchlists: the index is valid while these hold."""
    return tuple(
        WatchlistVersion.objects.filter(
            status=WatchlistVersion.Status.ACTIVE, watchlist__is_active=True
        )
        .order_by("id")
        .values_list("id", flat=True)
    )


def _with_override(row: dict, overrides: dict) -> dict:
    """The row with the office's risk level when one is set on this entry as it stands."""
    row["source_risk_level"] = row["risk_level"]
    override = overrides.get((row["version__watchlist_id"], row["external_id"], row["fingerprint"]))
    row["risk_set_by_office"] = override is not None
    if override is not None:
        row["risk_level"] = override.risk_level
    return row


def _build_index(version_ids: tuple[int, ...]) -> NameIndex:
    from ..watchlists.overrides import overrides_in_force

    overrides = overrides_in_force(
        WatchlistVersion.objects.filter(id__in=version_ids).values_list("watchlist_id", flat=True)
    )
    # Partners are organisations: listed people are kept for screening people, not here.
    rows = (
        WatchlistEntry.objects.filter(version_id__in=version_ids, kind=EntryKind.ORGANISATION)
        .values(
            "id",
            "external_id",
            "name",
            "aliases",
            "country",
            "risk_level",
            "categories",
            "fingerprint",
            "version_id",
            "version__number",
            "version__watchlist_id",
            "version__watchlist__name",
            "version__watchlist__blocking",
        )
        .order_by("id")
    )
    return NameIndex(
        IndexEntry(
            key=row["id"],
            name=row["name"],
            aliases=tuple(a for a in row["aliases"] or () if isinstance(a, str)),
            country=row["country"],
            payload=_with_override(row, overrides),
        )
        for row in rows.iterator(chunk_size=5000)
    )


def _index_key() -> tuple:
    """The active versions (id, time, digest) with, per list, the count and latest time of the
    office's risk levels: in one query, the index is valid while this holds."""
    from django.db.models import Count, DateTimeField, IntegerField, Max, Subquery

    overrides = EntryRiskOverride.objects.filter(watchlist=OuterRef("watchlist_id")).values(
        "watchlist"
    )
    return tuple(
        WatchlistVersion.objects.filter(
            status=WatchlistVersion.Status.ACTIVE, watchlist__is_active=True
        )
        .annotate(
            overrides=Subquery(
                overrides.annotate(n=Count("id")).values("n"), output_field=IntegerField()
            ),
            overrides_at=Subquery(
                overrides.annotate(at=Max("set_at")).values("at"), output_field=DateTimeField()
            ),
        )
        .order_by("id")
        # The version's own time and digest too: ids alone repeat in a restored or test database.
        .values_list("id", "overrides", "overrides_at", "created_at", "sha256")
    )


def screening_index() -> NameIndex:
    """The index of every active name, replaced only when the set of active versions, or the
    office's risk levels on their entries, change: loaded from the machine's snapshot of it
    (written when a version activated), or built and written here when there is none."""
    from . import snapshot

    key = _index_key()
    with _lock:
        if _cache["version_ids"] != key:
            _cache["index"] = None  # let the old index go before the new one arrives
            index = snapshot.load(key)
            if index is None:
                index = _build_index(tuple(version_id for version_id, *_ in key))
                try:
                    snapshot.save(index, key)
                except OSError as error:  # a full or read-only disk: screen all the same
                    logger.warning("screening index snapshot not written: %s", error)
            _cache["index"], _cache["version_ids"] = index, key
        return _cache["index"]


def prepare_screening_index() -> NameIndex:
    """Build (or load) the index for the lists as they now stand and write its snapshot, so
    that no user's query waits for a build: called when a version activates."""
    return screening_index()


def preload_screening_index() -> bool:
    """Hold the machine's newest index snapshot in this process (gunicorn's master, before it
    forks): no database query; a worker checks the key on its first screening."""
    from . import snapshot

    with _lock:
        return snapshot.preload(_cache)


def screening_threshold() -> float:
    """The admin's threshold if one is set, otherwise the SCREENING_THRESHOLD setting."""
    row = ScreeningSettings.objects.filter(pk=1).first()
    if row is not None and row.threshold is not None:
        return row.threshold
    return settings.SCREENING_THRESHOLD


def _match_json(match: Match) -> dict:
    row = match.entry.payload
    return {
        "list": row["version__watchlist__name"],
        "list_version": row["version__number"],
        "entry_id": row["external_id"],
        "name": row["name"],
        "matched_name": match.matched_name,
        "score": match.score,
        "risk_level": row["risk_level"],
        "source_risk_level": row["source_risk_level"],
        "risk_set_by_office": row["risk_set_by_office"],
        "categories": list(row["categories"] or []),
        "explanation": match.explanation,
    }


def _search(
    names: list[str], country: str | None, org_type: str | None, index: NameIndex | None = None
) -> list[tuple[str, Match]]:
    """The best match per entry over several names of one subject, with the name that found it."""
    index = screening_index() if index is None else index
    threshold = screening_threshold()
    best: dict = {}
    for name in names:
        for match in index.search(name, country=country, org_type=org_type, threshold=threshold):
            key = match.entry.key
            if key not in best or match.score > best[key][1].score:
                best[key] = (name, match)
    return sorted(best.values(), key=lambda pair: (-pair[1].score, pair[1].entry.name))


def screen_name(name: str, country: str | None = None, org_type: str | None = None) -> dict:
    """Potential matches for one name, best first, in the JSON shape the command and API print."""
    found = _search([name], country or None, org_type or None) if name.strip() else []
    return {"query": name, "matches": [_match_json(match) for _, match in found]}


def partner_check_preview(partner) -> list[dict]:
    """What screening would find for a partner not screened yet (a draft): the live check the
    form ran as the names were typed, shown again on the request page. Nothing is recorded;
    the partner is screened, and its matches recorded, when the request is submitted."""
    organisation = partner.organisation
    options = {"country": organisation.country or None, "org_type": organisation.org_type or None}
    return [screen_name(name, **options) for name in organisation_names(organisation)]


@dataclass
class ScreeningSummary:
    partners: int = 0
    others: int = 0  # parents, sub-partners, funders, people
    potential: int = 0
    new: int = 0
    reapplied_dismissals: int = 0
    lapsed: int = 0
    alerts: int = 0
    notes: list[str] = field(default_factory=list)


def organisation_names(organisation) -> list[str]:
    """Every name an organisation is screened under: as written, in its own script, and any
    further names it records (aliases, ROR labels) when it has them."""
    names = [organisation.name, organisation.name_native]
    more = getattr(organisation, "screening_names", None)
    if callable(more):
        names.extend(more())
    return list(dict.fromkeys(n.strip() for n in names if n and n.strip()))


@dataclass
class Subject:
    """One thing a request's screening screens: a partner, a partner's parent or sub-partner,
    a funder, a person. `key` identifies it within the request (ScreeningMatch.subject_key).

    `fields` are set on a new match (e.g. {"person": person}); `dismissal` is what a
    remembered dismissal is keyed on ({"organisation": o} or {"person": p}); `search`, when
    given, replaces the default search of the organisation index (e.g. a people index)."""

    kind: str
    key: str
    names: list[str]
    label: str
    country: str | None = None
    org_type: str | None = None
    partner: Partner | None = None
    organisation: object | None = None
    fields: dict = field(default_factory=dict)
    dismissal: dict = field(default_factory=dict)
    search: Callable[[Subject], list[tuple[str, Match]]] | None = None

    def find(self) -> list[tuple[str, Match]]:
        if self.search is not None:
            return self.search(self)
        return _search(self.names, self.country or None, self.org_type or None)


def organisation_subject(kind: str, organisation, *, partner: Partner | None = None) -> Subject:
    """The subject for an organisation screened as a partner, ancestor, sub-partner or funder."""
    if kind == SubjectKind.PARTNER:
        key, label = f"partner:{partner.pk}", organisation.name
    elif kind in (SubjectKind.ANCESTOR, SubjectKind.SUB_PARTNER):
        key = f"{kind}:{partner.pk if partner else ''}:{organisation.pk}"
        word = "parent" if kind == SubjectKind.ANCESTOR else "sub-partner"
        of = f" (of {partner.organisation.name})" if partner else ""
        label = f"{word} {organisation.name}{of}"
    else:
        key, label = (
            f"{kind}:{organisation.pk}",
            f"{SubjectKind(kind).label.lower()} {organisation.name}",
        )
    return Subject(
        kind=kind,
        key=key,
        names=organisation_names(organisation),
        label=label,
        country=organisation.country or None,
        org_type=organisation.org_type,
        partner=partner,
        organisation=organisation,
        dismissal={"organisation": organisation},
    )


# Functions answering the further subjects of a request (beyond its partners), in order.
_SUBJECT_SOURCES: list[Callable[[PartnershipRequest], Iterable[Subject]]] = []


def subject_source_register(source: Callable[[PartnershipRequest], Iterable[Subject]]):
    """Add subjects to every screening of a request (people, funders...); a decorator."""
    _SUBJECT_SOURCES.append(source)
    return source


def request_subjects(request: PartnershipRequest, partners=None) -> list[Subject]:
    """Everything a screening of the request screens: each partner, its ancestors (the
    institutions a campus, school or laboratory belongs to) and its sub-partners; the funders
    in the register; then registered sources (people...)."""
    partners = request.partners.select_related("organisation") if partners is None else partners
    subjects = []
    for partner in partners:
        subjects.append(
            organisation_subject(SubjectKind.PARTNER, partner.organisation, partner=partner)
        )
        subjects.extend(
            organisation_subject(SubjectKind.ANCESTOR, ancestor, partner=partner)
            for ancestor in partner.organisation.ancestors()
        )
        subjects.extend(
            organisation_subject(SubjectKind.SUB_PARTNER, sub.organisation, partner=partner)
            for sub in partner.sub_partners.select_related("organisation")
        )
    funders = {
        funding.organisation_id: funding.organisation
        for funding in request.funding_sources.select_related("organisation").exclude(
            organisation=None
        )
    }
    subjects.extend(
        organisation_subject(SubjectKind.FUNDER, organisation) for organisation in funders.values()
    )
    for source in _SUBJECT_SOURCES:
        subjects.extend(source(request))
    return subjects


def _record_match(
    *,
    request: PartnershipRequest,
    subject: Subject,
    screened_name: str,
    match: Match,
    now,
    alert: bool,
    summary: ScreeningSummary,
) -> None:
    row = match.entry.payload
    existing = ScreeningMatch.objects.filter(
        request=request,
        subject_key=subject.key,
        watchlist_id=row["version__watchlist_id"],
        external_id=row["external_id"],
    ).first()
    values = {
        "entry_id": row["id"],
        "fingerprint": row["fingerprint"],
        "risk_level": row["risk_level"],
        "score": match.score,
        "screened_name": screened_name[:300],
        "matched_name": match.matched_name,
        "explanation": match.explanation,
        "screened_at": now,
    }
    if existing is None:
        dismissal = (
            ScreeningDismissal.objects.filter(
                watchlist_id=row["version__watchlist_id"],
                external_id=row["external_id"],
                fingerprint=row["fingerprint"],
                **subject.dismissal,
            ).first()
            if subject.dismissal
            else None
        )
        record = ScreeningMatch(
            request=request,
            subject_kind=subject.kind,
            subject_key=subject.key,
            partner=subject.partner,
            organisation=subject.organisation,
            watchlist_id=row["version__watchlist_id"],
            external_id=row["external_id"],
            **subject.fields,
            **values,
        )
        if dismissal is not None:
            record.status = MatchStatus.DISMISSED
            record.reviewer_id = dismissal.dismissed_by_id
            record.decided_at = dismissal.dismissed_at
            record.reason = f"Earlier dismissal re-applied: {dismissal.reason}"
            summary.reapplied_dismissals += 1
        else:
            summary.potential += 1
            summary.new += 1
        record.save()
        if alert and dismissal is None:
            _alert(record, ScreeningAlert.Kind.NEW_MATCH, summary)
        return
    previous_risk, previous_fingerprint = existing.risk_level, existing.fingerprint
    for name, value in values.items():
        setattr(existing, name, value)
    existing.delisted_at = None
    changed = previous_fingerprint != row["fingerprint"]
    reopened = existing.status == MatchStatus.LAPSED
    if reopened:
        # Found again (relisted, or scoring at the threshold again): a reviewer must decide.
        existing.status = MatchStatus.POTENTIAL
        existing.reason = ""
        existing.decided_at = None
        summary.new += 1
    elif existing.status == MatchStatus.DISMISSED and changed:
        # The entry's data changed since the dismissal: the reviewer must look again.
        existing.status = MatchStatus.POTENTIAL
        existing.reason = ""
        existing.decided_at = None
        existing.reviewer = None
    existing.save()
    if existing.status == MatchStatus.POTENTIAL:
        summary.potential += 1
    if alert and reopened:
        _alert(existing, ScreeningAlert.Kind.NEW_MATCH, summary)
    elif alert and previous_risk != row["risk_level"]:
        _alert(existing, ScreeningAlert.Kind.RISK_CHANGED, summary, previous_risk)
    elif alert and changed and existing.status == MatchStatus.POTENTIAL:
        _alert(existing, ScreeningAlert.Kind.ENTRY_CHANGED, summary)


def _close_unfound(
    *,
    matches,
    found: set[tuple[int, str]],
    now,
    alert: bool,
    summary: ScreeningSummary,
    gone: str = "",
) -> None:
    """The subject's matches this screening did not find again: open ones lapse, and any
    whose entry has left its list is marked delisted (an alert when it was confirmed).
    `gone`, when given, says the subject itself is no longer part of the request."""
    missing = [
        match
        for match in matches.select_related("watchlist", "partner__organisation", "organisation")
        if (match.watchlist_id, match.external_id) not in found
        and (match.status == MatchStatus.POTENTIAL or match.delisted_at is None)
    ]
    if not missing:
        return
    listed = set(
        WatchlistEntry.objects.filter(
            version_id__in=active_version_ids(),
            external_id__in={match.external_id for match in missing},
        ).values_list("version__watchlist_id", "external_id")
    )
    threshold = screening_threshold()
    for match in missing:
        on_list = (match.watchlist_id, match.external_id) in listed
        newly_delisted = not on_list and match.delisted_at is None
        if not newly_delisted and match.status != MatchStatus.POTENTIAL:
            continue  # still listed and already decided: nothing to change
        if newly_delisted:
            match.delisted_at = now
        if match.status == MatchStatus.POTENTIAL:
            match.status = MatchStatus.LAPSED
            match.decided_at = now
            match.reason = (
                f"Closed by screening: {gone}"
                if gone
                else f"Closed by screening: the entry is no longer on {match.watchlist.name}."
                if not on_list
                else f"Closed by screening: the name no longer scores {threshold:.2f} or more."
            )
            match.alerts.filter(cleared_at__isnull=True).update(cleared_at=now)
            summary.lapsed += 1
        match.save(update_fields=["status", "decided_at", "reason", "delisted_at"])
        if alert and newly_delisted and match.status == MatchStatus.CONFIRMED:
            _alert(match, ScreeningAlert.Kind.ENTRY_REMOVED, summary)


def _risk_label(level: str) -> str:
    try:
        return str(RiskLevel(level).label).lower()
    except ValueError:
        return level


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _alert(record: ScreeningMatch, kind: str, summary: ScreeningSummary, previous: str = ""):
    subject = _capital(record.subject_label)
    # Alerts reach dashboards and e-mails of everyone who sees the request: about a person,
    # they name neither the person nor the listed entry (the people page shows both).
    entry = "an entry" if record.subject_kind in PEOPLE_SUBJECTS else f"'{record.matched_name}'"
    if kind == ScreeningAlert.Kind.RISK_CHANGED:
        message = (
            f"{subject}: the risk level of {entry} on "
            f"{record.watchlist.name} changed from {_risk_label(previous)} to "
            f"{_risk_label(record.risk_level)}"
        )
    elif kind == ScreeningAlert.Kind.ENTRY_REMOVED:
        message = (
            f"{subject}: the confirmed entry {entry} is no longer on "
            f"{record.watchlist.name}; decide whether the confirmation (and the assessment) stand"
        )
    elif kind == ScreeningAlert.Kind.ENTRY_CHANGED:
        message = (
            f"{subject}: the dismissed entry {entry} on "
            f"{record.watchlist.name} changed; please review it again"
        )
    else:
        message = f"{subject} may be {entry} on {record.watchlist.name} (score {record.score:.2f})"
    alert = ScreeningAlert.objects.create(
        request=record.request, match=record, kind=kind, message=message[:500]
    )
    notify_rescreening_alert(request=record.request, summary=alert.message, key=f"alert:{alert.pk}")
    summary.alerts += 1
    summary.notes.append(message)


def request_screen(*, request: PartnershipRequest, actor, reason: str, ip: str | None = None):
    """A person's "Screen now" (web or API): reviewers only; the screening is `screen_request`'s."""
    from ..workflow.rules import refuse_role

    refuse_role(actor, "screen")
    return screen_request(request=request, actor=actor, reason=reason, ip=ip)


def screen_request(
    *,
    request: PartnershipRequest,
    actor,
    alert: bool = False,
    reason: str = "on demand",
    ip: str | None = None,
) -> ScreeningSummary:
    """Screen every subject of a request (each partner by its name and native-script name,
    and what `request_subjects` adds: parents, sub-partners, funders, people); audited.

    The system's own screening (on submit, when a list changes) calls this directly; a person
    asking for a screening goes through `request_screen`, which checks who may."""
    summary = ScreeningSummary()
    now = timezone.now()
    with transaction.atomic():
        # One screening of a request at a time: two clicks on "Screen now" must not race.
        PartnershipRequest.objects.select_for_update().filter(pk=request.pk).exists()
        partners = request.partners.select_related("organisation", "request")
        versions = sorted(active_version_ids())
        partners.update(screened_at=now, screened_version_ids=versions)
        subjects = request_subjects(request, partners)
        for subject in subjects:
            if subject.kind == SubjectKind.PARTNER:
                summary.partners += 1
            else:
                summary.others += 1
            found = subject.find()
            for screened_name, match in found:
                _record_match(
                    request=request,
                    subject=subject,
                    screened_name=screened_name,
                    match=match,
                    now=now,
                    alert=alert,
                    summary=summary,
                )
            _close_unfound(
                matches=ScreeningMatch.objects.filter(request=request, subject_key=subject.key),
                found={
                    (m.entry.payload["version__watchlist_id"], m.entry.payload["external_id"])
                    for _, m in found
                },
                now=now,
                alert=alert,
                summary=summary,
            )
        # Subjects no longer part of the request (a funder or parent removed): open matches lapse.
        _close_unfound(
            matches=ScreeningMatch.objects.filter(request=request).exclude(
                subject_key__in=[subject.key for subject in subjects]
            ),
            found=set(),
            now=now,
            alert=False,
            summary=summary,
            gone="the subject is no longer part of the request.",
        )
        audit_record(
            actor=actor,
            action="screening.run",
            summary=(
                f"Screened {summary.partners} partner(s) "
                f"{f'and {summary.others} other subject(s) ' if summary.others else ''}"
                f"of {request.reference} ({reason}): "
                f"{summary.potential} potential match(es), {summary.new} new, "
                f"{summary.reapplied_dismissals} dismissal(s) re-applied, "
                f"{summary.lapsed} lapsed, {summary.alerts} alert(s)"
            ),
            obj=request,
            request=request,
            changes={
                "active_versions": list(active_version_ids()),
                "threshold": screening_threshold(),
                "alerts": summary.notes,
            },
            ip=ip,
        )
    return summary


def match_decide_refusal(actor, match: ScreeningMatch) -> str | None:
    """Reviewers decide matches, never on a request they registered or submitted."""
    from ..workflow.rules import action_role_refusal, segregation_refusal

    return action_role_refusal(actor, "match_decide") or segregation_refusal(
        actor, match.request, "decide its screening matches"
    )


def audit_subject(match: ScreeningMatch) -> str:
    """The subject as the audit trail may name it: never a person's name (audit events carry no
    personal data of people records), an organisation's label otherwise."""
    if match.subject_kind == SubjectKind.PERSON:
        return f"a person (match {match.pk})"
    if match.subject_kind == SubjectKind.AFFILIATION:
        return f"a person's declared affiliation (match {match.pk})"
    return match.subject_label


def audit_entry(match: ScreeningMatch) -> str:
    """The list entry as the audit trail may name it: by its id for a person's match (the
    listed name would tie the person to it in a trail that cannot be erased)."""
    if match.subject_kind in PEOPLE_SUBJECTS:
        return f"entry {match.external_id}"
    return f"'{match.matched_name}'"


MATCH_DECISIONS = {"confirm": MatchStatus.CONFIRMED, "dismiss": MatchStatus.DISMISSED}
REASON_MAX_LENGTH = 2000


def _decide(*, match: ScreeningMatch, actor, reason: str, status: str, ip=None) -> ScreeningMatch:
    from ..workflow.rules import refuse_role, segregation_refusal

    refuse_role(actor, "match_decide")
    refuse(segregation_refusal(actor, match.request, "decide its screening matches"))
    reason = (reason or "").strip()
    if not reason:
        raise Refusal.invalid(
            "Give a reason for the decision.",
            code="reason_required",
            fields={"reason": "Give a reason for the decision."},
        )
    if len(reason) > REASON_MAX_LENGTH:
        message = f"Keep the reason under {REASON_MAX_LENGTH} characters."
        raise Refusal.invalid(message, fields={"reason": message})
    now = timezone.now()
    with transaction.atomic():
        match = ScreeningMatch.objects.select_for_update().get(pk=match.pk)
        before = match.status
        match.status = status
        match.reviewer = actor
        match.reason = reason
        match.decided_at = now
        match.save(update_fields=["status", "reviewer", "reason", "decided_at"])
        dismissal_subject = match.dismissal_subject()
        if status == MatchStatus.DISMISSED and all(
            value is not None for value in dismissal_subject.values()
        ):
            ScreeningDismissal.objects.update_or_create(
                **dismissal_subject,
                watchlist=match.watchlist,
                external_id=match.external_id,
                fingerprint=match.fingerprint,
                defaults={"reason": reason, "dismissed_by": actor, "dismissed_at": now},
            )
        match.alerts.filter(cleared_at__isnull=True).update(cleared_at=now)
        about_person = match.subject_kind in PEOPLE_SUBJECTS
        audit_record(
            actor=actor,
            action=f"screening.match_{status}",
            summary=(
                f"{match.get_status_display()}: {audit_subject(match)} as "
                f"{audit_entry(match)} on {match.watchlist.name}"
            ),
            obj=match,
            request=match.request,
            # About a person, the reviewer's reason (free text, perhaps personal) stays on the
            # match, which the retention job can erase; the trail cannot be.
            changes={
                "status": [before, status],
                "reason": "(recorded on the match)" if about_person else reason,
                "entry": match.external_id,
            },
            ip=ip,
        )
        request = match.request
        if status == MatchStatus.CONFIRMED and before != MatchStatus.CONFIRMED:
            # A newly confirmed match changes what a recommendation or decision rested on:
            # the request goes back under review (a decision in force is reopened).
            from ..workflow import request_return_to_review

            request_return_to_review(
                actor=actor,
                request=request,
                reason=(
                    f"a screening match was confirmed: {audit_subject(match)} "
                    f"as {audit_entry(match)} on {match.watchlist.name}"
                ),
                ip=ip,
            )
    return match


def match_confirm(*, match: ScreeningMatch, actor, reason: str, ip=None) -> ScreeningMatch:
    """A reviewer confirms the subject is the listed body; the scoring policy then sees it."""
    return _decide(match=match, actor=actor, reason=reason, status=MatchStatus.CONFIRMED, ip=ip)


def match_dismiss(*, match: ScreeningMatch, actor, reason: str, ip=None) -> ScreeningMatch:
    """A reviewer dismisses a match; remembered until the entry's data changes."""
    return _decide(match=match, actor=actor, reason=reason, status=MatchStatus.DISMISSED, ip=ip)


def match_decide(*, match: ScreeningMatch, actor, decision: str, reason: str, ip=None):
    """Confirm or dismiss, as a form gives it: who may first, then the input."""
    from ..workflow.rules import refuse_role

    refuse_role(actor, "match_decide")
    if decision not in MATCH_DECISIONS:
        message = "Choose whether to confirm or dismiss the match."
        raise Refusal.invalid(message, fields={"decision": message})
    return _decide(match=match, actor=actor, reason=reason, status=MATCH_DECISIONS[decision], ip=ip)


def confirmed_matches(request: PartnershipRequest) -> list[ConfirmedMatch]:
    """The request's confirmed matches as plain data, for the scoring policy."""
    # A person's confirmed match is a gate (assessments.people), never points: scores do not
    # read anything about people. Nor does a match on a list whose legal effect is "prohibited
    # unless licensed" (a sanctions list): the law decides that one, through the sanctions gate
    # (assessments.legal), not the risk matrix.
    matches = (
        ScreeningMatch.objects.filter(request=request, status=MatchStatus.CONFIRMED)
        .exclude(subject_kind__in=PEOPLE_SUBJECTS)
        .exclude(watchlist__legal_effect=LegalEffect.PROHIBITED_UNLESS_LICENSED)
        .select_related("watchlist", "entry__version", "partner__organisation", "organisation")
    )
    return [
        ConfirmedMatch(
            list_name=m.watchlist.name,
            watchlist_id=m.watchlist_id,
            version_id=m.entry.version_id,
            version_number=m.entry.version.number,
            entry_external_id=m.external_id,
            entry_name=m.entry.name,
            risk_level=m.risk_level,
            blocking=m.watchlist.blocking,
            organisation_name=m.subject_name,
            subject_kind=m.subject_kind,
            subject_label=m.subject_label,
        )
        for m in matches.order_by("id")
    ]


# Statuses in which a new potential match puts the recommendation or decision under re-review.
REREVIEW_STATUSES = frozenset(
    {
        RequestStatus.RECOMMENDED,
        RequestStatus.AWAITING_SIGN_OFF,
        RequestStatus.APPROVED,
        RequestStatus.APPROVED_WITH_CONDITIONS,
        RequestStatus.DECLINED,
    }
)


def requests_under_rereview(queryset=None):
    """Recommended or decided requests with a potential match a reviewer has yet to resolve
    (gates keep potential matches out of recommendations and decisions, so any such match
    is new or changed since)."""
    queryset = PartnershipRequest.objects.all() if queryset is None else queryset
    return queryset.filter(
        status__in=REREVIEW_STATUSES,
        screening_matches__status=MatchStatus.POTENTIAL,
    ).distinct()


def request_under_rereview(request: PartnershipRequest) -> bool:
    return (
        request.status in REREVIEW_STATUSES
        and ScreeningMatch.objects.filter(request=request, status=MatchStatus.POTENTIAL).exists()
    )


def with_rereview_flag(queryset):
    """Annotate each request with `under_rereview`, in the list's own query (no query per row)."""
    potential = ScreeningMatch.objects.filter(request=OuterRef("pk"), status=MatchStatus.POTENTIAL)
    return queryset.annotate(
        under_rereview=ExpressionWrapper(
            Q(status__in=REREVIEW_STATUSES) & Q(Exists(potential)), output_field=BooleanField()
        )
    )


def requests_to_rescreen():
    """Open requests, and approved partnerships not yet ended whose review date has not
    passed."""
    today = timezone.localdate()
    approved = partnerships_in_force_q(today) & (
        Q(next_review_date__isnull=True) | Q(next_review_date__gte=today)
    )
    return PartnershipRequest.objects.filter(Q(status__in=OPEN_STATUSES) | approved).order_by("id")


@dataclass
class RescreenSummary:
    requests: int = 0
    alerts: int = 0
    new: int = 0


def rescreen_open_partnerships(*, actor=None, reason: str = "re-screening") -> RescreenSummary:
    """Re-screen every open request and live partnership, raising alerts for what is new."""
    total = RescreenSummary()
    for request in requests_to_rescreen().iterator(chunk_size=200):
        summary = screen_request(request=request, actor=actor, alert=True, reason=reason)
        total.requests += 1
        total.alerts += summary.alerts
        total.new += summary.new
    return total


def rescreen_after_activation(version: WatchlistVersion) -> RescreenSummary:
    """Called by the watchlist loader once a new version is active: the index is built here,
    once, for every worker of the machine, before any partner is re-screened."""
    prepare_screening_index()
    return rescreen_open_partnerships(
        reason=f"{version.watchlist.name} version {version.number} activated"
    )
