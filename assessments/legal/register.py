"""The legal register: every licence requirement, NSI notification and FIRS registration
across the portfolio, with due and expiry dates; and the scheduled reminders before a licence
expires or a FIRS deadline passes, with an alert when a decided request's licence has expired.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format

from ..models import LegalAlert, LegalDetermination, NotificationKind, RequestStatus
from ..models.legal import ExportOutcome, FirsOutcome, NsiOutcome, Regime
from ..models.requests import DECIDED_STATUSES
from ..notifications.delivery import Message, notification_send
from ..notifications.events import _link, _reviewers_of, _users, _visible_only
from .gates import STATE
from .services import sanctions_matches

# How long before a licence expires, and before a FIRS deadline, the reminders start.
LICENCE_WARNING_DAYS = 30
FIRS_WARNING_DAYS = 5
LIVE_STATUSES = frozenset(RequestStatus.values) - {RequestStatus.WITHDRAWN, RequestStatus.DECLINED}

KINDS = {
    "export_licence": "Export licence",
    "sanctions_licence": "Sanctions licence",
    "nsi_notification": "NSI notification",
    "firs_registration": "FIRS registration",
}
STATES = {"open": "Open", "expiring": "Expires soon", "expired": "Expired", "satisfied": "In place"}


@dataclass(frozen=True)
class RegisterRow:
    kind: str
    state: str
    request: object
    what: str
    reference: str
    due: date | None
    expiry: date | None
    recorded_by: str
    recorded_at: object

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind]

    @property
    def state_label(self) -> str:
        return STATES[self.state]


def _licence_state(satisfied: bool, expiry: date | None, today: date) -> str:
    if expiry and expiry < today:
        return "expired"
    if not satisfied:
        return "open"
    if expiry and expiry <= today + timedelta(days=LICENCE_WARNING_DAYS):
        return "expiring"
    return "satisfied"


def _row(record, kind, state, what, reference, due=None, expiry=None) -> RegisterRow:
    return RegisterRow(
        kind=kind,
        state=state,
        request=record.request,
        what=what,
        reference=reference,
        due=due,
        expiry=expiry,
        recorded_by=record.recorded_by.get_username(),
        recorded_at=record.recorded_at,
    )


def register_rows(requests, *, today: date | None = None) -> list[RegisterRow]:
    """The register over `requests` (those the reader may see), soonest date first."""
    today = today or timezone.localdate()
    requests = requests.filter(status__in=LIVE_STATUSES)
    records = (
        LegalDetermination.objects.filter(request__in=requests, superseded=False)
        .select_related("request__department", "recorded_by", "match__partner__organisation")
        .order_by("id")
    )
    rows = []
    for record in records:
        if record.regime == Regime.EXPORT_CONTROL and record.outcome in (
            ExportOutcome.CATCH_ALL,
            ExportOutcome.LICENCE_REQUIRED,
        ):
            satisfied, _ = STATE[Regime.EXPORT_CONTROL](record)
            what = record.get_licence_type_display() or record.outcome_label
            rows.append(
                _row(
                    record,
                    "export_licence",
                    _licence_state(satisfied, record.licence_expiry, today),
                    what,
                    record.licence_reference,
                    expiry=record.licence_expiry,
                )
            )
        elif record.regime == Regime.SANCTIONS:
            rows.append(
                _row(
                    record,
                    "sanctions_licence",
                    _licence_state(True, record.licence_expiry, today),
                    f"{record.get_licence_issuer_display()} for "
                    f"{record.match.partner.organisation.name}",
                    record.licence_reference,
                    expiry=record.licence_expiry,
                )
            )
        elif record.regime == Regime.NSI and (
            record.outcome == NsiOutcome.MANDATORY or record.notify
        ):
            satisfied, _ = STATE[Regime.NSI](record)
            rows.append(
                _row(
                    record,
                    "nsi_notification",
                    "satisfied" if satisfied else "open",
                    f"{record.outcome_label}: "
                    f"{record.get_notification_status_display() or 'not notified'}",
                    record.isu_reference,
                )
            )
        elif record.regime == Regime.FIRS and record.outcome == FirsOutcome.REGISTRABLE:
            registered = bool(record.registration_reference)
            rows.append(
                _row(
                    record,
                    "firs_registration",
                    "satisfied" if registered else "open",
                    record.get_firs_tier_display(),
                    record.registration_reference,
                    due=None if registered else record.registration_due,
                )
            )
    licensed = set(
        LegalDetermination.objects.filter(
            request__in=requests, regime=Regime.SANCTIONS, superseded=False
        ).values_list("match_id", flat=True)
    )
    for pr in requests.filter(partners__screening_matches__status="confirmed").distinct():
        for match in sanctions_matches(pr):
            if match.pk in licensed:
                continue
            rows.append(
                RegisterRow(
                    kind="sanctions_licence",
                    state="open",
                    request=pr,
                    what=f"Licence needed for {match.partner.organisation.name} "
                    f"({match.watchlist.name})",
                    reference="",
                    due=None,
                    expiry=None,
                    recorded_by="",
                    recorded_at=match.decided_at,
                )
            )
    far = date.max
    return sorted(rows, key=lambda row: (row.due or row.expiry or far, row.request.reference))


def register_filter(rows, *, kind: str = "", state: str = "") -> list[RegisterRow]:
    if kind:
        rows = [row for row in rows if row.kind == kind]
    if state == "open":
        rows = [row for row in rows if row.state != "satisfied"]
    elif state:
        rows = [row for row in rows if row.state == state]
    return rows


REGISTER_COLUMNS = [
    "Request",
    "Title",
    "Department",
    "Request status",
    "Kind",
    "State",
    "What",
    "Reference",
    "Due",
    "Expires",
    "Recorded by",
]


def register_table(rows) -> list[list]:
    return [
        [
            row.request.reference,
            row.request.title,
            row.request.department.name,
            row.request.get_status_display(),
            row.kind_label,
            row.state_label,
            row.what,
            row.reference,
            row.due,
            row.expiry,
            row.recorded_by,
        ]
        for row in rows
    ]


# --- reminders and alerts -----------------------------------------------------------------------


def _short(day) -> str:
    return date_format(day, "j M Y")


def _long(day) -> str:
    return date_format(day, "j F Y")


def _notify(record, *, key: str, title: str, body: str) -> list:
    request = record.request
    return notification_send(
        kind=NotificationKind.LEGAL_DEADLINE,
        event_key=f"request:{request.pk}:legal:{key}",
        recipients=_users(_reviewers_of(request)),
        compose=_visible_only(
            request, lambda recipient: Message(title=title, body=body, link=_link(request))
        ),
    )


def legal_reminders_send(*, now=None) -> dict[str, int]:
    """Remind the request's reviewer (or the reviewers' queue) before an export or sanctions
    licence expires and before a FIRS registration falls due; raise an alert, once, when the
    export licence of a decided request has expired. Safe to run again."""
    today = timezone.localdate(now)
    counts = {"licences": 0, "firs": 0, "alerts": 0}
    current = LegalDetermination.objects.filter(
        superseded=False, request__status__in=LIVE_STATUSES
    ).select_related("request", "request__reviewer")
    expiring = current.filter(
        licence_expiry__isnull=False,
        licence_expiry__gte=today,
        licence_expiry__lte=today + timedelta(days=LICENCE_WARNING_DAYS),
    )
    for record in expiring.exclude(licence_reference=""):
        counts["licences"] += bool(
            _notify(
                record,
                key=f"{record.pk}:expires:{record.licence_expiry.isoformat()}",
                title=f"Licence {record.licence_reference} on {record.request.reference} "
                f"expires on {_short(record.licence_expiry)}",
                body=f"The {record.get_regime_display().lower()} licence "
                f"{record.licence_reference} for {record.request.reference} "
                f"“{record.request.title}” expires on {_long(record.licence_expiry)}. "
                "Apply to renew it, or record that the work under it has ended.",
            )
        )
    due = current.filter(
        regime=Regime.FIRS,
        outcome=FirsOutcome.REGISTRABLE,
        registration_reference="",
        registration_due__lte=today + timedelta(days=FIRS_WARNING_DAYS),
    )
    for record in due:
        passed = record.registration_due < today
        counts["firs"] += bool(
            _notify(
                record,
                key=f"{record.pk}:firs-due:{record.registration_due.isoformat()}"
                + (":passed" if passed else ""),
                title=f"FIRS registration for {record.request.reference} "
                + ("was due" if passed else "is due")
                + f" by {_short(record.registration_due)}",
                body=f"The arrangement of {record.request.reference} “{record.request.title}” "
                f"is registrable under FIRS ({record.get_firs_tier_display().lower()}) and must "
                f"be registered with the Home Office by {_long(record.registration_due)}. "
                "Record the registration reference once it is made.",
            )
        )
    expired = current.filter(
        regime=Regime.EXPORT_CONTROL,
        request__status__in=DECIDED_STATUSES,
        licence_expiry__lt=today,
    ).exclude(licence_reference="")
    for record in expired:
        counts["alerts"] += licence_expired_alert(record, now=now)
    return counts


def licence_expired_alert(record, *, now=None) -> int:
    """Raise the expired-licence alert of a decided request once; tell its reviewers."""
    message = (
        f"Export licence {record.licence_reference} of {record.request.reference} expired on "
        f"{_short(record.licence_expiry)}; the partnership was decided under it."
    )[:500]
    try:
        with transaction.atomic():
            LegalAlert.objects.create(
                request=record.request,
                determination=record,
                kind=LegalAlert.Kind.LICENCE_EXPIRED,
                message=message,
                created_at=now or timezone.now(),
            )
    except IntegrityError:
        return 0
    _notify(
        record,
        key=f"{record.pk}:expired",
        title=f"Export licence expired on {record.request.reference}",
        body=message + " Renew the licence and record the new reference, or stop the "
        "transfers it covered.",
    )
    return 1


def job_remind_legal_deadlines(*, now) -> str:
    counts = legal_reminders_send(now=now)
    return (
        f"{counts['licences']} licence(s) expiring, {counts['firs']} FIRS registration(s) due, "
        f"{counts['alerts']} expired-licence alert(s)"
    )
