"""The risk-scoring policy as a pure function: policy and facts in, an explained assessment out.

No database access and no Django models here: the same inputs always give the same result,
which is what lets a past decision be explained exactly as it was made.

Order of work: hard rules first (floors, blocking lists), then arithmetic (inherent points,
checklist mitigation, residual score), then the tier, which can never drop below a floor.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from fractions import Fraction

from .factors import Factor
from .scoring_policy import (  # noqa: F401 - re-exported: callers import them from here
    ANSWER_CREDIT,
    ANSWERS,
    FLAT_WEIGHTS,
    ORGANISATION_TYPES,
    RISK_LEVELS,
    TIER_LABELS,
    TIERS,
    PolicyError,
    policy_schema,
    policy_validate,
)

# ---------------------------------------------------------------------------------------
# Facts: what is known about one request, as plain data
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConfirmedMatch:
    """A partner confirmed by a reviewer to be a watchlist entry."""

    list_name: str
    watchlist_id: int
    version_id: int
    version_number: int
    entry_external_id: str
    entry_name: str
    risk_level: str
    blocking: bool
    organisation_name: str
    # What the confirmed name belongs to (ScreeningMatch.subject_kind): "partner" by default;
    # "ancestor" is a parent of a partner (an affiliation, not the partner itself).
    subject_kind: str = "partner"
    subject_label: str = ""


@dataclass(frozen=True)
class SectorFact:
    code: str
    name: str


@dataclass(frozen=True)
class FunderFact:
    name: str
    funder_type: str
    undisclosed: bool = False
    country: str = ""


@dataclass(frozen=True)
class PartnerFact:
    name: str
    org_type: str
    country: str = ""


@dataclass(frozen=True)
class CountryFact:
    """One row of the office's country context table, as it stood when the request was scored."""

    code: str
    name: str
    level: str
    source_note: str = ""


@dataclass(frozen=True)
class AnswerFact:
    """One checklist item's answer; an empty answer means not answered yet. `evidence` is
    true when the answer names its evidence (notes or an attachment)."""

    ref_id: str
    weight: int
    answer: str = ""
    evidence: bool = False


@dataclass(frozen=True)
class Facts:
    confirmed_matches: tuple[ConfirmedMatch, ...] = ()
    sectors: tuple[SectorFact, ...] = ()
    export_controlled: bool = False
    dual_use: bool = False
    personal_data: bool = False
    data_leaves_uk: bool = False
    data_leaves_partner_country: bool = False
    funders: tuple[FunderFact, ...] = ()
    people_exchanged: int = 0
    lab_access: bool = False
    staff_travel: bool = False
    academic_freedom_disciplines: tuple[str, ...] = ()
    partners: tuple[PartnerFact, ...] = ()
    answers: tuple[AnswerFact, ...] = ()
    # Asked at intake since the two-axis policy: "basic" or "applied"; "basic" or "1".."9";
    # the share (%) of the project's funding from its largest foreign source.
    research_kind: str = ""
    technology_readiness: str = ""
    largest_foreign_share: int | None = None
    # The country context rows for the partners' and funders' countries.
    countries: tuple[CountryFact, ...] = ()

    def as_dict(self) -> dict:
        return asdict(self)


# ---------------------------------------------------------------------------------------
# Result
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoredFactor:
    code: str
    points: int
    sentence: str

    def as_dict(self) -> dict:
        return {"code": self.code, "points": self.points, "sentence": self.sentence}


@dataclass(frozen=True)
class Result:
    """What a policy says about the facts. Schema 1 policies fill the points (inherent,
    mitigation, residual, factors); schema 2 policies leave them None and fill the axes,
    the outcome and `explanation` (see scoring_matrix.py)."""

    inherent: int | None
    mitigation: int | None
    residual: int | None
    tier: str
    route_code: str
    route_label: str
    floor: str
    floor_reason: str
    not_permissible_without_exception: bool
    factors: tuple = field(default=())
    schema: int = 1
    outcome: str = ""
    explanation: dict = field(default_factory=dict)


# ---------------------------------------------------------------------------------------
# Scoring
# ---------------------------------------------------------------------------------------


def _names(items) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _higher_tier(first: str, second: str) -> str:
    if not first:
        return second
    if not second:
        return first
    return max(first, second, key=TIERS.index)


