from urllib.parse import urlparse

import pytest
import requests
from django.conf import settings as django_settings

from ukcn.models import Department, RoleAssignment
from ukcn.roles import Role
from ukcn.sso.models import ProviderMapping

from .idp import Provider
from .saml_idp import SamlIdp, form_fields

REVIEWERS = "urn:mace:example.ac.uk:entitlement:ukcn-reviewer"
REQUESTERS = "0f6e-requesters-group-id"  # an Entra group id, say
AUDITORS = "urn:mace:example.ac.uk:entitlement:ukcn-auditor"


@pytest.fixture
def chemistry(db):
    return Department.objects.create(name="Department of Chemistry", code="chem")


@pytest.fixture
def mappings(chemistry):
    ProviderMapping.objects.create(value=REVIEWERS, role=Role.REVIEWER)
    ProviderMapping.objects.create(value=REQUESTERS, role=Role.REQUESTER)
    ProviderMapping.objects.create(value=AUDITORS, role=Role.AUDITOR)
    ProviderMapping.objects.create(value="Chemistry (FSE)", department=chemistry)


def roles_of(user):
    return {
        (a.role, a.department.code if a.department else None, a.source)
        for a in RoleAssignment.objects.filter(user=user).select_related("department")
    }


@pytest.fixture(scope="session")
def provider():
    running = Provider().start()
    yield running
    running.stop()


@pytest.fixture
def oidc(db, provider, settings):
    """ukcn configured to sign in with the test provider, which is reset for each test."""
    provider.person = {"sub": "staff-0001", "email": "ada@example.ac.uk"}
    provider.tamper = ""
    provider.issued.clear()
    provider.logouts.clear()
    for name, value in provider.settings().items():
        setattr(settings, name, value)
    settings.SSO_INSTITUTION = "Example University"
    settings.AUTHENTICATION_BACKENDS = [
        *django_settings.AUTHENTICATION_BACKENDS,
        "ukcn.sso.oidc.OidcBackend",
    ]
    # The provider is on loopback and plain http: allowed by name, as a deployment would.
    settings.WATCHLIST_ALLOWED_PRIVATE_HOSTS = ["127.0.0.1"]
    settings.WATCHLIST_ALLOW_HTTP = True
    return provider


def sign_in(client, provider, next_url: str = ""):
    """Drive the whole code flow: ukcn → provider (a real HTTP request) → ukcn's callback."""
    start = client.get("/sso/oidc/login/" + (f"?next={next_url}" if next_url else ""))
    assert start.status_code == 302, start
    assert start["Location"].startswith(f"{provider.base}/authorize?")
    answer = requests.get(start["Location"], allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    callback = urlparse(answer.headers["Location"])
    return client.get(f"{callback.path}?{callback.query}")


@pytest.fixture(scope="session")
def saml_idp():
    running = SamlIdp().start()
    yield running
    running.stop()


def saml_configure(settings, client, idp, site_url: str = "http://testserver"):
    """Point ukcn at the test IdP, and the IdP at ukcn's metadata (as a federation would)."""
    from ukcn.sso.saml import metadata_cache_clear

    idp.person = {"eduPersonPrincipalName": "ada@example.ac.uk", "mail": "ada@example.ac.uk"}
    idp.tamper = ""
    idp.sign_metadata = False
    idp.sp_metadata = ""
    idp.responses.clear()
    idp.logouts.clear()
    for name, value in idp.settings().items():
        setattr(settings, name, value)
    settings.SITE_URL = site_url
    settings.SSO_INSTITUTION = "Example University"
    settings.AUTHENTICATION_BACKENDS = [
        *django_settings.AUTHENTICATION_BACKENDS,
        "ukcn.sso.saml.SamlBackend",
    ]
    # The IdP's metadata is fetched from loopback over plain http: allowed by name.
    settings.WATCHLIST_ALLOWED_PRIVATE_HOSTS = ["127.0.0.1"]
    settings.WATCHLIST_ALLOW_HTTP = True
    metadata_cache_clear()
    metadata = client.get("/saml/metadata/")
    assert metadata.status_code == 200, metadata.content
    idp.sp_metadata = metadata.content.decode()
    return idp


@pytest.fixture
def saml(db, saml_idp, settings, client):
    """ukcn configured to sign in with the test SAML IdP, which is reset for each test."""
    return saml_configure(settings, client, saml_idp)


def saml_sign_in(client, idp, next_url: str = ""):
    """Drive the whole Web SSO profile: ukcn's AuthnRequest (redirect) → the IdP (a real HTTP
    request) → its signed response posted back to ukcn's assertion consumer service."""
    start = client.get("/saml/login/" + (f"?next={next_url}" if next_url else ""))
    assert start.status_code == 302, start
    assert start["Location"].startswith(f"{idp.base}/sso?")
    answer = requests.get(start["Location"], allow_redirects=False, timeout=10)
    assert answer.status_code == 200, answer.text
    return saml_post(client, answer.text)


def saml_post(client, page: str):
    """What a browser does with the IdP's auto-submitting form."""
    action, fields = form_fields(page)
    client.handler.enforce_csrf_checks = True  # a browser's cross-site POST carries no token
    try:
        return client.post(urlparse(action).path, fields, headers={"Origin": "http://127.0.0.1"})
    finally:
        client.handler.enforce_csrf_checks = False
