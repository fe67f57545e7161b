"""Properties the two-axis scorer must hold for every combination of facts and answers, under
the default policy as shipped: monotone, no double counting, relationship practices never
change the tier, floors always hold, a control lowers its axis by one step at most."""

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from assessments.scoring.points import (
    ANSWERS,
    ORGANISATION_TYPES,
    RISK_LEVELS,
    TIERS,
    AnswerFact,
    ConfirmedMatch,
    CountryFact,
    Facts,
    FunderFact,
    PartnerFact,
    SectorFact,
    assessment_score,
)
from assessments.scoring.policy import AXES, TECHNOLOGY_READINESS

from .scoring_data import default_policy

POLICY = default_policy()
CONTROLS = tuple(POLICY["controls"])
PRACTICES = ("GP-01", "GP-02", "GP-03", "GP-04", "GP-05", "GP-12", "GP-14")
COUNTRIES = (
    CountryFact("CN", "China", "high"),
    CountryFact("RU", "Russia", "very_high"),
    CountryFact("XM", "Middleland", "medium"),
    CountryFact("XL", "Lowland", "low"),
)
SECTOR_CODES = (
    "advanced-materials",
    "artificial-intelligence",
    "defence",
    "energy",
    "military-and-dual-use",
    "quantum-technologies",
)
FUNDER_TYPES = (
    "uk_public",
    "partner_government",
    "state_owned",
    "partner_institution",
    "industry",
    "military",
)
COUNTRY_CODES = ("", "CN", "RU", "XM", "XL", "CH")

matches = st.builds(
    ConfirmedMatch,
    list_name=st.sampled_from(["Tracker", "Entity list"]),
    watchlist_id=st.integers(1, 3),
    version_id=st.integers(1, 9),
    version_number=st.integers(1, 9),
    entry_external_id=st.just("x"),
    entry_name=st.sampled_from(["Alpha University", "Beta Institute"]),
    risk_level=st.sampled_from(RISK_LEVELS),
    blocking=st.booleans(),
    organisation_name=st.sampled_from(["Alpha University", "Beta Institute"]),
)
sectors = st.sampled_from(SECTOR_CODES).map(lambda code: SectorFact(code, code.title()))
funders = st.builds(
    FunderFact,
    name=st.sampled_from(["", "Fund A", "Fund B"]),
    funder_type=st.sampled_from(FUNDER_TYPES),
    undisclosed=st.booleans(),
    country=st.sampled_from(COUNTRY_CODES),
)
partners = st.builds(
    PartnerFact,
    name=st.sampled_from(["Alpha University", "Beta Institute", "Gamma Ltd"]),
    org_type=st.sampled_from(ORGANISATION_TYPES),
    country=st.sampled_from(COUNTRY_CODES),
)


def _answer(ref_id):
    return st.builds(
        AnswerFact,
        ref_id=st.just(ref_id),
        weight=st.just(1),
        answer=st.sampled_from((*ANSWERS, "")),
        evidence=st.booleans(),
    )


answers = st.tuples(*(_answer(ref_id) for ref_id in (*CONTROLS, *PRACTICES)))
facts = st.builds(
    Facts,
    confirmed_matches=st.lists(matches, max_size=2).map(tuple),
    sectors=st.lists(sectors, max_size=3, unique=True).map(tuple),
    export_controlled=st.booleans(),
    dual_use=st.booleans(),
    personal_data=st.booleans(),
    data_leaves_uk=st.booleans(),
    data_leaves_partner_country=st.booleans(),
    funders=st.lists(funders, max_size=3).map(tuple),
    people_exchanged=st.integers(0, 12),
    lab_access=st.booleans(),
    staff_travel=st.booleans(),
    academic_freedom_disciplines=st.lists(
        st.sampled_from(["Arts & Humanities", "Social Sciences (general)"]), max_size=2
    ).map(tuple),
    partners=st.lists(partners, max_size=3).map(tuple),
    answers=answers,
    research_kind=st.sampled_from(["", "basic", "applied"]),
    technology_readiness=st.sampled_from(["", *TECHNOLOGY_READINESS]),
    largest_foreign_share=st.one_of(st.none(), st.integers(0, 100)),
    countries=st.just(COUNTRIES),
)


def score(f: Facts):
    return assessment_score(policy=POLICY, facts=f)


def rank(tier: str) -> int:
    return TIERS.index(tier)


FLAGS = (
    "export_controlled",
    "dual_use",
    "personal_data",
    "data_leaves_uk",
    "data_leaves_partner_country",
    "lab_access",
    "staff_travel",
)
TRL_ORDER = ("", *TECHNOLOGY_READINESS)


