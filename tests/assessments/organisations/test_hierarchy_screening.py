"""Screening checks a partner and its ancestors; a confirmed parent match is an affiliation."""

from pathlib import Path

import pytest
import yaml

from assessments.models import MatchStatus, ScreeningMatch
from assessments.organisations.resolve import organisation_from_choice
from assessments.scoring.matrix import _partner
from assessments.scoring.points import Facts
from assessments.screening.service import confirmed_matches, match_confirm, screen_request

from .conftest import HIT_LAB


@pytest.fixture
def lab_request(ror, aspi, request_with):
    return request_with(organisation_from_choice(f"ror:{HIT_LAB}"), "PR-LAB1", "Water treatment")


def test_the_parent_of_a_laboratory_is_screened_and_said_so(lab_request, reviewer):
    summary = screen_request(request=lab_request, actor=reviewer)
    assert summary.others == 1
    match = ScreeningMatch.objects.get(request=lab_request, external_id="hit")
    assert match.subject_kind == "ancestor"
    assert match.subject_label == (
        "parent Harbin Institute of Technology (of State Key Laboratory of Urban Water "
        "Resources and Water Environment)"
    )
    assert match.status == MatchStatus.POTENTIAL


def test_a_confirmed_parent_match_is_an_affiliation_not_an_identical_match(lab_request, reviewer):
    screen_request(request=lab_request, actor=reviewer)
    match = ScreeningMatch.objects.get(request=lab_request, external_id="hit")
    match_confirm(match=match, actor=reviewer, reason="HIT is the lab's parent.")
    (confirmed,) = confirmed_matches(lab_request)
    assert confirmed.subject_kind == "ancestor"
    policy = yaml.safe_load(
        (Path(__file__).resolve().parents[3] / "assessments/data/scoring_policy.yaml").read_text()
    )
    from assessments.scoring.policy import policy_validate

    policy_validate(policy)
    levels = _partner(policy, Facts(confirmed_matches=(confirmed,)))
    codes = {level.code: level for level in levels}
    assert "watchlist_match" not in codes
    assert codes["affiliation_match"].level == "high"  # ASPI very high, one step below
    assert "parent Harbin Institute of Technology" in codes["affiliation_match"].sentence
