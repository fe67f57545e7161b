"""Named scenarios under the default two-axis policy as shipped, each with the tier and outcome
worked out by hand from the policy's own matrix (scoring_policy.yaml):

    sensitivity ↓ / partner →   low     medium   high       very high
    none                        low     low      medium     high
    low                         low     low      medium     high
    medium                      low     medium   high       very high
    high                        medium  high     very high  very high

Countries come from the starter country context rows (CN high; RU, IR very high); a country
with no row (CH, DE, FR, JP, SG, US) adds nothing to partner risk.
"""

from dataclasses import dataclass, field

import pytest

from assessments.scoring.points import (
    AnswerFact,
    CountryFact,
    Facts,
    FunderFact,
    PartnerFact,
    SectorFact,
    assessment_score,
)

from .scoring_data import default_policy, match

COUNTRIES = (
    CountryFact("CN", "China", "high", "starter row"),
    CountryFact("RU", "Russia", "very_high", "starter row"),
    CountryFact("IR", "Iran", "very_high", "starter row"),
)
QUANTUM = SectorFact("quantum-technologies", "Quantum Technologies")
MILITARY_DUAL_USE = SectorFact("military-and-dual-use", "Military and Dual-Use")
AI = SectorFact("artificial-intelligence", "Artificial Intelligence")
HUMANITIES = ("Arts & Humanities",)
PRACTICES = ("GP-01", "GP-02", "GP-03", "GP-04", "GP-05", "GP-12", "GP-14")


def met(*ref_ids, evidence=True, answer="met"):
    return tuple(AnswerFact(ref_id, 1, answer, evidence) for ref_id in ref_ids)


def uni(name, country):
    return PartnerFact(name, "university", country)


@dataclass(frozen=True)
class Scenario:
    name: str
    facts: dict
    tier: str
    outcome: str
    cell: tuple[str, str] = ()
    extra: dict = field(default_factory=dict)


ETH = uni("ETH Zürich", "CH")
TSINGHUA = uni("Tsinghua University", "CN")
EXPORT = {"export_controlled": True}

