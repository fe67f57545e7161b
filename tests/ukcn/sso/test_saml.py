"""SAML 2.0 sign-in against a real pysaml2 identity provider on 127.0.0.1: the SP metadata,
login, provisioning from attributes, roles re-evaluated at each login, single logout, and bad
assertions (wrong audience, expired, bad signature, replay) refused."""

from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from django.contrib.auth import get_user_model
from lxml import etree

from assessments.models import AuditEvent
from ukcn.models import Profile, RoleAssignment
from ukcn.roles import Role

from .conftest import AUDITORS, REQUESTERS, REVIEWERS, roles_of, saml_post, saml_sign_in
from .saml_idp import b64decode, form_fields

MD = "urn:oasis:names:tc:SAML:2.0:metadata"


def test_the_metadata_names_ukcns_endpoints_and_certificate(client, saml):
    response = client.get("/saml/metadata/")
    assert response["Content-Type"].startswith("text/xml")
    root = etree.fromstring(response.content)
    assert root.get("entityID") == "http://testserver/saml/metadata/"
    acs = root.find(f".//{{{MD}}}AssertionConsumerService")
    assert acs.get("Location") == "http://testserver/saml/acs/"
    assert acs.get("Binding") == "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
    slo = {e.get("Binding"): e.get("Location") for e in root.iter(f"{{{MD}}}SingleLogoutService")}
    assert slo["urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"] == "http://testserver/saml/ls/"
    sp = root.find(f"{{{MD}}}SPSSODescriptor")
    assert sp.get("AuthnRequestsSigned") == "true"
    certificate = Path(saml.sp_cert_file).read_text().split("-----")[2].replace("\n", "")
    assert certificate in response.content.decode().replace("\n", "")


def test_the_entity_id_can_be_set(client, saml, settings):
    settings.SAML_ENTITY_ID = "https://ukcn.example.ac.uk/shibboleth"
    root = etree.fromstring(client.get("/saml/metadata/").content)
    assert root.get("entityID") == "https://ukcn.example.ac.uk/shibboleth"


def test_saml_is_off_by_default(client, db):
    page = client.get("/accounts/login/").content.decode()
    assert "Sign in with" not in page
    for path in ("/saml/login/", "/saml/metadata/", "/saml/ls/"):
        assert client.get(path).status_code == 404


def test_the_login_page_offers_the_institution(client, saml):
    page = client.get("/accounts/login/").content.decode()
    assert 'href="/saml/login/"' in page
    assert "Sign in with Example University" in page


def test_the_login_page_names_the_protocols_when_both_are_configured(client, saml, settings):
    settings.OIDC_ENABLED = True
    page = client.get("/accounts/login/").content.decode()
    assert "Sign in with Example University (OpenID Connect)" in page
    assert "Sign in with Example University (SAML)" in page


def test_the_request_is_signed_and_names_ukcns_consumer_service(client, saml):
    from saml2 import BINDING_HTTP_REDIRECT
    from saml2.server import Server

    location = client.get("/saml/login/")["Location"]
    query = {k: v[0] for k, v in parse_qs(urlparse(location).query).items()}
    assert query["SigAlg"].endswith("rsa-sha256") and query["Signature"]
    request = Server(config=saml.config()).parse_authn_request(
        query["SAMLRequest"], BINDING_HTTP_REDIRECT
    )
    assert request.message.issuer.text == "http://testserver/saml/metadata/"
    assert request.message.assertion_consumer_service_url == "http://testserver/saml/acs/"


def test_a_first_login_creates_the_user_with_department_and_roles(client, saml, mappings):
    saml.person = {
        "eduPersonPrincipalName": "ada@example.ac.uk",
        "mail": "ada.lovelace@example.ac.uk",
        "givenName": "Ada",
        "sn": "Lovelace",
        "ou": "Chemistry (FSE)",
        "eduPersonEntitlement": [REVIEWERS, REQUESTERS, "urn:mace:example.ac.uk:other"],
    }
    response = saml_sign_in(client, saml, next_url="/requests/")
    assert response.status_code == 302 and response["Location"] == "/requests/"
    user = get_user_model().objects.get(username="saml:ada@example.ac.uk")
    assert (user.first_name, user.last_name, user.email) == (
        "Ada",
        "Lovelace",
        "ada.lovelace@example.ac.uk",
    )
    assert not user.has_usable_password()
    assert Profile.objects.get(user=user).department.code == "chem"
    assert roles_of(user) == {
        ("reviewer", None, "identity_provider"),
        ("requester", "chem", "identity_provider"),
    }
    assert client.get("/").wsgi_request.user == user
    event = AuditEvent.objects.filter(action="sso.login").latest("id")
    assert event.changes["provider"] == "saml"
    assert event.changes["created"] is True
    assert event.changes["roles_added"] == ["Requester (Department of Chemistry)", "Reviewer"]