def _watchlist_factors(policy: dict, facts: Facts) -> list[ScoredFactor]:
    weights = policy["weights"]
    found = []
    for match in facts.confirmed_matches:
        level = TIER_LABELS.get(match.risk_level, "listed").lower()
        rating = "listed" if match.risk_level == "listed" else f"rated {level} risk"
        found.append(
            ScoredFactor(
                Factor.WATCHLIST_MATCH.value,
                weights["watchlist_match"].get(match.risk_level, 0),
                f"{match.organisation_name} is confirmed as “{match.entry_name}” on "
                f"{match.list_name} (version {match.version_number}), {rating}.",
            )
        )
        if match.blocking:
            found.append(
                ScoredFactor(
                    Factor.BLOCKING_LIST.value,
                    weights[Factor.BLOCKING_LIST.value],
                    f"{match.list_name} is configured as blocking, so the match on "
                    f"{match.organisation_name} makes the request not permissible "
                    "without an exception.",
                )
            )
    return found


def _sector_factors(policy: dict, facts: Facts) -> list[ScoredFactor]:
    sector_weights = policy["weights"]["nsi_sector"]
    found = []
    for sector in sorted(set(facts.sectors), key=lambda s: s.code):
        points = sector_weights.get("by_sector", {}).get(sector.code, sector_weights["default"])
        found.append(
            ScoredFactor(
                Factor.NSI_SECTOR.value,
                points,
                f"The work falls in {sector.name}, a sensitive sector under the National "
                "Security and Investment Act 2021.",
            )
        )
    return found


def _funding_factors(policy: dict, facts: Facts) -> list[ScoredFactor]:
    weights = policy["weights"]
    rules = [
        (
            Factor.FUNDING_PARTNER_GOVERNMENT,
            [
                f.name or "an unnamed funder"
                for f in facts.funders
                if f.funder_type == "partner_government"
            ],
            "Funding comes from the partner's government ({names}), which can create "
            "dependency and influence over the research.",
        ),
        (
            Factor.FUNDING_MILITARY,
            [f.name or "an unnamed funder" for f in facts.funders if f.funder_type == "military"],
            "Funding comes from a military or security body ({names}).",
        ),
        (
            Factor.FUNDING_UNDISCLOSED,
            [f.name or "a funder" for f in facts.funders if f.undisclosed],
            "The origin of some funding is not disclosed ({names}), so who pays for the "
            "work cannot be checked.",
        ),
    ]
    return [
        ScoredFactor(
            code.value, weights[code.value], sentence.format(names=_names(sorted(set(names))))
        )
        for code, names, sentence in rules
        if names
    ]


def _flag_factors(policy: dict, facts: Facts) -> list[ScoredFactor]:
    weights = policy["weights"]
    rules = [
        (
            Factor.EXPORT_CONTROL,
            facts.export_controlled,
            "The work involves export-controlled items or technology, which may need a licence.",
        ),
        (
            Factor.DUAL_USE,
            facts.dual_use,
            "The results could have military as well as civil uses (dual use).",
        ),
        (Factor.PERSONAL_DATA, facts.personal_data, "The project handles personal data."),
        (
            Factor.DATA_LEAVES_UK,
            facts.data_leaves_uk,
            "Data will leave the UK, so UK data-protection duties follow it abroad.",
        ),
        (
            Factor.DATA_LEAVES_PARTNER_COUNTRY,
            facts.data_leaves_partner_country,
            "Data must leave the partner's country, where local data laws may block its export.",
        ),
        (
            Factor.LAB_ACCESS,
            facts.lab_access,
            "Visitors will have access to laboratories, equipment or unpublished results.",
        ),
        (
            Factor.STAFF_TRAVEL,
            facts.staff_travel,
            "Staff will travel to the partner's country, with risks to their physical "
            "and digital safety.",
        ),
    ]
    return [
        ScoredFactor(code.value, weights[code.value], sentence)
        for code, applies, sentence in rules
        if applies
    ]


def _people_and_subject_factors(policy: dict, facts: Facts) -> list[ScoredFactor]:
    weights = policy["weights"]
    found = []
    if facts.people_exchanged > 0:
        people = weights["people_exchanged"]
        points = min(facts.people_exchanged * people["per_person"], people["max"])
        count = facts.people_exchanged
        found.append(
            ScoredFactor(
                Factor.PEOPLE_EXCHANGED.value,
                points,
                f"{count} {'person is' if count == 1 else 'people are'} exchanged between "
                f"the partners ({people['per_person']} per person, at most {people['max']}).",
            )
        )
    if facts.academic_freedom_disciplines:
        found.append(
            ScoredFactor(
                Factor.ACADEMIC_FREEDOM.value,
                weights[Factor.ACADEMIC_FREEDOM.value],
                f"The work touches {_names(sorted(set(facts.academic_freedom_disciplines)))}, "
                "where self-censorship and narrowed topics are most often reported.",
            )
        )
    by_type = weights["partner_type"]
    for partner in sorted(set(facts.partners), key=lambda p: (p.name, p.org_type)):
        points = by_type.get(partner.org_type, 0)
        if points:
            kind = ORGANISATION_TYPE_WORDS.get(partner.org_type, partner.org_type)
            found.append(
                ScoredFactor(Factor.PARTNER_TYPE.value, points, f"{partner.name} is {kind}.")
            )
    return found