SCENARIOS = [
    Scenario(
        "export-controlled dual-use quantum work with a Swiss university, no hits",
        {**EXPORT, "dual_use": True, "sectors": (QUANTUM,), "partners": (ETH,)},
        "medium",
        "mitigation_recommended",
        ("high", "low"),
    ),
    Scenario(
        "three correlated answers (export, dual use, Military and Dual-Use) count once",
        {**EXPORT, "dual_use": True, "sectors": (MILITARY_DUAL_USE,), "partners": (ETH,)},
        "medium",
        "mitigation_recommended",
        ("high", "low"),
    ),
    Scenario(
        "humanities with a partner in a high jurisdiction and a state-security-linked partner",
        {
            "academic_freedom_disciplines": HUMANITIES,
            "partners": (
                uni("Eastern Normal University", "CN"),
                PartnerFact("Institute of State Security Studies", "military", "CN"),
            ),
        },
        "medium",
        "mitigation_recommended",
        ("low", "high"),
    ),
    Scenario(
        "export-controlled work with a confirmed very-high partner",
        {**EXPORT, "confirmed_matches": (match("very_high"),), "partners": (TSINGHUA,)},
        "very_high",
        "mitigation_required",
        ("high", "very_high"),
    ),
    Scenario(
        "the same with a technology-control plan met: the floor holds",
        {
            **EXPORT,
            "confirmed_matches": (match("very_high"),),
            "partners": (TSINGHUA,),
            "answers": met("CT-01"),
        },
        "very_high",
        "mitigation_required",
        ("medium", "very_high"),
    ),
    Scenario(
        "export-controlled work with a partner in a high jurisdiction, no list match",
        {**EXPORT, "partners": (TSINGHUA,)},
        "very_high",
        "mitigation_required",
        ("high", "high"),
    ),
    Scenario(
        "the same with a technology-control plan met: sensitivity one level lower",
        {**EXPORT, "partners": (TSINGHUA,), "answers": met("CT-01")},
        "high",
        "mitigation_required",
        ("medium", "high"),
    ),
    Scenario(
        "the same with every relationship practice met: no change",
        {**EXPORT, "partners": (TSINGHUA,), "answers": met(*PRACTICES)},
        "very_high",
        "mitigation_required",
        ("high", "high"),
    ),
    Scenario(
        "the same with the technology-control plan unsure: counts as not met",
        {**EXPORT, "partners": (TSINGHUA,), "answers": met("CT-01", answer="unsure")},
        "very_high",
        "mitigation_required",
        ("high", "high"),
    ),
    Scenario(
        "the same with the plan met but no evidence: lowers nothing",
        {**EXPORT, "partners": (TSINGHUA,), "answers": met("CT-01", evidence=False)},
        "very_high",
        "mitigation_required",
        ("high", "high"),
    ),
    Scenario(
        "basic research with a French university",
        {
            "research_kind": "basic",
            "technology_readiness": "basic",
            "partners": (uni("Sorbonne", "FR"),),
        },
        "low",
        "no_mitigation_needed",
        ("none", "low"),
    ),
    Scenario(
        "applied research at TRL 5 with a US university",
        {"research_kind": "applied", "technology_readiness": "5", "partners": (uni("MIT", "US"),)},
        "low",
        "no_mitigation_needed",
        ("medium", "low"),
    ),
    Scenario(
        "applied research at TRL 5 with a Chinese university",
        {"research_kind": "applied", "technology_readiness": "5", "partners": (TSINGHUA,)},
        "high",
        "mitigation_required",
        ("medium", "high"),
    ),
    Scenario(
        "a confirmed match on a blocking list",
        {"confirmed_matches": (match("listed", blocking=True),), "partners": (uni("X", "DE"),)},
        "very_high",
        "not_permissible_without_exception",
        ("none", "high"),
    ),
    Scenario(
        "humanities with a confirmed high-risk match: the floor raises medium to high",
        {"academic_freedom_disciplines": HUMANITIES, "confirmed_matches": (match("high"),)},
        "high",
        "mitigation_required",
        ("low", "high"),
    ),
    Scenario(
        "a confirmed medium-risk match and nothing sensitive",
        {"confirmed_matches": (match("medium"),)},
        "low",
        "no_mitigation_needed",
        ("none", "medium"),
    ),
    Scenario(
        "applied TRL 5 work with a confirmed medium-risk match and due diligence met: "
        "the match stands",
        {
            "research_kind": "applied",
            "technology_readiness": "5",
            "confirmed_matches": (match("medium"),),
            "answers": met("CT-07"),
        },
        "medium",
        "mitigation_recommended",
        ("medium", "medium"),
    ),
    Scenario(
        "personal data leaving the UK for a German partner",
        {"personal_data": True, "data_leaves_uk": True, "partners": (uni("TU Berlin", "DE"),)},
        "low",
        "no_mitigation_needed",
        ("medium", "low"),
    ),
    Scenario(
        "personal data leaving the UK for a Russian partner",
        {"personal_data": True, "data_leaves_uk": True, "partners": (uni("MSU", "RU"),)},
        "very_high",
        "mitigation_required",
        ("medium", "very_high"),
    ),
    Scenario(
        "the same with a data-management plan met: only the data risk drops",
        {
            "personal_data": True,
            "data_leaves_uk": True,
            "partners": (uni("MSU", "RU"),),
            "answers": met("CT-02"),
        },
        "high",
        "mitigation_required",
        ("low", "very_high"),
    ),
    Scenario(
        "AI work funded by the partner's government (Singapore)",
        {
            "sectors": (AI,),
            "partners": (uni("NUS", "SG"),),
            "funders": (
                FunderFact("National Research Foundation", "partner_government", country="SG"),
            ),
        },
        "medium",
        "mitigation_recommended",
        ("medium", "medium"),
    ),
    Scenario(
        "the same with the funder's terms reviewed against UKRI's principles",
        {
            "sectors": (AI,),
            "partners": (uni("NUS", "SG"),),
            "funders": (
                FunderFact("National Research Foundation", "partner_government", country="SG"),
            ),
            "answers": met("CT-06"),
        },
        "low",
        "no_mitigation_needed",
        ("medium", "low"),
    ),
    Scenario(
        "humanities with 80% of the funding from one Japanese source",
        {
            "academic_freedom_disciplines": HUMANITIES,
            "partners": (uni("Kyoto University", "JP"),),
            "largest_foreign_share": 80,
        },
        "low",
        "no_mitigation_needed",
        ("low", "medium"),
    ),
    Scenario(
        "dual-use work with a military funder",
        {"dual_use": True, "funders": (FunderFact("Air Force Office", "military", country="US"),)},
        "very_high",
        "mitigation_required",
        ("high", "high"),
    ),
    Scenario(
        "a defence-industry partner at TRL 7",
        {
            "technology_readiness": "7",
            "partners": (PartnerFact("Aero Systems Inc", "defence_industry", "US"),),
        },
        "high",
        "mitigation_required",
        ("medium", "high"),
    ),
    Scenario(
        "laboratory access with undisclosed funding",
        {"lab_access": True, "funders": (FunderFact("", "other", undisclosed=True),)},
        "high",
        "mitigation_required",
        ("medium", "high"),
    ),
    Scenario(
        "basic research with an Iranian university",
        {"research_kind": "basic", "partners": (uni("Sharif University", "IR"),)},
        "high",
        "mitigation_required",
        ("none", "very_high"),
    ),
    Scenario(
        "one control met lowers one factor: another factor at the new level keeps the axis",
        {**EXPORT, "data_leaves_uk": True, "partners": (TSINGHUA,), "answers": met("CT-01")},
        "high",
        "mitigation_required",
        ("medium", "high"),
    ),
    Scenario(
        "two controls on the same factors still lower the axis one step at most",
        {
            **EXPORT,
            "dual_use": True,
            "partners": (TSINGHUA,),
            "answers": met("CT-01", "CT-05"),
        },
        "high",
        "mitigation_required",
        ("medium", "high"),
    ),
    Scenario(
        "staff travel to China with a travel briefing met",
        {"staff_travel": True, "partners": (TSINGHUA,), "answers": met("CT-04")},
        "medium",
        "mitigation_recommended",
        ("none", "high"),
    ),
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_scenario(scenario):
    result = assessment_score(
        policy=default_policy(), facts=Facts(countries=COUNTRIES, **scenario.facts)
    )
    assert (result.tier, result.outcome) == (scenario.tier, scenario.outcome)
    x = result.explanation
    assert (x["sensitivity"], x["partner"]) == scenario.cell
    assert result.route_code == default_policy()["routes"][scenario.tier]["code"]


def test_there_are_at_least_twenty_named_scenarios():
    assert len({s.name for s in SCENARIOS}) == len(SCENARIOS) >= 20


def test_the_explanation_names_the_cell_the_factors_and_what_each_control_lowered():
    facts = Facts(
        countries=COUNTRIES,
        export_controlled=True,
        partners=(TSINGHUA,),
        funders=(FunderFact("Sinochem", "state_owned", country="CN"),),
        answers=met("CT-01") + met("CT-08", answer="unsure"),
    )
    result = assessment_score(policy=default_policy(), facts=facts)
    assert result.explanation["summary"] == (
        "Sensitivity medium (export-controlled technology; lowered from high by controls) "
        "\u00d7 partner risk high (jurisdiction) ⇒ high; mitigation required."
    )
    levels = {f.code: f for f in result.factors}
    assert levels["export_control"].level == "high"
    assert levels["export_control"].lowered_to == "medium"
    assert levels["export_control"].lowered_by == ("CT-01",)
    assert "requester says" in levels["export_control"].sentence
    assert levels["funding_state_owned"].level == "medium"
    assert "Sinochem" in levels["funding_state_owned"].sentence
    assert "Tsinghua University is in China" in levels["jurisdiction"].sentence
    controls = {c["ref_id"]: c for c in result.explanation["controls"]}
    assert controls["CT-01"]["lowered"] == ["export_control"]
    assert controls["CT-08"]["lowered"] == []
    assert "unsure, counted as not met" in controls["CT-08"]["sentence"]
    # CT-06 (funder terms) applies because of the state-owned funder, and is not answered.
    assert "not answered" in controls["CT-06"]["sentence"]


def test_a_blocking_list_says_not_permissible_in_the_summary():
    facts = Facts(confirmed_matches=(match("listed", blocking=True),))
    result = assessment_score(policy=default_policy(), facts=facts)
    assert result.not_permissible_without_exception
    assert "not permissible without an exception" in result.explanation["summary"]
    assert "raised to very high by a floor" in result.explanation["summary"]
