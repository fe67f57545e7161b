"""A browser signs in through the real test SAML identity provider (pysaml2 on 127.0.0.1), is
provisioned with a role and a department from the assertion's attributes, logs out of ukcn and
of the IdP (single logout), and has lost the role at the next login."""

import pytest
from playwright.sync_api import expect

from tests.ukcn.sso.conftest import saml_configure, saml_idp  # noqa: F401 (fixtures)
from ukcn.models import Department, Profile
from ukcn.roles import Role
from ukcn.sso.models import ProviderMapping

REVIEWERS = "urn:mace:example.ac.uk:entitlement:ukcn-reviewer"


@pytest.fixture
def saml(db, saml_idp, settings, client, live_server):  # noqa: F811
    # As in production: the IdP (127.0.0.1) is another site than ukcn (localhost), so its POST
    # carries only a SameSite=None cookie, which must be Secure (Chromium lets localhost set it).
    settings.SESSION_COOKIE_SECURE = True
    settings.SAML_SESSION_COOKIE_SAMESITE = "None"
    return saml_configure(settings, client, saml_idp, site_url=live_server.url)


def test_a_member_of_staff_signs_in_with_shibboleth_and_out_again(page, live_server, saml):
    chemistry = Department.objects.create(name="Department of Chemistry", code="chem")
    ProviderMapping.objects.create(value=REVIEWERS, role=Role.REVIEWER)
    saml.person = {
        "eduPersonPrincipalName": "gh42@example.ac.uk",
        "givenName": "Grace",
        "sn": "Hopper",
        "mail": "grace@example.ac.uk",
        "ou": chemistry.name,
        "eduPersonEntitlement": [REVIEWERS],
    }
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="Sign in with Example University").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(page.get_by_role("button", name="Grace Hopper")).to_be_visible()
    assert Profile.objects.get(user__username="saml:gh42@example.ac.uk").department == chemistry

    page.get_by_role("button", name="Grace Hopper").click()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in to ukcn")).to_be_visible()
    assert saml.logouts == ["AAdzZWNyZXQxQ2u9"]  # the IdP was asked to end its session too
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Log in to ukcn")).to_be_visible()

    saml.person = {**saml.person, "eduPersonEntitlement": []}  # the entitlement was withdrawn
    page.get_by_role("link", name="Sign in with Example University").click()
    expect(page.get_by_role("heading", name="You have no role in ukcn yet")).to_be_visible()
    expect(page.get_by_text("Ask the research-security office")).to_be_visible()
