"""The people's gates: every required ATAS certificate recorded, every determination known,
no confirmed sanctions match on a person. (ATAS is a gate, never points: the people are not
an input of the risk assessment.)"""

from ..gates import Gate, _plural, gate_register
from ..models import LegalEffect, MatchStatus, ScreeningMatch
from ..models.screening import PEOPLE_SUBJECTS
from .atas import Outcome
from .status import request_people, request_standings


def _people(request, context) -> list:
    """The request's people, read once for all the gates of one call."""
    if "people" not in context.cache:
        context.cache["people"] = request_people(request)
    return context.cache["people"]


ATAS_LABEL = "Every ATAS certificate a person needs recorded"
SANCTIONS_LABEL = "No confirmed sanctions match on a person"


@gate_register("atas_certificates", ATAS_LABEL, order=50)
def _gate_atas(request, context):
    standings = request_standings(request, people=_people(request, context))
    if not standings:
        return None
    missing = [s.person.reference for s in standings if s.certificate_missing]
    unknown = [s for s in standings if s.determination.outcome == Outcome.UNKNOWN]
    if not missing and not unknown:
        return Gate("atas_certificates", ATAS_LABEL, True)
    parts = []
    if missing:
        parts.append(
            f"{_plural(len(missing), 'ATAS certificate', 'ATAS certificates')} to record "
            f"({', '.join(missing)})"
        )
    if unknown:
        parts.append(
            f"{_plural(len(unknown), 'ATAS determination', 'ATAS determinations')} unknown "
            f"({'; '.join(s.person.reference + ': missing ' + ', '.join(s.determination.missing) for s in unknown)})"
        )
    return Gate(
        "atas_certificates", ATAS_LABEL, False, "; ".join(parts), len(missing) + len(unknown)
    )


@gate_register("people_sanctions", SANCTIONS_LABEL, order=25)
def _gate_people_sanctions(request, context):
    """Potential matches of people are counted by the screening gate with every other subject;
    this gate holds while a person is unscreened (added or renamed since) or has a confirmed
    match on a sanctions list."""
    people = _people(request, context)
    if not people:
        return None
    unscreened = [p for p in people if p.screened_at is None or p.updated_at > p.screened_at]
    confirmed = ScreeningMatch.objects.filter(
        request=request,
        subject_kind__in=PEOPLE_SUBJECTS,
        status=MatchStatus.CONFIRMED,
        watchlist__legal_effect=LegalEffect.PROHIBITED_UNLESS_LICENSED,
    ).count()
    if not unscreened and not confirmed:
        return Gate("people_sanctions", SANCTIONS_LABEL, True)
    parts = []
    if unscreened:
        parts.append(
            f"{_plural(len(unscreened), 'person', 'people')} not screened since entered or "
            "changed: screen again"
        )
    if confirmed:
        parts.append(
            f"{_plural(confirmed, 'confirmed sanctions match', 'confirmed sanctions matches')} "
            "on a person (a licence or a legal determination is needed)"
        )
    return Gate(
        "people_sanctions", SANCTIONS_LABEL, False, "; ".join(parts), len(unscreened) + confirmed
    )
