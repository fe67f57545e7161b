"""The scorer refuses a policy it could not apply, saying why in plain words (schema 1, the
first additive policy; the two-axis policy's checks are in test_scoring_matrix_policy.py)."""

import pytest

from assessments.scoring.points import PolicyError, policy_validate

from .scoring_data import default_policy, v1_policy


def messages(policy) -> list[str]:
    with pytest.raises(PolicyError) as caught:
        policy_validate(policy)
    return caught.value.messages


def test_the_default_policy_and_the_first_one_are_valid():
    policy_validate(default_policy())
    policy_validate(v1_policy())


def test_thresholds_that_overlap_are_refused():
    policy = v1_policy()
    policy["thresholds"]["high"] = policy["thresholds"]["medium"]
    assert messages(policy) == [
        "thresholds must increase: high (15) must be above medium (15), or the tiers would overlap."
    ]


def test_thresholds_out_of_order_are_refused():
    policy = v1_policy()
    policy["thresholds"].update(medium=40, high=30, very_high=20)
    found = messages(policy)
    assert len(found) == 2
    assert "very_high (20) must be above high (30)" in found[1]


def test_a_negative_or_fractional_weight_is_refused():
    policy = v1_policy()
    policy["weights"]["dual_use"] = -3
    policy["weights"]["watchlist_match"]["high"] = 2.5
    assert messages(policy) == [
        "weights: 'dual_use' must be a whole number from 0 to 1000.",
        "weights.watchlist_match: 'high' must be a whole number from 0 to 1000.",
    ]


def test_a_missing_route_is_refused():
    policy = v1_policy()
    del policy["routes"]["very_high"]
    assert messages(policy) == ["routes.very_high needs a 'code' and a 'label'."]


def test_a_floor_that_is_not_a_tier_is_refused():
    policy = v1_policy()
    policy["floors"]["watchlist_risk_level"]["high"] = "severe"
    assert messages(policy) == ["floors.watchlist_risk_level.high: 'severe' is not a tier."]


def test_unknown_keys_are_refused_rather_than_ignored():
    policy = v1_policy()
    policy["weights"]["weather"] = 3
    policy["colour"] = "red"
    assert messages(policy) == [
        "weights: 'weather' is not a factor the policy knows.",
        "'colour' is not part of a scoring policy.",
    ]


def test_a_mitigation_share_above_everything_is_refused():
    policy = v1_policy()
    policy["mitigation"]["max_percent"] = 120
    assert messages(policy) == ["mitigation.max_percent must be a whole number from 0 to 100."]


def test_something_that_is_not_a_mapping_is_refused():
    assert messages(["weights"]) == [
        "The policy must be a mapping of weights, thresholds, floors and routes."
    ]
