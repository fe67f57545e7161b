"""The two-axis scoring policy (schema 2) as a pure function: policy and facts in, an explained
result out. No database, no Django models: the same inputs always give the same result.

Order of work:
1. hard rules: a confirmed match on a blocking list (not permissible without an exception)
   and floors (the lowest tier a confirmed match allows);
2. each factor's level on its axis, with the answer that caused it; one level per factor, the
   highest its facts imply, so the same fact stated twice counts once;
3. controls answered "met" with evidence lower the factors they control by one step (each
   factor at most one step, however many controls name it);
4. each axis is the highest level of its factors (not a sum); the matrix gives the tier;
   the tier never goes below a floor; the outcome follows the tier or the hard rule.
"""

from __future__ import annotations

from dataclasses import dataclass

from .factors import Factor
from .points import (
    ORGANISATION_TYPE_WORDS,
    TIER_LABELS,
    Facts,
    Result,
    _floor,
    _higher_tier,
    _names,
)
from .policy import (
    AXES,
    AXIS_LABELS,
    LEVEL_LABELS,
    OUTCOMES,
    PARTNER_LEVELS,
    SENSITIVITY_LEVELS,
    TIMES,
)

FACTOR_LABELS = dict(Factor.choices)
# How a factor is named in the one-line explanation of the cell.
SHORT = {
    Factor.NSI_SECTOR: "NSI Act area",
    Factor.EXPORT_CONTROL: "export-controlled technology",
    Factor.DUAL_USE: "dual use",
    Factor.RESEARCH_KIND: "applied research",
    Factor.TECHNOLOGY_READINESS: "technology readiness",
    Factor.PERSONAL_DATA: "personal data",
    Factor.DATA_LEAVES_UK: "data leaving the UK",
    Factor.DATA_LEAVES_PARTNER_COUNTRY: "data leaving the partner's country",
    Factor.LAB_ACCESS: "laboratory access",
    Factor.PEOPLE_EXCHANGED: "people exchanged",
    Factor.STAFF_TRAVEL: "staff travel",
    Factor.ACADEMIC_FREEDOM: "academic-freedom exposure",
    Factor.WATCHLIST_MATCH: "confirmed watchlist match",
    Factor.AFFILIATION_MATCH: "confirmed match on a parent organisation",
    Factor.PARTNER_TYPE: "military, security or government partner",
    Factor.JURISDICTION: "jurisdiction",
    Factor.FUNDING_PARTNER_GOVERNMENT: "partner-government funder",
    Factor.FUNDING_STATE_OWNED: "state-owned funder",
    Factor.FUNDING_MILITARY: "military or security funder",
    Factor.FUNDING_UNDISCLOSED: "undisclosed funding",
    Factor.FUNDING_DEPENDENCY: "dependency on one foreign funder",
}


@dataclass(frozen=True)
class FactorLevel:
    """One factor's level on its axis, why, and what a control made of it."""

    code: str
    axis: str
    level: str
    sentence: str
    lowered_to: str = ""
    lowered_by: tuple[str, ...] = ()

    @property
    def effective(self) -> str:
        return self.lowered_to or self.level

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "axis": self.axis,
            "level": self.level,
            "lowered_to": self.lowered_to,
            "lowered_by": list(self.lowered_by),
            "sentence": self.sentence,
        }


def _rank(axis: str, level: str) -> int:
    return AXES[axis].index(level)


def _band(bands: list[dict], value: int) -> str:
    level = ""
    for band in bands:
        if value >= band["at_least"]:
            level = band["level"]
    return level


class _Collector:
    """Candidate levels by factor; keeps, for each factor, the highest and every reason for it."""

    def __init__(self, axis: str):
        self.axis = axis
        self.found: dict[str, tuple[str, list[str]]] = {}

    def add(self, code: str, level: str, reason: str) -> None:
        if not level:
            return
        code = str(code)
        current = self.found.get(code)
        if current is None or _rank(self.axis, level) > _rank(self.axis, current[0]):
            self.found[code] = (level, [reason])
        elif level == current[0] and reason not in current[1]:
            current[1].append(reason)

    def levels(self) -> list[FactorLevel]:
        return [
            FactorLevel(code, self.axis, level, " ".join(reasons))
            for code, (level, reasons) in self.found.items()
        ]


