"""The ATAS determination of one person: not required, required, or unknown, with its reasons.

Nationality is used here only as ATAS itself uses it (the exempt nationalities of Appendix ATAS);
nothing else in ukcn reads a person's nationality, and no score does.

The lists (exempt nationalities, CAH3 subject codes, SOC 2020 occupation codes) are data: the
newest `AtasListVersion` in effect on the day, or, when the office has loaded none, the version
shipped with ukcn from `assessments/data/uk-reference/atas.yaml` (confirmed codes only, marked
incomplete). The determination names the version it used.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

import yaml
from django.utils import timezone

from ..models import AtasListVersion, ImmigrationRoute, PersonCategory

SHIPPED_FILE = Path(__file__).resolve().parent.parent / "data" / "uk-reference" / "atas.yaml"
SHIPPED_LABEL = "shipped 2026-12-02 (confirmed codes only)"

EU = [
    *("AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE"),
    *("IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE"),
]
EU_EEA = [*EU, "IS", "LI", "NO"]
NAMED_EXEMPT = {
    "Australia": "AU",
    "Canada": "CA",
    "Japan": "JP",
    "New Zealand": "NZ",
    "Singapore": "SG",
    "South Korea (Republic of Korea)": "KR",
    "United States of America": "US",
}


class Outcome:
    NOT_REQUIRED = "not_required"
    REQUIRED = "required"
    UNKNOWN = "unknown"

    LABELS = {
        NOT_REQUIRED: "ATAS certificate not required",
        REQUIRED: "ATAS certificate required",
        UNKNOWN: "ATAS determination unknown",
    }


# Routes ATAS does not apply to (Appendix ATAS as summarised in atas.yaml, who_needs_it_by_route).
ROUTES_NOT_APPLYING = {
    ImmigrationRoute.BRITISH_IRISH: "British and Irish citizens do not need ATAS",
    ImmigrationRoute.SETTLED: "people with settled (indefinite leave) or pre-settled status do "
    "not need ATAS",
    ImmigrationRoute.GLOBAL_TALENT: "ATAS does not apply to the Global Talent route",
    ImmigrationRoute.NOT_COMING: "ATAS does not apply to someone not coming to the UK",
}
# Work routes where, for researchers, the occupation (SOC) code also decides.
WORK_ROUTES = {
    ImmigrationRoute.SKILLED_WORKER,
    ImmigrationRoute.GAE,
    ImmigrationRoute.OTHER_TEMPORARY_WORK,
}


@dataclass(frozen=True)
class AtasLists:
    label: str
    effective_from: date
    exempt_countries: frozenset[str]
    cah3_codes: frozenset[str]
    soc_codes: frozenset[str]
    complete: bool
    version_id: int | None = None  # None for the shipped version


@dataclass(frozen=True)
class Determination:
    outcome: str
    reasons: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # named facts that would decide it
    list_label: str = ""

    @property
    def label(self) -> str:
        return Outcome.LABELS[self.outcome]

    @property
    def explanation(self) -> str:
        text = "; ".join(self.reasons)
        if self.missing:
            text = (text + "; " if text else "") + "missing: " + ", ".join(self.missing)
        return f"{text} (ATAS lists: {self.list_label})"

    def as_dict(self) -> dict:
        return {
            "outcome": self.outcome,
            "label": self.label,
            "reasons": self.reasons,
            "missing": self.missing,
            "list_version": self.list_label,
        }


@lru_cache(maxsize=1)
def shipped_lists() -> AtasLists:
    """The lists shipped with ukcn, read from the sourced reference file."""
    data = yaml.safe_load(SHIPPED_FILE.read_text(encoding="utf-8"))
    exempt = {"GB", *EU_EEA, "CH"}
    for item in data["exempt_nationalities"]["list"]:
        if "country" in item:
            exempt.add(NAMED_EXEMPT[item["country"]])
    cah3 = {row["code"] for row in data["cah3_scope"]["cah3_codes_confirmed"]}
    soc = {str(row["code"]) for row in data["soc2020_scope"]["codes_confirmed"]}
    return AtasLists(
        label=SHIPPED_LABEL,
        effective_from=date.fromisoformat(data["header"]["compiled_on"]),
        exempt_countries=frozenset(exempt),
        cah3_codes=frozenset(cah3),
        soc_codes=frozenset(soc),
        complete=False,
    )


def lists_from_version(version: AtasListVersion) -> AtasLists:
    return AtasLists(
        label=str(version),
        effective_from=version.effective_from,
        exempt_countries=frozenset(c.upper() for c in version.exempt_countries),
        cah3_codes=frozenset(normalise_cah3(c) for c in version.cah3_codes),
        soc_codes=frozenset(str(c).strip() for c in version.soc_codes),
        complete=version.complete,
        version_id=version.pk,
    )


def atas_lists(on: date | None = None) -> AtasLists:
    """The lists in effect on a day (today by default): the office's newest version, or the
    shipped one when none is in effect."""
    on = on or timezone.localdate()
    version = AtasListVersion.objects.filter(effective_from__lte=on).first()
    return lists_from_version(version) if version else shipped_lists()


def normalise_cah3(code: str) -> str:
    return (code or "").strip().upper()


def _country_names(codes) -> str:
    return ", ".join(sorted(codes))


def atas_determine(person, lists: AtasLists | None = None) -> Determination:
    """Decide whether the person needs an ATAS certificate, and say why."""
    lists = lists or atas_lists()
    label = lists.label
    reasons: list[str] = []
    missing: list[str] = []

    # 1. Not coming to the UK, or a status/route ATAS does not apply to.
    route = person.immigration_route
    if person.coming_to_uk is False:
        route = ImmigrationRoute.NOT_COMING
    if route in ROUTES_NOT_APPLYING:
        return Determination(Outcome.NOT_REQUIRED, [ROUTES_NOT_APPLYING[route]], [], label)
    if route == ImmigrationRoute.DEPENDANT and person.category != PersonCategory.STUDENT:
        return Determination(
            Outcome.NOT_REQUIRED,
            ["researchers on a dependant route do not need ATAS (dependants who study do)"],
            [],
            label,
        )

    # 2. Exempt nationality (any one of several is enough: dual nationals are exempt).
    nationalities = [code.upper() for code in (person.nationalities or [])]
    exempt = [code for code in nationalities if code in lists.exempt_countries]
    if exempt:
        return Determination(
            Outcome.NOT_REQUIRED,
            [f"holds an exempt nationality ({_country_names(exempt)}); ATAS is by nationality"],
            [],
            label,
        )
    if not nationalities:
        missing.append("nationality")
    if not route:
        missing.append("immigration status or route")

    # 3. Scope: the subject (CAH3), and for researchers on work routes the occupation (SOC).
    subject_in = _code_in_scope(
        normalise_cah3(person.cah3_code), lists.cah3_codes, lists, "CAH3 subject code", missing
    )
    needs_soc = route in WORK_ROUTES and person.category != PersonCategory.STUDENT
    occupation_in = True
    if needs_soc:
        occupation_in = _code_in_scope(
            (person.soc_code or "").strip(), lists.soc_codes, lists, "job (SOC 2020) code", missing
        )
    if subject_in is False or occupation_in is False:
        which = "subject" if subject_in is False else "occupation"
        return Determination(
            Outcome.NOT_REQUIRED, [f"the {which} is not in the ATAS scope list"], [], label
        )
    if missing:
        return Determination(Outcome.UNKNOWN, reasons, missing, label)
    reasons.append(f"no exempt nationality ({_country_names(nationalities)})")
    reasons.append(f"on a route ATAS applies to ({ImmigrationRoute(route).label})")
    reasons.append(f"subject {normalise_cah3(person.cah3_code)} is in the ATAS scope")
    if needs_soc:
        reasons.append(f"occupation {person.soc_code.strip()} is in the ATAS scope")
    return Determination(Outcome.REQUIRED, reasons, [], label)


def _code_in_scope(code: str, scope: frozenset[str], lists: AtasLists, name: str, missing: list):
    """True/False when the list decides; None (and a named missing fact) when it cannot."""
    if not code:
        missing.append(name)
        return None
    if code in scope:
        return True
    if lists.complete:
        return False
    missing.append(
        f"whether {name} {code} is in Appendix ATAS (the list version in use holds only the "
        "confirmed codes: load the full list)"
    )
    return None
