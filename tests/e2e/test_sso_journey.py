"""A browser signs in through the real test OpenID Connect provider, is provisioned with a
role and a department, loses the role at the next login, and logs out at the provider too."""

from playwright.sync_api import expect

from tests.ukcn.sso.conftest import oidc, provider  # noqa: F401 (fixtures)
from ukcn.models import Department
from ukcn.roles import Role
from ukcn.sso.models import ProviderMapping

REVIEWERS = "urn:mace:example.ac.uk:entitlement:ukcn-reviewer"


def test_a_member_of_staff_signs_in_with_the_university_and_out_again(
    page,
    live_server,
    oidc,  # noqa: F811
):
    chemistry = Department.objects.create(name="Department of Chemistry", code="chem")
    ProviderMapping.objects.create(value=REVIEWERS, role=Role.REVIEWER)
    oidc.person = {
        "sub": "staff-0042",
        "given_name": "Grace",
        "family_name": "Hopper",
        "email": "grace@example.ac.uk",
        "department": chemistry.code,
        "groups": [REVIEWERS],
    }
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="Sign in with Example University").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(page.get_by_role("button", name="Grace Hopper")).to_be_visible()

    page.get_by_role("button", name="Grace Hopper").click()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in to ukcn")).to_be_visible()
    assert oidc.logouts and oidc.logouts[-1]["id_token_hint"] == oidc.issued[-1]

    oidc.person = {**oidc.person, "groups": []}  # the entitlement was withdrawn
    page.get_by_role("link", name="Sign in with Example University").click()
    expect(page.get_by_role("heading", name="You have no role in ukcn yet")).to_be_visible()
    expect(page.get_by_text("Ask the research-security office")).to_be_visible()