@st.composite
def a_risk_added(draw, f: Facts) -> Facts:
    """The same facts with one more risk fact."""
    kind = draw(
        st.sampled_from(
            ["flag", "sector", "partner", "funder", "match", "people", "share", "trl", "applied"]
        )
    )
    if kind == "flag":
        return dataclasses.replace(f, **{draw(st.sampled_from(FLAGS)): True})
    if kind == "sector":
        return dataclasses.replace(f, sectors=(*f.sectors, draw(sectors)))
    if kind == "partner":
        return dataclasses.replace(f, partners=(*f.partners, draw(partners)))
    if kind == "funder":
        return dataclasses.replace(f, funders=(*f.funders, draw(funders)))
    if kind == "match":
        return dataclasses.replace(f, confirmed_matches=(*f.confirmed_matches, draw(matches)))
    if kind == "people":
        return dataclasses.replace(f, people_exchanged=f.people_exchanged + draw(st.integers(1, 9)))
    if kind == "share":
        now = f.largest_foreign_share or 0
        return dataclasses.replace(f, largest_foreign_share=draw(st.integers(now, 100)))
    if kind == "trl":
        higher = TRL_ORDER[TRL_ORDER.index(f.technology_readiness) :]
        return dataclasses.replace(f, technology_readiness=draw(st.sampled_from(higher)))
    return dataclasses.replace(f, research_kind="applied")


@settings(max_examples=400, deadline=None)
@given(st.data(), facts)
def test_adding_a_risk_fact_never_lowers_the_tier(data, f):
    more = data.draw(a_risk_added(f))
    assert rank(score(more).tier) >= rank(score(f).tier)


@settings(max_examples=300, deadline=None)
@given(facts, st.sampled_from(CONTROLS))
def test_removing_a_control_never_lowers_the_tier(f, ref_id):
    without = dataclasses.replace(f, answers=tuple(a for a in f.answers if a.ref_id != ref_id))
    assert rank(score(without).tier) >= rank(score(f).tier)


@settings(max_examples=300, deadline=None)
@given(facts)
def test_the_same_fact_stated_twice_counts_once(f):
    twice = dataclasses.replace(
        f,
        partners=f.partners * 2,
        funders=f.funders * 2,
        confirmed_matches=f.confirmed_matches * 2,
        sectors=f.sectors * 2,
        academic_freedom_disciplines=f.academic_freedom_disciplines * 2,
    )
    once, doubled = score(f), score(twice)
    assert (doubled.tier, doubled.explanation) == (once.tier, once.explanation)


@settings(max_examples=300, deadline=None)
@given(facts)
def test_correlated_answers_cannot_raise_a_level_twice(f):
    # Export-controlled, dual use and the Military and Dual-Use area describe one risk.
    exported = dataclasses.replace(f, export_controlled=True)
    all_three = dataclasses.replace(
        exported,
        dual_use=True,
        sectors=(*f.sectors, SectorFact("military-and-dual-use", "Military and Dual-Use")),
    )
    first, second = score(exported), score(all_three)
    for key in ("sensitivity", "sensitivity_before_controls", "partner"):
        assert second.explanation[key] == first.explanation[key]
    assert second.tier == first.tier


@settings(max_examples=300, deadline=None)
@given(facts, st.lists(st.sampled_from((*ANSWERS, "")), min_size=7, max_size=7), st.booleans())
def test_relationship_practices_never_change_the_tier(f, practice_answers, evidence):
    controls = tuple(a for a in f.answers if a.ref_id not in PRACTICES)
    changed = dataclasses.replace(
        f,
        answers=controls
        + tuple(
            AnswerFact(ref_id, 1, answer, evidence)
            for ref_id, answer in zip(PRACTICES, practice_answers, strict=True)
        ),
    )
    assert score(changed).tier == score(f).tier
    assert score(changed).explanation == score(f).explanation


@settings(max_examples=400, deadline=None)
@given(facts)
def test_floors_always_hold_whatever_the_controls(f):
    every_control_met = dataclasses.replace(
        f, answers=tuple(AnswerFact(ref_id, 1, "met", True) for ref_id in CONTROLS)
    )
    for candidate in (f, every_control_met):
        result = score(candidate)
        if result.floor:
            assert rank(result.tier) >= rank(result.floor)
        levels = {m.risk_level for m in candidate.confirmed_matches}
        if "very_high" in levels or any(m.blocking for m in candidate.confirmed_matches):
            assert result.tier == "very_high"
        elif "high" in levels:
            assert rank(result.tier) >= rank("high")
        assert result.not_permissible_without_exception == any(
            m.blocking for m in candidate.confirmed_matches
        )


@settings(max_examples=300, deadline=None)
@given(facts)
def test_controls_lower_each_axis_by_one_step_at_most_and_only_when_met_with_evidence(f):
    result = score(f)
    x = result.explanation
    for axis, key in (("sensitivity", "sensitivity"), ("partner", "partner")):
        steps = AXES[axis]
        drop = steps.index(x[f"{key}_before_controls"]) - steps.index(x[key])
        assert 0 <= drop <= 1
    met = {a.ref_id for a in f.answers if a.answer == "met" and a.evidence}
    for level in result.factors:
        assert set(level.lowered_by) <= met
        if level.lowered_to:
            steps = AXES[level.axis]
            assert steps.index(level.level) - steps.index(level.lowered_to) == 1


@settings(max_examples=200, deadline=None)
@given(facts)
def test_the_tier_is_the_matrix_cell_or_the_floor_and_the_outcome_follows(f):
    result = score(f)
    x = result.explanation
    cell = POLICY["matrix"][x["sensitivity"]][x["partner"]]
    assert result.tier == max(cell, result.floor or "low", key=TIERS.index)
    expected = (
        "not_permissible_without_exception"
        if result.not_permissible_without_exception
        else POLICY["outcomes"][result.tier]
    )
    assert result.outcome == expected