ORGANISATION_TYPE_WORDS = {
    "government": "a government body",
    "military": "a military or security body",
    "defence_industry": "a defence-industry company",
    "company": "a company",
    "research_institute": "a research institute",
    "university": "a university",
    "other": "an organisation of another kind",
}


def _mitigation(policy: dict, facts: Facts, inherent: int) -> tuple[int, ScoredFactor | None]:
    """Points the checklist removes: a share of the inherent score, capped by the policy."""
    applicable = [a for a in facts.answers if a.answer != "not_applicable"]
    possible = sum(2 * a.weight for a in applicable)
    if not facts.answers:
        return 0, None
    credit = sum(a.weight * ANSWER_CREDIT.get(a.answer, 0) for a in applicable)
    share = Fraction(credit, possible) if possible else Fraction(0)
    max_percent = policy["mitigation"]["max_percent"]
    points = int(inherent * share * Fraction(max_percent, 100))
    counts = {kind: sum(1 for a in facts.answers if a.answer == kind) for kind in (*ANSWERS, "")}
    parts = [f"{counts['met']} met", f"{counts['partly_met']} partly met"]
    parts.append(f"{counts['not_met']} not met")
    if counts["unsure"]:
        parts.append(f"{counts['unsure']} unsure (counted as not met)")
    if counts[""]:
        parts.append(f"{counts['']} not answered (counted as not met)")
    if counts["not_applicable"]:
        parts.append(f"{counts['not_applicable']} not applicable")
    sentence = (
        f"Good practice in place: {', '.join(parts)}; {round(float(share) * 100)}% of the "
        f"weighted checklist, so mitigation removes {points} of at most "
        f"{max_percent}% of the inherent score."
    )
    return points, ScoredFactor(Factor.CHECKLIST_MITIGATION.value, -points, sentence)


def _tier_for(policy: dict, residual: int) -> str:
    tier = "low"
    for name in TIERS[1:]:
        if residual >= policy["thresholds"][name]:
            tier = name
    return tier


def _floor(policy: dict, facts: Facts) -> tuple[str, str]:
    """The lowest tier the hard rules allow, and why; empty when no rule applies."""
    floors = policy["floors"]
    floor, reason = "", ""
    for match in facts.confirmed_matches:
        candidates = [
            (
                floors.get("watchlist_risk_level", {}).get(match.risk_level, ""),
                f"confirmed match on {match.list_name} entry “{match.entry_name}”, rated "
                f"{TIER_LABELS.get(match.risk_level, 'listed').lower()} risk",
            ),
            (
                floors.get("blocking_list", "") if match.blocking else "",
                f"confirmed match on the blocking list {match.list_name}",
            ),
        ]
        for tier, why in candidates:
            if tier and _higher_tier(floor, tier) != floor:
                floor, reason = tier, why
    return floor, reason


def assessment_score(*, policy: dict, facts: Facts) -> Result:
    """Score one request's facts under one policy, of either schema."""
    if policy_schema(policy) == 2:
        from .scoring_matrix import matrix_score

        return matrix_score(policy=policy, facts=facts)
    return points_score(policy=policy, facts=facts)


def points_score(*, policy: dict, facts: Facts) -> Result:
    """Score under a schema 1 policy (one sum of points), explaining every point."""
    floor, floor_reason = _floor(policy, facts)
    blocked = any(match.blocking for match in facts.confirmed_matches)
    factors = [
        *_watchlist_factors(policy, facts),
        *_sector_factors(policy, facts),
        *_flag_factors(policy, facts),
        *_funding_factors(policy, facts),
        *_people_and_subject_factors(policy, facts),
    ]
    factors = [f for f in factors if f.points > 0 or f.code == Factor.BLOCKING_LIST]
    inherent = sum(f.points for f in factors)
    mitigation, mitigation_factor = _mitigation(policy, facts, inherent)
    if mitigation_factor is not None:
        factors.append(mitigation_factor)
    residual = inherent - mitigation
    tier = _higher_tier(_tier_for(policy, residual), floor)
    route = policy["routes"][tier]
    return Result(
        inherent=inherent,
        mitigation=mitigation,
        residual=residual,
        tier=tier,
        route_code=route["code"],
        route_label=route["label"],
        floor=floor,
        floor_reason=floor_reason,
        not_permissible_without_exception=blocked,
        factors=tuple(factors),
    )
