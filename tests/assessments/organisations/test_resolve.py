"""Resolving a typed partner name to one organisation or ROR identity (the issue's Evidence)."""

import pytest

from assessments.models import Organisation
from assessments.organisations.resolve import (
    candidate_for_key,
    organisation_from_choice,
    resolve,
)

from .conftest import CAS, HEU, HIT, HIT_LAB, WIPM, WIPM_SUCCESSOR


@pytest.mark.parametrize(
    "typed",
    ["哈尔滨工业大学", "Harbin Inst. of Tech.", "HIT", "哈爾濱工業大學", "Harbin Gongye Daxue"],
)
def test_chinese_english_abbreviated_pinyin_and_acronym_resolve_to_one_ror_id(ror, typed):
    resolution = resolve(typed)
    assert resolution.chosen is not None, resolution.candidates
    assert resolution.chosen.ror_id == HIT


@pytest.mark.parametrize(
    "typed", ["Harbin Engineering University", "Harbin Normal University", "哈尔滨工程大学"]
)
def test_look_alikes_do_not_resolve_to_hit(ror, typed):
    resolution = resolve(typed)
    assert resolution.chosen is None or resolution.chosen.ror_id != HIT
    if typed != "Harbin Normal University":  # v1-only in ROR: not in the v2 sample
        assert resolution.chosen.ror_id == HEU


def test_a_child_laboratory_resolves_to_itself_with_its_parent_chain(ror):
    resolution = resolve("State Key Lab of Urban Water Resources and Water Environment")
    assert resolution.chosen.ror_id == HIT_LAB
    assert resolution.chosen.parent_chain == ("Harbin Institute of Technology",)


def test_an_inactive_record_points_to_its_successor(ror):
    chosen = resolve("Wuhan Institute of Physics and Mathematics").chosen
    assert (chosen.ror_id, chosen.status, chosen.successor_ror_id) == (
        WIPM,
        "inactive",
        WIPM_SUCCESSOR,
    )
    assert chosen.parent_chain == ("Chinese Academy of Sciences",)


def test_equal_candidates_are_left_to_the_user(ror):
    resolution = resolve("Northwestern University")  # two ROR records share the name
    assert resolution.chosen is None
    assert resolution.ambiguous
    assert len({c.ror_id for c in resolution.candidates}) >= 2


def test_an_existing_organisation_is_reused_not_duplicated(ror):
    existing = organisation_from_choice(f"ror:{HIT}")
    assert existing.identity.ror_id == HIT
    assert existing.name_native == "哈尔滨工业大学"
    chosen = resolve("哈尔滨工业大学").chosen
    assert (chosen.kind, chosen.organisation_id) == ("organisation", existing.pk)
    assert organisation_from_choice(chosen.key) == existing
    assert Organisation.objects.filter(identity__ror_id=HIT).count() == 1


def test_a_ror_identity_creates_a_linked_organisation_with_its_parents(ror):
    lab = organisation_from_choice(f"ror:{HIT_LAB}")
    assert lab.identity.ror_id == HIT_LAB
    assert lab.parent.identity.ror_id == HIT
    assert [a.name for a in lab.ancestors()] == ["Harbin Institute of Technology"]
    wipm = organisation_from_choice(f"ror:{WIPM}")
    assert wipm.parent.identity.ror_id == CAS


def test_a_name_resolving_to_nothing_is_created_unlinked_and_flagged(ror):
    org = organisation_from_choice("", typed_name="Xanadu Polytechnic of Atlantis", country="CN")
    assert (org.identity, org.needs_resolution, org.country) == (None, True, "CN")
    assert resolve("Xanadu Polytechnic of Atlantis").chosen.organisation_id == org.pk


def test_candidates_carry_public_identity_only(ror):
    candidate = candidate_for_key(f"ror:{HIT}")
    assert set(candidate.as_dict()) == {
        "key", "kind", "name", "native_name", "city", "country", "ror_id", "ror_url", "status",
        "successor_ror_id", "parent_chain", "score", "matched_name", "organisation_id",
    }  # fmt: skip
    assert candidate_for_key("ror:nonsense") is None
    assert candidate_for_key("org:999999") is None