def _sensitivity(policy: dict, facts: Facts) -> list[FactorLevel]:
    rules = policy["sensitivity"]
    found = _Collector("sensitivity")
    sectors = rules[Factor.NSI_SECTOR]
    for sector in sorted(set(facts.sectors), key=lambda s: s.code):
        level = sectors.get("by_sector", {}).get(sector.code, sectors["default"])
        found.add(
            Factor.NSI_SECTOR,
            level,
            f"The work falls in {sector.name}, an area of the National Security and "
            "Investment Act 2021.",
        )
    flags = [
        (
            Factor.EXPORT_CONTROL,
            facts.export_controlled,
            "The requester says the work involves export-controlled items or technology.",
        ),
        (
            Factor.DUAL_USE,
            facts.dual_use,
            "The requester says the results could have military as well as civil uses.",
        ),
        (Factor.PERSONAL_DATA, facts.personal_data, "The project handles personal data."),
        (Factor.DATA_LEAVES_UK, facts.data_leaves_uk, "Data will leave the UK."),
        (
            Factor.DATA_LEAVES_PARTNER_COUNTRY,
            facts.data_leaves_partner_country,
            "Data must leave the partner's country, where local law may block its export.",
        ),
        (
            Factor.LAB_ACCESS,
            facts.lab_access,
            "Visitors will have access to laboratories, equipment or unpublished results.",
        ),
        (
            Factor.STAFF_TRAVEL,
            facts.staff_travel,
            "Staff will travel to the partner's country.",
        ),
    ]
    for code, applies, sentence in flags:
        if applies:
            found.add(code, rules[code], sentence)
    if facts.research_kind in rules[Factor.RESEARCH_KIND]:
        kind = facts.research_kind
        found.add(
            Factor.RESEARCH_KIND,
            rules[Factor.RESEARCH_KIND][kind],
            "The requester describes the work as basic research (no specific practical aim)."
            if kind == "basic"
            else "The requester describes the work as applied research.",
        )
    readiness = {str(k): v for k, v in rules[Factor.TECHNOLOGY_READINESS].items()}
    if facts.technology_readiness in readiness:
        trl = facts.technology_readiness
        found.add(
            Factor.TECHNOLOGY_READINESS,
            readiness[trl],
            "The requester gives no technology readiness level: basic research."
            if trl == "basic"
            else f"The requester gives technology readiness level {trl} of 9.",
        )
    if facts.people_exchanged > 0:
        count = facts.people_exchanged
        found.add(
            Factor.PEOPLE_EXCHANGED,
            _band(rules[Factor.PEOPLE_EXCHANGED], count),
            f"{count} {'person is' if count == 1 else 'people are'} exchanged between the "
            "partners.",
        )
    if facts.academic_freedom_disciplines:
        found.add(
            Factor.ACADEMIC_FREEDOM,
            rules[Factor.ACADEMIC_FREEDOM],
            f"The work touches {_names(sorted(set(facts.academic_freedom_disciplines)))}, "
            "where self-censorship and narrowed topics are most often reported.",
        )
    return found.levels()