def test_groups_and_department_come_from_the_configured_attributes(
    client, saml, mappings, settings
):
    settings.SAML_GROUPS_ATTRIBUTES = ["isMemberOf"]
    settings.SAML_DEPARTMENT_ATTRIBUTES = ["departmentNumber"]
    saml.person = {
        "eduPersonPrincipalName": "ada@example.ac.uk",
        "departmentNumber": "chem",
        "isMemberOf": [REQUESTERS],
        "eduPersonEntitlement": [REVIEWERS],  # not read any more
    }
    saml_sign_in(client, saml)
    user = get_user_model().objects.get(username="saml:ada@example.ac.uk")
    assert roles_of(user) == {("requester", "chem", "identity_provider")}


def test_the_next_login_removes_roles_the_idp_no_longer_asserts_and_keeps_manual_ones(
    client, saml, mappings
):
    saml.person = {
        "eduPersonPrincipalName": "ada@example.ac.uk",
        "eduPersonEntitlement": [REVIEWERS, AUDITORS],
    }
    saml_sign_in(client, saml)
    user = get_user_model().objects.get(username="saml:ada@example.ac.uk")
    RoleAssignment.objects.create(user=user, role=Role.APPROVER)  # given by hand in the admin
    client.post("/accounts/logout/")

    saml.person = {"eduPersonPrincipalName": "ada@example.ac.uk", "eduPersonEntitlement": AUDITORS}
    assert saml_sign_in(client, saml).status_code == 302
    assert roles_of(user) == {
        ("auditor", None, "identity_provider"),
        ("approver", None, "manual"),
    }
    event = AuditEvent.objects.filter(action="sso.login").latest("id")
    assert event.changes["roles_removed"] == ["Reviewer"]
    assert event.changes["created"] is False
    assert AuditEvent.objects.filter(action="role.revoked").count() == 1


@pytest.mark.parametrize("kind", ["response_signed", "shibboleth"])
def test_a_signed_response_around_an_unsigned_or_encrypted_assertion_is_accepted(
    client, saml, mappings, kind
):
    saml.person = {"eduPersonPrincipalName": "ada@example.ac.uk", "eduPersonEntitlement": AUDITORS}
    saml.tamper = kind
    assert saml_sign_in(client, saml).status_code == 302
    assert client.get("/").wsgi_request.user.username == "saml:ada@example.ac.uk"
    if kind == "shibboleth":
        _, fields = form_fields(saml.responses[-1])
        response = b64decode(fields["SAMLResponse"])
        assert "EncryptedAssertion" in response and "ada@example.ac.uk" not in response


def test_a_user_the_mapping_gives_no_role_is_told_to_ask_the_office(client, saml, mappings):
    saml.person = {"eduPersonPrincipalName": "bob@example.ac.uk", "eduPersonEntitlement": "x"}
    response = saml_sign_in(client, saml)
    assert response["Location"] == "/sso/no-role/"
    assert "You have no role in ukcn yet" in client.get("/sso/no-role/").content.decode()


def test_the_persistent_nameid_names_the_user_when_no_attribute_does(client, saml, mappings):
    saml.person = {
        "persistent_id": "Xq3Jv0Ywz8v1Kp",
        "mail": "shared@example.ac.uk",
        "eduPersonEntitlement": AUDITORS,
    }
    saml_sign_in(client, saml)
    assert get_user_model().objects.filter(username="saml:Xq3Jv0Ywz8v1Kp").exists()


def test_an_email_alone_does_not_name_anyone(client, saml, mappings, settings):
    settings.SAML_USERNAME_ATTRIBUTES = ["eduPersonPrincipalName"]
    saml.person = {"mail": "ada@example.ac.uk", "eduPersonEntitlement": AUDITORS}
    response = saml_sign_in(client, saml)
    assert response.status_code == 403
    assert "an e-mail address or a transient NameID is not a stable identifier" in (
        response.content.decode()
    )
    assert not get_user_model().objects.filter(username__startswith="saml:").exists()
    event = AuditEvent.objects.get(action="sso.login_failed")
    assert event.changes["provider"] == "saml"


def test_an_idp_cannot_assert_a_local_account(client, saml, admin_user, mappings):
    saml.person = {"eduPersonPrincipalName": admin_user.username, "eduPersonEntitlement": AUDITORS}
    saml_sign_in(client, saml)
    user = client.get("/").wsgi_request.user
    assert user.username == f"saml:{admin_user.username}"
    assert not user.is_superuser


