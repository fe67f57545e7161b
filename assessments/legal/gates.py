"""Each regime's gate in the workflow's gate list (assessments/gates.py).

The gates guard a decision and its sign-offs (not a recommendation: a reviewer may recommend
approval "once the licence is granted"). A regime's gate applies when the request's facts call
for a determination, or once one is recorded:

- export control: the requester says items, software or technology will be transferred, or that
  the work is export-controlled or dual-use;
- NSI Act: the IP arrangement is a licence or assignment of IP, or spin-out equity;
- FIRS: a partner or funder is in a country whose government is a specified foreign power today;
- sanctions: a confirmed match on a list whose legal effect is "prohibited unless licensed".
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.formats import date_format

from ..gates import Gate, gate_register
from ..models.legal import ExportOutcome, FirsOutcome, NsiNotificationStatus, NsiOutcome, Regime
from ..models.requests import IpKind, Transfer
from .reference import firs_specified_on
from .services import current_determinations, sanctions_licences, sanctions_matches

STEPS = ("decide", "sign_off")
EXPORT_TRANSFERS = frozenset({Transfer.ITEMS, Transfer.SOFTWARE, Transfer.TECHNOLOGY})
NSI_IP_KINDS = frozenset(
    {IpKind.BACKGROUND_LICENSED, IpKind.FOREGROUND_ASSIGNED, IpKind.SPIN_OUT_EQUITY}
)
LABELS = {
    "export_control": "Export control determined (and any licence recorded)",
    "nsi": "NSI Act determined (and any notification cleared)",
    "sanctions": "Sanctions: a licence for every confirmed sanctions match",
    "firs": "FIRS determined (and any registration recorded)",
}


def _determinations(request, context) -> dict:
    if "legal" not in context.cache:
        context.cache["legal"] = current_determinations(request)
    return context.cache["legal"]


def export_needed(request) -> bool:
    return bool(
        request.export_controlled
        or request.dual_use
        or EXPORT_TRANSFERS.intersection(request.transfers or [])
    )


def nsi_needed(request) -> bool:
    return request.ip_kind in NSI_IP_KINDS


def firs_countries(request, day=None) -> set[str]:
    """The countries of the request's partners and funders whose government is specified."""
    specified = set(
        firs_specified_on(day or timezone.localdate()).values_list("country", flat=True)
    )
    countries = set(request.partners.values_list("organisation__country", flat=True))
    countries |= set(request.funding_sources.values_list("country", flat=True))
    return specified & countries


def export_state(determination) -> tuple[bool, str]:
    """(satisfied, what is missing) for an export control determination."""
    if determination.outcome in (ExportOutcome.NOT_CONTROLLED, ExportOutcome.EXEMPT):
        return True, ""
    if not determination.licence_reference:
        return False, "export licence reference not recorded"
    expiry = determination.licence_expiry
    if expiry and expiry < timezone.localdate():
        return (
            False,
            f"export licence {determination.licence_reference} expired on {date_format(expiry, 'j M Y')}",
        )
    return True, ""


def nsi_state(determination) -> tuple[bool, str]:
    status = determination.notification_status
    if status == NsiNotificationStatus.CALLED_IN:
        return False, "the acquisition is called in by the ISU: no decision until it is cleared"
    if determination.outcome == NsiOutcome.NO_ACQUISITION:
        return True, ""
    if determination.outcome == NsiOutcome.ASSET_VOLUNTARY and not determination.notify:
        return True, ""
    if status != NsiNotificationStatus.CLEARED or not determination.isu_reference:
        kind = "mandatory" if determination.outcome == NsiOutcome.MANDATORY else "voluntary"
        return False, f"{kind} NSI notification not yet cleared by the ISU"
    return True, ""


def firs_state(determination) -> tuple[bool, str]:
    if determination.outcome == FirsOutcome.NOT_REGISTRABLE:
        return True, ""
    if not determination.registration_reference:
        due = determination.registration_due
        return False, "FIRS registration reference not recorded" + (
            f" (due by {date_format(due, 'j M Y')})" if due else ""
        )
    return True, ""


STATE = {Regime.EXPORT_CONTROL: export_state, Regime.NSI: nsi_state, Regime.FIRS: firs_state}


def _regime_gate(code, request, context, needed: bool, missing_sentence: str):
    determination = _determinations(request, context).get(code)
    if determination is None:
        if not needed:
            return None
        return Gate(code, LABELS[code], False, missing_sentence)
    satisfied, message = STATE[code](determination)
    return Gate(code, LABELS[code], satisfied, message)


@gate_register("export_control", LABELS["export_control"], steps=STEPS, order=50)
def _gate_export(request, context):
    return _regime_gate(
        Regime.EXPORT_CONTROL,
        request,
        context,
        export_needed(request),
        "export control not yet determined",
    )


@gate_register("nsi", LABELS["nsi"], steps=STEPS, order=51)
def _gate_nsi(request, context):
    return _regime_gate(
        Regime.NSI, request, context, nsi_needed(request), "NSI Act not yet determined"
    )


@gate_register("sanctions", LABELS["sanctions"], steps=STEPS, order=52)
def _gate_sanctions(request, context):
    matches = list(sanctions_matches(request))
    if not matches:
        return None
    licences = sanctions_licences(request)
    today = timezone.localdate()
    # A licence that has expired no longer permits the dealing.
    unlicensed = [
        match
        for match in matches
        if match.pk not in licences
        or (licences[match.pk].licence_expiry and licences[match.pk].licence_expiry < today)
    ]
    if not unlicensed:
        return Gate("sanctions", LABELS["sanctions"], True)
    names = ", ".join(sorted({match.partner.organisation.name for match in unlicensed}))
    return Gate(
        "sanctions",
        LABELS["sanctions"],
        False,
        f"{len(unlicensed)} confirmed sanctions {'match' if len(unlicensed) == 1 else 'matches'} "
        f"without a licence ({names}): record an OFSI or ECJU licence, or dismiss the match",
        len(unlicensed),
    )


@gate_register("firs", LABELS["firs"], steps=STEPS, order=53)
def _gate_firs(request, context):
    return _regime_gate(
        Regime.FIRS,
        request,
        context,
        bool(firs_countries(request)),
        "FIRS not yet determined (a partner or funder is in a country with a specified "
        "foreign power)",
    )
