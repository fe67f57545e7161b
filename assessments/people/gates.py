"""The people's gates: every required ATAS certificate recorded, every determination known,
no confirmed sanctions match on a person. (ATAS is a gate, never points: the people are not
an input of the risk assessment.)"""

from ..gates import Gate, _plural, gate_register
from ..models import LegalEffect, PersonMatch
from .atas import Outcome
from .status import request_standings

ATAS_LABEL = "Every ATAS certificate a person needs recorded"
SANCTIONS_LABEL = "No confirmed sanctions match on a person"


@gate_register("atas_certificates", ATAS_LABEL, order=50)
def _gate_atas(request, context):
    standings = request_standings(request)
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
    return Gate("atas_certificates", ATAS_LABEL, False, "; ".join(parts), len(missing) + len(unknown))


def _open_person_matches(request):
    return PersonMatch.objects.filter(person__request=request, person__erased_at__isnull=True)


@gate_register("people_sanctions", SANCTIONS_LABEL, order=25)
def _gate_people_sanctions(request, context):
    matches = _open_person_matches(request)
    if not request.people.exists():
        return None
    potential = matches.filter(status="potential").count()
    confirmed = matches.filter(
        status="confirmed",
        watchlist__legal_effect=LegalEffect.PROHIBITED_UNLESS_LICENSED,
    ).count()
    if not potential and not confirmed:
        return Gate("people_sanctions", SANCTIONS_LABEL, True)
    parts = []
    if potential:
        parts.append(f"{_plural(potential, 'person match', 'person matches')} to resolve")
    if confirmed:
        parts.append(
            f"{_plural(confirmed, 'confirmed sanctions match', 'confirmed sanctions matches')} "
            "on a person (a licence or a legal determination is needed)"
        )
    return Gate("people_sanctions", SANCTIONS_LABEL, False, "; ".join(parts), potential + confirmed)
