"""Recording legal determinations: one service per state change, each locked, checked and
audited in one transaction.

Reviewers record them (ACTION_ROLES["record_legal"]), never on a request they registered or
submitted. A determination is recorded while the request is in review, recommended or awaiting
sign-off, and also once it is decided (a renewed licence, an ISU decision that arrives later).
Recording again supersedes the previous record: the old one stays, as history.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from ukcn.refusals import Refusal, refuse

from ..audit import audit_record
from ..models import (
    Attachment,
    LegalAlert,
    LegalDetermination,
    LegalEffect,
    MatchStatus,
    PartnershipRequest,
    RequestStatus,
    ScreeningMatch,
)
from ..models.legal import (
    ExemptionBasis,
    ExportOutcome,
    FirsOutcome,
    FirsTier,
    LicenceIssuer,
    LicenceType,
    NsiNotificationStatus,
    NsiOutcome,
    Regime,
)
from ..workflow.rules import _locked, action_role_refusal, refuse_role, segregation_refusal
from .reference import (
    export_lists_source,
    export_rating_labels,
    firs_specified_on,
    nsi_version_on,
)

# Registration windows, counted from the day the arrangement is made (that day is day one).
FIRS_DAYS = {FirsTier.ENHANCED: 10, FirsTier.POLITICAL: 28}
RECORDABLE_STATUSES = frozenset(
    {
        RequestStatus.SUBMITTED,
        RequestStatus.UNDER_REVIEW,
        RequestStatus.RECOMMENDED,
        RequestStatus.AWAITING_SIGN_OFF,
        RequestStatus.APPROVED,
        RequestStatus.APPROVED_WITH_CONDITIONS,
        RequestStatus.DECLINED,
    }
)
REQUIRED = "This is required."


@dataclass
class ExportInput:
    outcome: str
    reasoning: str = ""
    ratings: list[str] = field(default_factory=list)
    exemption_basis: str = ""
    licence_type: str = ""
    licence_reference: str = ""
    licence_expiry: date | None = None
    advisory_reference: str = ""


@dataclass
class NsiInput:
    outcome: str
    reasoning: str = ""
    areas: list[str] = field(default_factory=list)
    notify: bool | None = None
    notification_status: str = ""
    isu_reference: str = ""


@dataclass
class FirsInput:
    outcome: str
    reasoning: str = ""
    tier: str = ""
    foreign_power: str = ""
    arrangement_date: date | None = None
    activity_start_date: date | None = None
    registration_reference: str = ""


@dataclass
class SanctionsLicenceInput:
    issuer: str
    reference: str
    expiry: date | None = None
    reasoning: str = ""


# --- checks on the input (no database writes) ---------------------------------------------------


def export_input_validate(data: ExportInput) -> dict[str, str]:
    errors: dict[str, str] = {}
    if data.outcome not in ExportOutcome.values:
        return {"outcome": "Choose an outcome."}
    unknown = [code for code in data.ratings if code not in export_rating_labels()]
    if unknown:
        errors["ratings"] = f"Not a control list heading: {', '.join(unknown)}."
    if not data.reasoning.strip():
        errors["reasoning"] = {
            ExportOutcome.NOT_CONTROLLED: "Say why nothing shared is on the control lists.",
            ExportOutcome.EXEMPT: "Say why the exemption applies.",
            ExportOutcome.CATCH_ALL: "Say what end-use concern is known or was notified.",
            ExportOutcome.LICENCE_REQUIRED: "Say what needs the licence.",
        }[data.outcome]
    if data.outcome == ExportOutcome.EXEMPT and data.exemption_basis not in ExemptionBasis.values:
        errors["exemption_basis"] = "Choose the basis: public domain or basic scientific research."
    if data.outcome == ExportOutcome.LICENCE_REQUIRED and not data.ratings:
        errors["ratings"] = "Pick the control list heading(s) the licence is for."
    licensed = data.outcome in (ExportOutcome.CATCH_ALL, ExportOutcome.LICENCE_REQUIRED)
    if licensed and data.licence_reference.strip() and data.licence_type not in LicenceType.values:
        errors["licence_type"] = "Choose the type of licence the reference is for."
    if not licensed and (data.licence_reference.strip() or data.licence_expiry):
        errors["licence_reference"] = "A licence is recorded only when one is required."
    if data.licence_expiry and not data.licence_reference.strip():
        errors["licence_reference"] = "Give the licence reference with its expiry date."
    return errors


def nsi_input_validate(data: NsiInput, *, version) -> dict[str, str]:
    errors: dict[str, str] = {}
    if data.outcome not in NsiOutcome.values:
        return {"outcome": "Choose an outcome."}
    if not data.reasoning.strip():
        errors["reasoning"] = "Say what is (or is not) acquired, and by whom."
    known = version.area_names() if version else {}
    unknown = [code for code in data.areas if code not in known]
    if unknown:
        errors["areas"] = f"Not an NSI Act area in force today: {', '.join(unknown)}."
    status = data.notification_status
    if status and status not in NsiNotificationStatus.values:
        errors["notification_status"] = "Choose a notification status."
    if data.outcome == NsiOutcome.ASSET_VOLUNTARY:
        if data.notify is None:
            errors["notify"] = "Record whether the office notifies voluntarily."
        elif data.notify and status in ("", NsiNotificationStatus.NOT_NOTIFIED):
            errors["notification_status"] = "Record where the voluntary notification stands."
        elif not data.notify and status not in ("", NsiNotificationStatus.NOT_NOTIFIED):
            errors["notification_status"] = "Without a notification there is no ISU outcome."
    elif data.outcome == NsiOutcome.MANDATORY:
        if data.outcome == NsiOutcome.MANDATORY and not data.areas:
            errors["areas"] = "Pick the sensitive area(s) the entity is active in."
    elif status not in ("", NsiNotificationStatus.NOT_NOTIFIED) or data.isu_reference.strip():
        errors["notification_status"] = "No qualifying acquisition: nothing to notify."
    notified = status in (
        NsiNotificationStatus.NOTIFIED,
        NsiNotificationStatus.CLEARED,
        NsiNotificationStatus.CALLED_IN,
    )
    if notified and not data.isu_reference.strip():
        errors["isu_reference"] = "Give the ISU's reference for the notification."
    return errors


def firs_due(tier: str, arrangement: date, activity_start: date | None) -> date:
    """The last day to register: enhanced, 10 days from the arrangement or before any activity
    under it if sooner (the day before it starts); political influence, 28 days."""
    due = arrangement + timedelta(days=FIRS_DAYS[tier] - 1)
    if tier == FirsTier.ENHANCED and activity_start is not None:
        due = min(due, activity_start - timedelta(days=1))
    return due


def firs_input_validate(data: FirsInput) -> dict[str, str]:
    errors: dict[str, str] = {}
    if data.outcome not in FirsOutcome.values:
        return {"outcome": "Choose an outcome."}
    if not data.reasoning.strip():
        errors["reasoning"] = "Say who directs what, or why the scheme does not apply."
    if data.outcome == FirsOutcome.NOT_REGISTRABLE:
        if data.registration_reference.strip():
            errors["registration_reference"] = "Not registrable: there is no registration."
        return errors
    if data.tier not in FirsTier.values:
        errors["tier"] = "Choose the tier."
    if data.arrangement_date is None:
        errors["arrangement_date"] = "Give the day the arrangement is (or will be) made."
    if data.tier == FirsTier.ENHANCED:
        day = data.arrangement_date or timezone.localdate()
        names = set(firs_specified_on(day).values_list("name", flat=True))
        if data.foreign_power not in names:
            errors["foreign_power"] = (
                "Choose the specified foreign power (" + ", ".join(sorted(names)) + ")."
                if names
                else "No foreign power is specified on that day: the enhanced tier cannot apply."
            )
    if (
        data.activity_start_date
        and data.arrangement_date
        and data.activity_start_date < data.arrangement_date
    ):
        errors["activity_start_date"] = "Activity cannot start before the arrangement is made."
    return errors


# --- the services -------------------------------------------------------------------------------


def legal_record_refusal(actor, request: PartnershipRequest) -> str | None:
    """Why this user may not record determinations on this request now; None when they may
    (for showing forms; the services check it again under the lock)."""
    if refusal := action_role_refusal(actor, "record_legal"):
        return refusal
    if request.status not in RECORDABLE_STATUSES:
        return (
            "Legal determinations are recorded once a request is submitted, and not on a "
            f"request that is {request.get_status_display().lower()}."
        )
    return segregation_refusal(actor, request, "record its legal determinations")


def _check(actor, request: PartnershipRequest) -> PartnershipRequest:
    """Role, state and segregation of duties, on the locked request."""
    refuse_role(actor, "record_legal")
    current = _locked(request)
    refuse(legal_record_refusal(actor, current))
    return current


def _evidence(request: PartnershipRequest, evidence) -> list[Attachment]:
    attachments = list(evidence or [])
    if any(attachment.request_id != request.pk for attachment in attachments):
        raise Refusal.invalid(
            "Evidence must be an attachment of this request.", fields={"evidence": "Not found."}
        )
    return attachments


def _invalid(errors: dict[str, str]) -> None:
    if errors:
        raise Refusal.invalid(
            "The determination is incomplete: " + " ".join(errors.values()), fields=errors
        )


def _plain(value):
    """A value as the audit trail stores it (a reference version by its code)."""
    if hasattr(value, "_meta"):
        return getattr(value, "code", None) or str(value.pk)
    return value


def _save(
    *, actor, request, regime, values: dict, evidence, summary: str, match=None, ip=None
) -> LegalDetermination:
    previous = LegalDetermination.objects.filter(
        request=request, regime=regime, superseded=False, match=match
    )
    before = previous.first()
    previous.update(superseded=True)
    determination = LegalDetermination.objects.create(
        request=request,
        regime=regime,
        match=match,
        recorded_by=actor,
        recorded_at=timezone.now(),
        **values,
    )
    determination.evidence.set(evidence)
    # A new record answers the alerts raised on the one it supersedes (an expired licence).
    LegalAlert.objects.filter(
        request=request, determination__regime=regime, cleared_at__isnull=True
    ).exclude(determination=determination).update(cleared_at=determination.recorded_at)
    changes = {
        key: [_plain(getattr(before, key, None)) if before else None, _plain(value)]
        for key, value in values.items()
        if value not in ("", None, [])
    }
    if evidence:
        changes["evidence"] = [None, [attachment.original_name for attachment in evidence]]
    audit_record(
        actor=actor,
        action=f"legal.{regime}.recorded",
        summary=f"{summary} on {request.reference}",
        obj=determination,
        request=request,
        changes=changes,
        ip=ip,
    )
    return determination


def _record(
    *, actor, request, regime, values: dict, evidence, summary: str, match=None, ip=None
) -> LegalDetermination:
    """Lock the request, check who may record now, and save the record with its evidence."""
    with transaction.atomic():
        current = _check(actor, request)
        if match is not None and not sanctions_matches(current).filter(pk=match.pk).exists():
            raise Refusal.invalid(
                "A sanctions licence is recorded against a confirmed match of this request on a "
                "list whose legal effect is prohibited unless licensed.",
                fields={"match": "Not such a match."},
            )
        return _save(
            actor=actor,
            request=current,
            regime=regime,
            values=values,
            evidence=_evidence(current, evidence),
            summary=summary,
            match=match,
            ip=ip,
        )


def export_determination_record(
    *, actor, request: PartnershipRequest, data: ExportInput, evidence=(), ip=None
) -> LegalDetermination:
    """Record the export control determination (a licence reference is recorded by recording
    the determination again with it)."""
    _invalid(export_input_validate(data))
    licensed = data.outcome in (ExportOutcome.CATCH_ALL, ExportOutcome.LICENCE_REQUIRED)
    values = {
        "outcome": data.outcome,
        "reasoning": data.reasoning.strip(),
        "ratings": list(dict.fromkeys(data.ratings)),
        "ratings_source": export_lists_source() if data.ratings else "",
        "exemption_basis": data.exemption_basis if data.outcome == ExportOutcome.EXEMPT else "",
        "licence_type": data.licence_type if licensed else "",
        "licence_reference": data.licence_reference.strip() if licensed else "",
        "licence_expiry": data.licence_expiry if licensed else None,
        "advisory_reference": data.advisory_reference.strip(),
    }
    return _record(
        actor=actor,
        request=request,
        regime=Regime.EXPORT_CONTROL,
        values=values,
        evidence=evidence,
        summary=f"Export control: {ExportOutcome(data.outcome).label.lower()}",
        ip=ip,
    )


def nsi_determination_record(
    *, actor, request: PartnershipRequest, data: NsiInput, evidence=(), ip=None
) -> LegalDetermination:
    """Record the NSI Act determination, against the area version in force today."""
    version = nsi_version_on(timezone.localdate())
    _invalid(nsi_input_validate(data, version=version))
    names = version.area_names() if version else {}
    values = {
        "outcome": data.outcome,
        "reasoning": data.reasoning.strip(),
        "nsi_version": version,
        "nsi_areas": [{"code": code, "name": names[code]} for code in dict.fromkeys(data.areas)],
        "notify": data.notify if data.outcome == NsiOutcome.ASSET_VOLUNTARY else None,
        "notification_status": data.notification_status,
        "isu_reference": data.isu_reference.strip(),
    }
    return _record(
        actor=actor,
        request=request,
        regime=Regime.NSI,
        values=values,
        evidence=evidence,
        summary=f"NSI Act: {NsiOutcome(data.outcome).label.lower()}",
        ip=ip,
    )


def firs_determination_record(
    *, actor, request: PartnershipRequest, data: FirsInput, evidence=(), ip=None
) -> LegalDetermination:
    """Record the FIRS determination; a registrable arrangement gets its registration deadline."""
    _invalid(firs_input_validate(data))
    registrable = data.outcome == FirsOutcome.REGISTRABLE
    enhanced = registrable and data.tier == FirsTier.ENHANCED
    values = {
        "outcome": data.outcome,
        "reasoning": data.reasoning.strip(),
        "firs_tier": data.tier if registrable else "",
        "foreign_power": data.foreign_power if enhanced else "",
        "arrangement_date": data.arrangement_date if registrable else None,
        "activity_start_date": data.activity_start_date if registrable else None,
        "registration_due": firs_due(data.tier, data.arrangement_date, data.activity_start_date)
        if registrable
        else None,
        "registration_reference": data.registration_reference.strip() if registrable else "",
    }
    return _record(
        actor=actor,
        request=request,
        regime=Regime.FIRS,
        values=values,
        evidence=evidence,
        summary=f"FIRS: {FirsOutcome(data.outcome).label.lower()}",
        ip=ip,
    )


def sanctions_matches(request: PartnershipRequest):
    """The request's confirmed matches on lists whose legal effect is prohibited unless
    licensed: each needs a licence (or, if it is not the designated body, a dismissal)."""
    return (
        ScreeningMatch.objects.filter(
            partner__request=request,
            status=MatchStatus.CONFIRMED,
            watchlist__legal_effect=LegalEffect.PROHIBITED_UNLESS_LICENSED,
        )
        .select_related("watchlist", "partner__organisation")
        .order_by("id")
    )


def sanctions_licence_record(
    *,
    actor,
    request: PartnershipRequest,
    match: ScreeningMatch,
    data: SanctionsLicenceInput,
    evidence=(),
    ip=None,
) -> LegalDetermination:
    """Record the licence that permits dealing with a sanctioned party despite a confirmed
    match: from OFSI for financial sanctions, from ECJU for trade sanctions."""
    errors = {}
    if data.issuer not in LicenceIssuer.values:
        errors["issuer"] = (
            "Choose who issued the licence: OFSI or ECJU (the FCDO does not license)."
        )
    if not data.reference.strip():
        errors["reference"] = "Give the licence reference."
    _invalid(errors)
    values = {
        "outcome": "licensed",
        "reasoning": data.reasoning.strip(),
        "licence_issuer": data.issuer,
        "licence_reference": data.reference.strip(),
        "licence_expiry": data.expiry,
    }
    return _record(
        actor=actor,
        request=request,
        regime=Regime.SANCTIONS,
        values=values,
        evidence=evidence,
        summary=f"Sanctions licence ({LicenceIssuer(data.issuer).label.split(' ')[0]}) "
        f"recorded for a match on {match.watchlist.name}",
        match=match,
        ip=ip,
    )


# --- reading --------------------------------------------------------------------------------------


def current_determinations(
    request: PartnershipRequest, *, at=None
) -> dict[str, LegalDetermination]:
    """The determination of each regime (not sanctions) in force now, or as it stood at `at`
    (a decided request's determinations as at its decision)."""
    records = LegalDetermination.objects.filter(request=request, match__isnull=True)
    if at is not None:
        records = records.filter(recorded_at__lte=at)
    else:
        records = records.filter(superseded=False)
    found: dict[str, LegalDetermination] = {}
    for record in records.select_related("nsi_version", "recorded_by").order_by(
        "-recorded_at", "-id"
    ):
        found.setdefault(record.regime, record)
    return found


def sanctions_licences(request: PartnershipRequest, *, at=None) -> dict[int, LegalDetermination]:
    """The licence recorded for each sanctions match (by match id), now or as at `at`."""
    records = LegalDetermination.objects.filter(request=request, regime=Regime.SANCTIONS)
    records = (
        records.filter(recorded_at__lte=at) if at is not None else records.filter(superseded=False)
    )
    found: dict[int, LegalDetermination] = {}
    for record in records.select_related("recorded_by").order_by("-recorded_at", "-id"):
        found.setdefault(record.match_id, record)
    return found
