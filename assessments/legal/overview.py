"""A request's legal determinations as people read them: one section per regime, with why it
applies, the determination in force (or as at the decision), its history and its gate. The
request's legal page, the audit report and the API share it."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone

from ..models import LegalDetermination
from ..models.legal import Regime
from .gates import STATE, export_needed, firs_countries, nsi_needed
from .reference import export_rating_labels
from .services import current_determinations, sanctions_licences, sanctions_matches

GUIDANCE = {
    Regime.EXPORT_CONTROL: "legal-export-control",
    Regime.NSI: "legal-nsi-act",
    Regime.SANCTIONS: "legal-sanctions",
    Regime.FIRS: "legal-firs",
}


@dataclass
class Section:
    regime: str
    label: str
    applies: bool
    why: str
    determination: LegalDetermination | None = None
    satisfied: bool = True
    missing: str = ""
    history: list[LegalDetermination] = field(default_factory=list)
    matches: list = field(default_factory=list)  # sanctions: (match, licence or None)
    guidance_slug: str = ""

    @property
    def status(self) -> str:
        if not self.applies and self.determination is None and not self.matches:
            return "Not needed"
        if self.determination is None and not self.matches:
            return "To determine"
        return "Satisfied" if self.satisfied else "Open"


def _why_export(request) -> str:
    parts = []
    transfers = [t for t in request.transfers or [] if t != "data"]
    if transfers:
        parts.append("the requester says " + ", ".join(transfers) + " will be transferred")
    if request.export_controlled:
        parts.append("the request is marked export-controlled")
    if request.dual_use:
        parts.append("the request is marked dual-use")
    return "; ".join(parts)


def rating_labels(codes) -> list[str]:
    labels = export_rating_labels()
    return [labels.get(code, code) for code in codes]


def legal_overview(request, *, at=None) -> list[Section]:
    """The four sections; with `at`, the determinations as they stood then (a decided request's
    as at its decision)."""
    current = current_determinations(request, at=at)
    history = list(
        LegalDetermination.objects.filter(request=request)
        .select_related("recorded_by", "nsi_version", "match__watchlist")
        .prefetch_related("evidence")
        .order_by("-recorded_at", "-id")
    )
    if at is not None:
        history = [record for record in history if record.recorded_at <= at]
    for record in [*history, *current.values()]:
        record.rating_labels = rating_labels(record.ratings)
    sections = []
    specs = [  # export control and the NSI Act; sanctions and FIRS follow
        (Regime.EXPORT_CONTROL, export_needed(request), _why_export(request)),
        (
            Regime.NSI,
            nsi_needed(request),
            f"the IP arrangement is “{request.get_ip_kind_display().lower()}”"
            if nsi_needed(request)
            else "",
        ),
    ]
    countries = firs_countries(request)
    for regime, needed, why in specs:
        sections.append(_section(regime, needed, why, current, history))
    matches = list(sanctions_matches(request))
    licences = sanctions_licences(request, at=at)
    sanctions = Section(
        regime=Regime.SANCTIONS,
        label=Regime.SANCTIONS.label,
        applies=bool(matches),
        why=f"{len(matches)} confirmed match(es) on a list whose legal effect is prohibited "
        "unless licensed"
        if matches
        else "",
        matches=[(match, licences.get(match.pk)) for match in matches],
        history=[r for r in history if r.regime == Regime.SANCTIONS],
        guidance_slug=GUIDANCE[Regime.SANCTIONS],
    )
    sanctions.satisfied = all(
        licence and not licence_expired(licence) for _match, licence in sanctions.matches
    )
    if not sanctions.satisfied:
        sanctions.missing = "a confirmed sanctions match has no licence"
    sections.insert(2, sanctions)
    sections.append(
        _section(
            Regime.FIRS,
            bool(countries),
            "a partner or funder is in a country with a specified foreign power ("
            + ", ".join(sorted(countries))
            + ")"
            if countries
            else "",
            current,
            history,
        )
    )
    return sections


def _section(regime, needed, why, current, history) -> Section:
    determination = current.get(regime)
    section = Section(
        regime=regime,
        label=Regime(regime).label,
        applies=needed,
        why=why,
        determination=determination,
        history=[
            r for r in history if r.regime == regime and r.pk != getattr(determination, "pk", None)
        ],
        guidance_slug=GUIDANCE[regime],
    )
    if determination is not None:
        section.satisfied, section.missing = STATE[regime](determination)
    elif needed:
        section.satisfied, section.missing = False, "not yet determined"
    return section


def licence_expired(determination) -> bool:
    expiry = determination.licence_expiry if determination else None
    return bool(expiry and expiry < timezone.localdate())


def decided_at(request):
    """When the request's standing decision was made (None while undecided): its report shows
    the determinations as they stood then."""
    if not request.is_decided:
        return None
    decision = request.decisions.filter(superseded=False).order_by("-created_at", "-id").first()
    return decision.created_at if decision else None