def test_logout_ends_the_session_and_the_idps(client, saml, mappings):
    saml.person = {"eduPersonPrincipalName": "ada@example.ac.uk", "eduPersonEntitlement": AUDITORS}
    saml_sign_in(client, saml)
    response = client.post("/accounts/logout/")
    assert response.status_code == 200
    assert "You are logged out of ukcn" in response.content.decode()
    assert not client.get("/").wsgi_request.user.is_authenticated
    provider_url = response.context["provider_url"]
    assert provider_url.startswith(f"{saml.base}/slo?SAMLRequest=")
    # The browser follows: the IdP ends its session and sends its answer back to ukcn.
    back = requests.get(provider_url, allow_redirects=False, timeout=10)
    assert back.status_code == 302, back.text
    assert saml.logouts == ["AAdzZWNyZXQxQ2u9"]
    answer = urlparse(back.headers["Location"])
    assert answer.path == "/saml/ls/"
    done = client.get(f"{answer.path}?{answer.query}")
    assert done.status_code == 302 and done["Location"] == "/accounts/login/"


def test_a_logout_at_the_idp_ends_the_ukcn_session(client, saml, mappings):
    saml.person = {"eduPersonPrincipalName": "ada@example.ac.uk", "eduPersonEntitlement": AUDITORS}
    saml_sign_in(client, saml)
    url = urlparse(saml.logout_request_url("AAdzZWNyZXQxQ2u9", "http://testserver/saml/metadata/"))
    response = client.get(f"{url.path}?{url.query}")
    assert not client.get("/").wsgi_request.user.is_authenticated
    answer = urlparse(response["Location"])  # back to the IdP, with ukcn's LogoutResponse
    assert f"{answer.scheme}://{answer.netloc}{answer.path}" == f"{saml.base}/slo"
    assert "SAMLResponse" in parse_qs(answer.query)


@pytest.mark.parametrize("forgery", ["unsigned", "tampered"])
def test_a_logout_request_without_the_idps_signature_is_refused(client, saml, mappings, forgery):
    saml.person = {"eduPersonPrincipalName": "ada@example.ac.uk", "eduPersonEntitlement": AUDITORS}
    saml_sign_in(client, saml)
    sp = "http://testserver/saml/metadata/"
    url = urlparse(saml.logout_request_url("AAdzZWNyZXQxQ2u9", sp, sign=forgery != "unsigned"))
    query = url.query
    if forgery == "tampered":  # a signed request whose RelayState was changed on the way
        query += "&RelayState=https%3A%2F%2Fevil.example%2F"
    response = client.get(f"{url.path}?{query}")
    assert response.status_code == 403
    assert "Logout request refused" in response.content.decode()
    assert client.get("/").wsgi_request.user.is_authenticated


def test_logout_stays_local_when_single_logout_is_off(client, saml, mappings, settings):
    settings.SAML_SINGLE_LOGOUT = False
    saml.person = {"eduPersonPrincipalName": "ada@example.ac.uk", "eduPersonEntitlement": AUDITORS}
    saml_sign_in(client, saml)
    response = client.post("/accounts/logout/")
    assert response["Location"] == "/accounts/login/"
    assert not client.get("/").wsgi_request.user.is_authenticated
    assert saml.logouts == []


@pytest.mark.parametrize(
    "tamper, reason",
    [
        ("wrong_audience", "issued for another service (wrong audience)"),
        ("expired", "the assertion has expired"),
        ("bad_signature", "the assertion&#x27;s signature is not valid"),
        ("unsigned", "the assertion&#x27;s signature is not valid"),
    ],
)
def test_a_bad_assertion_is_refused_with_a_clear_page_and_an_audit_event(
    client, saml, mappings, tamper, reason
):
    saml.person = {"eduPersonPrincipalName": "ada@example.ac.uk", "eduPersonEntitlement": AUDITORS}
    saml.tamper = tamper
    response = saml_sign_in(client, saml)
    assert response.status_code == 403
    page = response.content.decode()
    assert "Sign-in with Example University was refused" in page
    assert reason in page
    assert not client.get("/").wsgi_request.user.is_authenticated
    assert not get_user_model().objects.filter(username="saml:ada@example.ac.uk").exists()
    event = AuditEvent.objects.get(action="sso.login_failed")
    assert event.changes["provider"] == "saml"
    assert reason.replace("&#x27;", "'") in event.changes["reason"]


def test_a_replayed_response_is_refused(client, saml, mappings):
    saml.person = {"eduPersonPrincipalName": "ada@example.ac.uk", "eduPersonEntitlement": AUDITORS}
    saml_sign_in(client, saml)
    client.post("/accounts/logout/")
    client.get("/saml/login/")  # a new attempt: the session waits for another response
    again = saml_post(client, saml.responses[-1])  # an attacker posts the captured response
    assert again.status_code == 403
    assert "already used (a replayed response?)" in again.content.decode()
    assert not client.get("/").wsgi_request.user.is_authenticated
    assert "replayed" in AuditEvent.objects.get(action="sso.login_failed").changes["reason"]