def _partner(policy: dict, facts: Facts) -> list[FactorLevel]:
    rules = policy["partner"]
    found = _Collector("partner")
    for match in facts.confirmed_matches:
        rating = (
            "listed"
            if match.risk_level == "listed"
            else f"rated {TIER_LABELS.get(match.risk_level, match.risk_level).lower()} risk"
        )
        if match.subject_kind == "ancestor":
            # The parent is listed, not the partner: an affiliation, under its own factor.
            levels = rules.get(Factor.AFFILIATION_MATCH) or rules[Factor.WATCHLIST_MATCH]
            found.add(
                Factor.AFFILIATION_MATCH,
                levels.get(match.risk_level, ""),
                f"The {match.subject_label} is confirmed as “{match.entry_name}” on "
                f"{match.list_name} (version {match.version_number}), {rating}: an "
                "affiliation of the partner.",
            )
            continue
        found.add(
            Factor.WATCHLIST_MATCH,
            rules[Factor.WATCHLIST_MATCH].get(match.risk_level, ""),
            f"{match.organisation_name} is confirmed as “{match.entry_name}” on "
            f"{match.list_name} (version {match.version_number}), {rating}.",
        )
    for partner in sorted(set(facts.partners), key=lambda p: (p.name, p.org_type)):
        kind = ORGANISATION_TYPE_WORDS.get(partner.org_type, partner.org_type)
        found.add(
            Factor.PARTNER_TYPE,
            rules[Factor.PARTNER_TYPE].get(partner.org_type, ""),
            f"{partner.name} is {kind}.",
        )
    countries = {country.code: country for country in facts.countries}
    located = [(p.name, p.country, "partner") for p in facts.partners]
    located += [(f.name or "an unnamed funder", f.country, "funder") for f in facts.funders]
    for name, code, role in sorted(set(located)):
        country = countries.get(code)
        if country is None:
            continue
        found.add(
            Factor.JURISDICTION,
            rules[Factor.JURISDICTION].get(country.level, ""),
            f"The {role} {name} is in {country.name}, which the country context table rates "
            f"{LEVEL_LABELS.get(country.level, country.level)}"
            + (f"; source: {country.source_note}." if country.source_note else "."),
        )
    funders = sorted(set(facts.funders), key=lambda f: (f.name, f.funder_type))
    by_type = [
        (Factor.FUNDING_PARTNER_GOVERNMENT, "partner_government", "the partner's government"),
        (Factor.FUNDING_STATE_OWNED, "state_owned", "a state-owned body"),
        (Factor.FUNDING_MILITARY, "military", "a military or security body"),
    ]
    for code, funder_type, words in by_type:
        names = [f.name or "an unnamed funder" for f in funders if f.funder_type == funder_type]
        if names:
            found.add(code, rules[code], f"Funding comes from {words} ({_names(names)}).")
    undisclosed = [f.name or "a funder" for f in funders if f.undisclosed]
    if undisclosed:
        found.add(
            Factor.FUNDING_UNDISCLOSED,
            rules[Factor.FUNDING_UNDISCLOSED],
            f"The origin of some funding is not disclosed ({_names(undisclosed)}).",
        )
    share = facts.largest_foreign_share
    if share:
        found.add(
            Factor.FUNDING_DEPENDENCY,
            _band(rules[Factor.FUNDING_DEPENDENCY], share),
            f"The requester says {share}% of the project's funding comes from its largest "
            "foreign source.",
        )
    return found.levels()


@dataclass(frozen=True)
class ControlApplied:
    ref_id: str
    axis: str
    answer: str
    lowered: tuple[str, ...]
    sentence: str

    def as_dict(self) -> dict:
        return {
            "ref_id": self.ref_id,
            "axis": self.axis,
            "answer": self.answer,
            "lowered": list(self.lowered),
            "sentence": self.sentence,
        }


def _controls(
    policy: dict, facts: Facts, levels: list[FactorLevel]
) -> tuple[list[FactorLevel], list[ControlApplied]]:
    """Apply the controls met with evidence; each factor drops at most one step."""
    answers = {answer.ref_id: answer for answer in facts.answers}
    by_code = {level.code: level for level in levels}
    lowered_by: dict[str, list[str]] = {}
    applied = []
    for ref_id, control in sorted(policy.get("controls", {}).items()):
        axis = control["axis"]
        bottom = AXES[axis][0]
        targets = [
            code
            for code in control["factors"]
            if code in by_code and by_code[code].axis == axis and by_code[code].level != bottom
        ]
        if not targets:
            continue  # the control does not apply to this request
        answer = answers.get(ref_id)
        given = answer.answer if answer else ""
        met = given == "met" and answer.evidence
        if met:
            for code in targets:
                lowered_by.setdefault(code, []).append(ref_id)
            names = _names([SHORT.get(code, code) for code in targets])
            sentence = f"{ref_id} met with evidence: lowers {names} by one step."
        else:
            reason = {
                "met": "met but without evidence, so it lowers nothing",
                "unsure": "unsure, counted as not met",
                "partly_met": "partly met, which lowers nothing",
                "not_met": "not met",
                "not_applicable": "marked not applicable, though its risk is present",
                "": "not answered",
            }.get(given, given)
            sentence = f"{ref_id} applies ({_names([SHORT.get(c, c) for c in targets])}): {reason}."
        applied.append(ControlApplied(ref_id, axis, given, tuple(targets) if met else (), sentence))
    result = []
    for level in levels:
        refs = lowered_by.get(level.code)
        if refs:
            steps = AXES[level.axis]
            lowered = steps[max(0, steps.index(level.level) - 1)]
            level = FactorLevel(
                level.code, level.axis, level.level, level.sentence, lowered, tuple(refs)
            )
        result.append(level)
    return result, applied


