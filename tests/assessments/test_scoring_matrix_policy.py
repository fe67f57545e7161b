"""The two-axis policy (schema 2) is refused when it could not be applied, saying why."""

import pytest

from assessments.scoring.points import PolicyError, policy_validate

from .scoring_data import default_policy


def messages(policy) -> list[str]:
    with pytest.raises(PolicyError) as caught:
        policy_validate(policy)
    return caught.value.messages


def test_a_matrix_cell_that_is_not_a_tier_is_refused():
    policy = default_policy()
    policy["matrix"]["high"]["low"] = "severe"
    assert messages(policy) == [
        "matrix.high.low: 'severe' is not a level (low, medium, high, very_high)."
    ]


def test_a_missing_matrix_cell_is_refused():
    policy = default_policy()
    del policy["matrix"]["none"]["very_high"]
    assert messages(policy) == ["matrix.none: 'very_high' is missing."]


def test_a_matrix_that_falls_as_risk_rises_is_refused():
    policy = default_policy()
    policy["matrix"]["high"]["very_high"] = "low"
    found = messages(policy)
    assert len(found) == 2
    assert found[0].startswith("matrix: high \u00d7 very_high gives low, lower than the less risky")


def test_a_control_must_name_an_axis_and_factors_of_that_axis():
    policy = default_policy()
    policy["controls"]["CT-01"] = {"axis": "sensitivity", "factors": ["jurisdiction"]}
    policy["controls"]["CT-09"] = {"axis": "reputation", "factors": ["dual_use"]}
    policy["controls"]["CT-10"] = {"axis": "partner"}
    assert messages(policy) == [
        "controls.CT-01: 'jurisdiction' is not a sensitivity factor.",
        "controls.CT-09.axis: 'reputation' is not an axis (sensitivity, partner).",
        "controls.CT-10 needs exactly an 'axis' and a list of 'factors'.",
    ]


def test_a_factor_level_off_its_axis_is_refused():
    policy = default_policy()
    policy["sensitivity"]["dual_use"] = "very_high"  # sensitivity stops at high
    policy["partner"]["funding_military"] = "none"  # partner risk starts at low
    assert messages(policy) == [
        "sensitivity.dual_use: 'very_high' is not a level (none, low, medium, high).",
        "partner.funding_military: 'none' is not a level (low, medium, high, very_high).",
    ]


def test_bands_must_rise_and_stay_within_a_percentage():
    policy = default_policy()
    policy["partner"]["funding_dependency"] = [
        {"at_least": 60, "level": "medium"},
        {"at_least": 40, "level": "high"},
        {"at_least": 150, "level": "very_high"},
    ]
    assert messages(policy) == [
        "partner.funding_dependency: bands must rise (at_least 40 after 60).",
        "partner.funding_dependency, band 3: at_least must be from 1 to 100.",
    ]


def test_an_outcome_must_be_one_the_model_knows_and_not_the_hard_rule():
    policy = default_policy()
    policy["outcomes"]["low"] = "not_permissible_without_exception"
    found = messages(policy)
    assert found == [
        "outcomes.low must be one of no_mitigation_needed, mitigation_recommended, "
        "mitigation_required."
    ]


def test_an_unknown_schema_or_key_is_refused():
    policy = default_policy()
    policy["weights"] = {}
    assert messages(policy) == ["'weights' is not part of a schema 2 scoring policy."]
    assert messages({**default_policy(), "schema": 3}) == [
        "schema: '3' is not a policy schema (1 or 2)."
    ]
