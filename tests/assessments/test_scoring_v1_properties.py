"""Properties the scorer must hold for every combination of facts and answers."""

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
    Facts,
    FunderFact,
    PartnerFact,
    SectorFact,
    assessment_score,
)

from .scoring_data import v1_checklist_weights, v1_policy

SECTOR_CODES = (
    "advanced-materials",
    "artificial-intelligence",
    "defence",
    "energy",
    "quantum-technologies",
    "transport",
)
FUNDER_TYPES = ("uk_public", "partner_government", "partner_institution", "industry", "military")
POLICY = v1_policy()

matches = st.builds(
    ConfirmedMatch,
    list_name=st.sampled_from(["Tracker", "Entity list", "Internal list"]),
    watchlist_id=st.integers(1, 5),
    version_id=st.integers(1, 50),
    version_number=st.integers(1, 9),
    entry_external_id=st.text(min_size=1, max_size=5),
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
)
partners = st.builds(
    PartnerFact,
    name=st.sampled_from(["Alpha University", "Beta Institute", "Gamma Ltd"]),
    org_type=st.sampled_from(ORGANISATION_TYPES),
)
answers = st.tuples(
    *(
        st.sampled_from((*ANSWERS, "")).map(lambda a, r=ref_id, w=weight: AnswerFact(r, w, a))
        for ref_id, weight in v1_checklist_weights()
    )
)
facts = st.builds(
    Facts,
    confirmed_matches=st.lists(matches, max_size=3).map(tuple),
    sectors=st.lists(sectors, max_size=3, unique=True).map(tuple),
    export_controlled=st.booleans(),
    dual_use=st.booleans(),
    personal_data=st.booleans(),
    data_leaves_uk=st.booleans(),
    data_leaves_partner_country=st.booleans(),
    funders=st.lists(funders, max_size=3).map(tuple),
    people_exchanged=st.integers(0, 30),
    lab_access=st.booleans(),
    staff_travel=st.booleans(),
    academic_freedom_disciplines=st.lists(
        st.sampled_from(["Arts & Humanities", "Social Sciences (general)"]), max_size=2
    ).map(tuple),
    partners=st.lists(partners, max_size=3).map(tuple),
    answers=answers,
)

FLAGS = (
    "export_controlled",
    "dual_use",
    "personal_data",
    "data_leaves_uk",
    "data_leaves_partner_country",
    "lab_access",
    "staff_travel",
)


def add_one_risk(base: Facts, data) -> Facts:
    """The same facts with one more risk factor present."""
    kind = data.draw(
        st.sampled_from(["flag", "match", "sector", "funder", "people", "subject", "partner"])
    )
    if kind == "flag":
        return dataclasses.replace(base, **{data.draw(st.sampled_from(FLAGS)): True})
    if kind == "match":
        return dataclasses.replace(
            base, confirmed_matches=(*base.confirmed_matches, data.draw(matches))
        )
    if kind == "sector":
        return dataclasses.replace(base, sectors=(*base.sectors, data.draw(sectors)))
    if kind == "funder":
        return dataclasses.replace(base, funders=(*base.funders, data.draw(funders)))
    if kind == "people":
        return dataclasses.replace(
            base, people_exchanged=base.people_exchanged + data.draw(st.integers(1, 10))
        )
    if kind == "subject":
        return dataclasses.replace(
            base,
            academic_freedom_disciplines=(
                *base.academic_freedom_disciplines,
                "Economics & Business",
            ),
        )
    return dataclasses.replace(base, partners=(*base.partners, data.draw(partners)))


def rank(tier: str) -> int:
    return TIERS.index(tier)


@settings(max_examples=300, deadline=None)
@given(base=facts, data=st.data())
def test_adding_a_risk_factor_never_lowers_the_score_or_the_tier(base, data):
    more = add_one_risk(base, data)
    before = assessment_score(policy=POLICY, facts=base)
    after = assessment_score(policy=POLICY, facts=more)
    assert after.inherent >= before.inherent
    assert after.residual >= before.residual
    assert rank(after.tier) >= rank(before.tier)


@settings(max_examples=300, deadline=None)
@given(base=facts, data=st.data())
def test_meeting_more_checklist_items_never_raises_the_score_or_the_tier(base, data):
    index = data.draw(st.integers(0, len(base.answers) - 1))
    current = base.answers[index]
    if current.answer in ("not_met", "unsure", ""):
        better = data.draw(st.sampled_from(["met", "partly_met"]))
    else:
        better = "met"
    answers = list(base.answers)
    answers[index] = dataclasses.replace(current, answer=better)
    improved = dataclasses.replace(base, answers=tuple(answers))
    before = assessment_score(policy=POLICY, facts=base)
    after = assessment_score(policy=POLICY, facts=improved)
    assert after.residual <= before.residual
    assert rank(after.tier) <= rank(before.tier)


@settings(max_examples=300, deadline=None)
@given(base=facts, checklist=answers)
def test_floors_hold_for_every_checklist_combination(base, checklist):
    result = assessment_score(policy=POLICY, facts=dataclasses.replace(base, answers=checklist))
    levels = {m.risk_level for m in base.confirmed_matches}
    blocked = any(m.blocking for m in base.confirmed_matches)
    if "very_high" in levels or blocked:
        assert result.tier == "very_high"
    elif "high" in levels:
        assert rank(result.tier) >= rank("high")
    if result.floor:
        assert rank(result.tier) >= rank(result.floor)
    assert result.not_permissible_without_exception == blocked


@settings(max_examples=200, deadline=None)
@given(base=facts)
def test_the_same_inputs_always_give_the_same_assessment(base):
    rebuilt = Facts(
        **{
            **base.__dict__,
            "confirmed_matches": tuple(
                ConfirmedMatch(**m) for m in base.as_dict()["confirmed_matches"]
            ),
        }
    )
    first = assessment_score(policy=v1_policy(), facts=base)
    second = assessment_score(policy=v1_policy(), facts=rebuilt)
    assert first == second
    assert [f.as_dict() for f in first.factors] == [f.as_dict() for f in second.factors]


@settings(max_examples=200, deadline=None)
@given(base=facts)
def test_mitigation_stays_between_nothing_and_the_policy_cap(base):
    result = assessment_score(policy=POLICY, facts=base)
    assert 0 <= result.mitigation <= result.inherent * POLICY["mitigation"]["max_percent"] // 100
    assert result.residual == result.inherent - result.mitigation