def controls_applying(policy: dict, facts: Facts) -> list[str]:
    """The policy's controls whose risks the facts present (what a review must answer)."""
    if "controls" not in policy:
        return []
    levels = _sensitivity(policy, facts) + _partner(policy, facts)
    _, applied = _controls(policy, facts, levels)
    return [control.ref_id for control in applied]


def _axis_level(axis: str, levels: list[FactorLevel], *, after: bool) -> tuple[str, list]:
    steps = AXES[axis]
    on_axis = [lv for lv in levels if lv.axis == axis]
    value = steps[0]
    for level in on_axis:
        candidate = level.effective if after else level.level
        if steps.index(candidate) > steps.index(value):
            value = candidate
    causes = [lv for lv in on_axis if (lv.effective if after else lv.level) == value]
    return value, causes


def _axis_words(axis: str, level: str, before: str, causes: list[FactorLevel]) -> str:
    words = f"{AXIS_LABELS[axis]} {LEVEL_LABELS[level]}"
    reasons = sorted({SHORT.get(c.code, c.code) for c in causes}) if level != AXES[axis][0] else []
    if before != level:
        reasons.append(f"lowered from {LEVEL_LABELS[before]} by controls")
    return f"{words} ({'; '.join(reasons)})" if reasons else words


def matrix_score(*, policy: dict, facts: Facts) -> Result:
    """Score one request's facts under a schema 2 policy, explaining the cell and each level."""
    floor, floor_reason = _floor(policy, facts)
    # A blocking list blocks the body it lists: a parent's match is an affiliation factor.
    blocking = sorted(
        {
            m.list_name
            for m in facts.confirmed_matches
            if m.blocking and m.subject_kind != "ancestor"
        }
    )
    levels, controls = _controls(
        policy, facts, _sensitivity(policy, facts) + _partner(policy, facts)
    )
    sensitivity_before, _ = _axis_level("sensitivity", levels, after=False)
    partner_before, _ = _axis_level("partner", levels, after=False)
    sensitivity, s_causes = _axis_level("sensitivity", levels, after=True)
    partner, p_causes = _axis_level("partner", levels, after=True)
    cell = policy["matrix"][sensitivity][partner]
    tier = _higher_tier(cell, floor)
    outcome = policy["outcomes"][tier]
    if blocking:
        outcome = "not_permissible_without_exception"
    first = _axis_words("sensitivity", sensitivity, sensitivity_before, s_causes)
    summary = (
        f"{first[0].upper()}{first[1:]}"
        f" {TIMES} {_axis_words('partner', partner, partner_before, p_causes)} ⇒ "
        f"{LEVEL_LABELS[cell]}"
    )
    if tier != cell:
        summary += f", raised to {LEVEL_LABELS[tier]} by a floor ({floor_reason})"
    summary += f"; {OUTCOMES[outcome].lower()}"
    if blocking:
        summary += f" (confirmed match on the blocking list {_names(blocking)})"
    summary += "."
    route = policy["routes"][tier]
    explanation = {
        "schema": 2,
        "summary": summary,
        "sensitivity": sensitivity,
        "sensitivity_before_controls": sensitivity_before,
        "partner": partner,
        "partner_before_controls": partner_before,
        "cell_tier": cell,
        "cell_tier_before_controls": policy["matrix"][sensitivity_before][partner_before],
        "outcome": outcome,
        "outcome_label": OUTCOMES[outcome],
        "controls": [control.as_dict() for control in controls],
    }
    order = {"sensitivity": SENSITIVITY_LEVELS, "partner": PARTNER_LEVELS}
    levels.sort(key=lambda lv: (lv.axis != "sensitivity", -order[lv.axis].index(lv.level)))
    return Result(
        inherent=None,
        mitigation=None,
        residual=None,
        tier=tier,
        route_code=route["code"],
        route_label=route["label"],
        floor=floor,
        floor_reason=floor_reason,
        not_permissible_without_exception=bool(blocking),
        factors=tuple(levels),
        schema=2,
        outcome=outcome,
        explanation=explanation,
    )