def test_a_response_posted_in_another_browser_is_refused(client, saml, mappings):
    from django.test import Client

    saml.person = {"eduPersonPrincipalName": "ada@example.ac.uk", "eduPersonEntitlement": AUDITORS}
    start = client.get("/saml/login/")
    page = requests.get(start["Location"], timeout=10).text
    response = saml_post(Client(), page)  # no request of this browser's to answer
    assert response.status_code == 403
    assert "answers no sign-in ukcn started in this browser" in response.content.decode()


def test_a_deactivated_user_is_refused(client, saml, mappings):
    saml.person = {"eduPersonPrincipalName": "ada@example.ac.uk", "eduPersonEntitlement": AUDITORS}
    saml_sign_in(client, saml)
    client.post("/accounts/logout/")
    get_user_model().objects.filter(username="saml:ada@example.ac.uk").update(is_active=False)
    response = saml_sign_in(client, saml)
    assert response.status_code == 403
    assert "deactivated" in response.content.decode()


def test_an_idp_that_is_not_allowed_as_a_private_host_is_refused(client, saml, settings):
    from ukcn.sso.saml import metadata_cache_clear

    settings.WATCHLIST_ALLOWED_PRIVATE_HOSTS = []
    metadata_cache_clear()
    response = client.get("/saml/login/")
    assert response.status_code == 403
    assert "could not fetch the identity provider&#x27;s metadata" in response.content.decode()
    assert AuditEvent.objects.filter(action="sso.login_failed").exists()


def test_metadata_signed_with_the_federations_key_is_used(client, saml, mappings, settings):
    from ukcn.sso.saml import metadata_cache_clear

    saml.sign_metadata = True
    settings.SAML_IDP_METADATA_CERT = saml.cert_file  # the test IdP signs its own metadata
    metadata_cache_clear()
    saml.person = {"eduPersonPrincipalName": "ada@example.ac.uk", "eduPersonEntitlement": AUDITORS}
    assert saml_sign_in(client, saml).status_code == 302
    assert client.get("/").wsgi_request.user.username == "saml:ada@example.ac.uk"


@pytest.mark.parametrize("signed", [True, False])
def test_metadata_not_signed_with_the_federations_key_is_refused(client, saml, settings, signed):
    from ukcn.sso.saml import metadata_cache_clear

    saml.sign_metadata = signed
    settings.SAML_IDP_METADATA_CERT = saml.rogue_cert_file
    metadata_cache_clear()
    response = client.get("/saml/login/")
    assert response.status_code == 403
    assert "metadata is not signed with the federation&#x27;s key" in response.content.decode()
    event = AuditEvent.objects.get(action="sso.login_failed")
    assert "not signed" in event.changes["reason"]


def test_metadata_naming_several_idps_is_refused_clearly(client, saml, settings, tmp_path):
    one = saml.metadata().split("?>", 1)[-1]
    other = one.replace(saml.entity_id, "https://idp.elsewhere.ac.uk/idp/shibboleth")
    aggregate = tmp_path / "aggregate.xml"
    aggregate.write_text(
        f'<md:EntitiesDescriptor xmlns:md="{MD}">{one}{other}</md:EntitiesDescriptor>'
    )
    settings.SAML_IDP_METADATA_URL = ""
    settings.SAML_IDP_METADATA_FILE = str(aggregate)
    response = client.get("/saml/login/")
    assert response.status_code == 403
    assert "names 2 identity providers where ukcn needs exactly one" in response.content.decode()


def test_the_idp_metadata_can_come_from_a_file(client, saml, mappings, settings, tmp_path):
    metadata = tmp_path / "idp.xml"
    metadata.write_text(saml.metadata())
    settings.SAML_IDP_METADATA_URL = ""
    settings.SAML_IDP_METADATA_FILE = str(metadata)
    saml.person = {"eduPersonPrincipalName": "ada@example.ac.uk", "eduPersonEntitlement": AUDITORS}
    assert saml_sign_in(client, saml).status_code == 302
    assert client.get("/").wsgi_request.user.username == "saml:ada@example.ac.uk"


def test_ukcns_metadata_is_served_before_the_idps_can_be_had(client, saml, settings):
    from ukcn.sso.saml import metadata_cache_clear

    settings.SAML_IDP_METADATA_URL = f"{saml.base}/no-metadata-here"
    metadata_cache_clear()
    response = client.get("/saml/metadata/")
    assert response.status_code == 200
    assert etree.fromstring(response.content).get("entityID") == "http://testserver/saml/metadata/"
    assert client.get("/saml/login/").status_code == 403  # signing in needs the IdP's
