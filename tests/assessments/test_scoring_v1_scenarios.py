"""Cases a reviewer would recognise, scored under the first (points, schema 1) policy as shipped."""

from assessments.scoring.points import (
    Facts,
    FunderFact,
    PartnerFact,
    SectorFact,
    assessment_score,
)

from .scoring_data import all_answered_v1, match, v1_policy

AI = SectorFact("artificial-intelligence", "Artificial Intelligence")


def test_a_humanities_student_exchange_with_a_low_risk_partner_and_all_items_met_is_low():
    facts = Facts(
        confirmed_matches=(match("low", name="Coastal Normal University"),),
        people_exchanged=4,
        staff_travel=True,
        academic_freedom_disciplines=("Arts & Humanities",),
        partners=(PartnerFact("Coastal Normal University", "university"),),
        answers=all_answered_v1("met"),
    )
    result = assessment_score(policy=v1_policy(), facts=facts)
    assert result.tier == "low"
    assert result.route_code == "department_sign_off"
    assert result.floor == ""
    assert not result.not_permissible_without_exception


def engineering_project(**changes) -> Facts:
    values = {
        "sectors": (SectorFact("advanced-materials", "Advanced Materials"),),
        "people_exchanged": 2,
        "lab_access": True,
        "staff_travel": True,
        "funders": (FunderFact("UK Research and Innovation", "uk_public"),),
        "partners": (PartnerFact("Eastern Polytechnic", "university"),),
        "answers": all_answered_v1("met"),
    }
    return Facts(**{**values, **changes})


def test_undisclosed_funding_raises_the_tier():
    policy = v1_policy()
    plain = assessment_score(policy=policy, facts=engineering_project())
    undisclosed = engineering_project(
        funders=(
            FunderFact("UK Research and Innovation", "uk_public"),
            FunderFact("", "other", undisclosed=True),
        )
    )
    raised = assessment_score(policy=policy, facts=undisclosed)
    assert plain.tier == "low"
    assert raised.tier == "medium"
    assert raised.route_code == "central_reviewer"
    [factor] = [f for f in raised.factors if f.code == "funding_undisclosed"]
    assert factor.points == 15
    assert "not disclosed" in factor.sentence


def test_an_ai_project_with_a_very_high_risk_partner_is_very_high_even_with_every_item_met():
    facts = Facts(
        confirmed_matches=(match("very_high", name="Northern Institute of Technology"),),
        sectors=(AI,),
        partners=(PartnerFact("Northern Institute of Technology", "university"),),
        answers=all_answered_v1("met"),
    )
    result = assessment_score(policy=v1_policy(), facts=facts)
    assert result.tier == "very_high"
    assert result.floor == "very_high"
    assert "Northern Institute of Technology" in result.floor_reason
    assert result.route_code == "approver_and_senior_officer"
    assert result.mitigation > 0, "the checklist still counts; it just cannot beat the floor"


def test_a_blocking_list_match_makes_the_request_not_permissible_without_exception():
    facts = Facts(
        confirmed_matches=(match("listed", blocking=True),), answers=all_answered_v1("met")
    )
    result = assessment_score(policy=v1_policy(), facts=facts)
    assert result.not_permissible_without_exception
    assert result.tier == "very_high"
    codes = [f.code for f in result.factors]
    assert "blocking_list" in codes
    assert "watchlist_match" in codes


def test_a_military_partner_with_military_funding_in_defence_is_very_high_without_good_practice():
    facts = Facts(
        sectors=(SectorFact("defence", "Defence"),),
        export_controlled=True,
        funders=(FunderFact("Ministry of Defence research fund", "military"),),
        partners=(PartnerFact("Army Engineering Academy", "military"),),
        answers=all_answered_v1("not_met"),
    )
    result = assessment_score(policy=v1_policy(), facts=facts)
    assert result.inherent == 15 + 15 + 20 + 25
    assert result.mitigation == 0
    assert result.tier == "very_high"
    assert result.floor == ""


def test_every_factor_explains_itself_with_points_and_a_sentence():
    facts = engineering_project(
        confirmed_matches=(match("medium"),),
        dual_use=True,
        personal_data=True,
        data_leaves_uk=True,
        data_leaves_partner_country=True,
        export_controlled=True,
        funders=(FunderFact("Provincial Science Department", "partner_government"),),
        academic_freedom_disciplines=("Social Sciences (general)",),
        partners=(PartnerFact("Ministry of Science", "government"),),
    )
    result = assessment_score(policy=v1_policy(), facts=facts)
    codes = {f.code for f in result.factors}
    assert codes >= {
        "watchlist_match",
        "nsi_sector",
        "export_control",
        "dual_use",
        "personal_data",
        "data_leaves_uk",
        "data_leaves_partner_country",
        "funding_partner_government",
        "people_exchanged",
        "lab_access",
        "staff_travel",
        "academic_freedom",
        "partner_type",
        "checklist_mitigation",
    }
    assert all(f.sentence.endswith(".") and len(f.sentence) > 20 for f in result.factors)
    assert result.inherent == sum(f.points for f in result.factors if f.points > 0)
    assert result.residual == result.inherent - result.mitigation


def test_unsure_answers_count_as_not_met_and_the_explanation_says_so():
    policy = v1_policy()
    unsure = assessment_score(
        policy=policy, facts=engineering_project(answers=all_answered_v1("unsure"))
    )
    not_met = assessment_score(
        policy=policy, facts=engineering_project(answers=all_answered_v1("not_met"))
    )
    assert unsure.residual == not_met.residual
    assert unsure.mitigation == 0
    [factor] = [f for f in unsure.factors if f.code == "checklist_mitigation"]
    assert "14 unsure (counted as not met)" in factor.sentence


def test_mitigation_never_removes_more_than_the_policy_allows():
    policy = v1_policy()
    policy["mitigation"]["max_percent"] = 25
    result = assessment_score(policy=policy, facts=engineering_project())
    assert result.mitigation == result.inherent * 25 // 100


def test_a_sector_without_its_own_weight_scores_the_default():
    policy = v1_policy()
    del policy["weights"]["nsi_sector"]["by_sector"]["energy"]
    facts = Facts(sectors=(SectorFact("energy", "Energy"),))
    assert assessment_score(policy=policy, facts=facts).inherent == 6
