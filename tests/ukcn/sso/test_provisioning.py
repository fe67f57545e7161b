"""Provisioning's pieces: usernames from subjects, the mapping's meaning, its validation."""

import pytest
from django.core.exceptions import ValidationError

from ukcn.models import Department
from ukcn.roles import Role
from ukcn.sso.models import ProviderMapping
from ukcn.sso.provisioning import ProvisioningRefused, username_for, wanted_assignments


def test_a_username_is_the_prefixed_subject():
    assert username_for("oidc", "abc-123") == "oidc:abc-123"


def test_a_subject_too_long_for_a_username_is_hashed_stably():
    long_subject = "https://idp.example.ac.uk/idp/shibboleth!" + "x" * 200
    first = username_for("saml", long_subject)
    assert first == username_for("saml", long_subject)
    assert first.startswith("saml:sha256:") and len(first) <= 150


def test_an_empty_subject_is_refused():
    with pytest.raises(ProvisioningRefused, match="no subject"):
        username_for("oidc", "  ")


def test_a_departmental_role_goes_to_the_mapped_or_home_department(db):
    home = Department.objects.create(name="Physics", code="phys")
    chemistry = Department.objects.create(name="Chemistry", code="chem")
    mappings = {
        "staff": ProviderMapping(value="staff", role=Role.REQUESTER),
        "chem-head": ProviderMapping(
            value="chem-head", role=Role.HEAD_OF_DEPARTMENT, department=chemistry
        ),
        "reviewers": ProviderMapping(value="reviewers", role=Role.REVIEWER),
    }
    wanted, unusable = wanted_assignments(("staff", "chem-head", "reviewers"), home, mappings)
    assert wanted == {
        ("requester", home),
        ("head of department", chemistry),
        ("reviewer", None),
    }
    assert unusable == []


def test_a_departmental_role_without_any_department_is_reported_not_granted():
    mappings = {"staff": ProviderMapping(value="staff", role=Role.REQUESTER)}
    wanted, unusable = wanted_assignments(("staff",), None, mappings)
    assert wanted == set()
    assert unusable == ["staff: requester needs a department"]


def test_a_mapping_must_name_a_role_or_a_department(db):
    with pytest.raises(ValidationError) as caught:
        ProviderMapping(value="meaningless").full_clean()
    assert caught.value.error_dict["__all__"][0].code == "empty_mapping"
