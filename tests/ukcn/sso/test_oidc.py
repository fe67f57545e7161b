"""OpenID Connect sign-in against a real provider on 127.0.0.1: login, provisioning, roles
re-evaluated at each login, logout at the provider, and bad tokens refused."""

from urllib.parse import parse_qs, urlparse

import pytest
from django.contrib.auth import get_user_model
from django.utils.html import escape

from assessments.models import AuditEvent
from ukcn.models import Profile, RoleAssignment
from ukcn.roles import Role

from .conftest import AUDITORS, REQUESTERS, REVIEWERS, roles_of, sign_in


def test_the_login_page_offers_the_institution_when_configured(client, oidc):
    page = client.get("/accounts/login/")
    assert "Sign in with Example University" in page.content.decode()
    assert 'name="password"' in page.content.decode()


def test_the_login_page_offers_no_single_sign_on_when_it_is_off(client, db):
    page = client.get("/accounts/login/")
    assert "Sign in with" not in page.content.decode()
    assert client.get("/sso/oidc/login/").status_code == 404


def test_a_first_login_creates_the_user_with_department_and_roles(client, oidc, mappings):
    oidc.person = {
        "sub": "staff-0001",
        "email": "ada@example.ac.uk",
        "given_name": "Ada",
        "family_name": "Lovelace",
        "department": "Chemistry (FSE)",
        "groups": [REVIEWERS, REQUESTERS, "some-unmapped-group"],
    }
    response = sign_in(client, oidc)
    assert response.status_code == 302 and response["Location"] == "/"
    user = get_user_model().objects.get(username="oidc:staff-0001")
    assert (user.first_name, user.last_name, user.email) == ("Ada", "Lovelace", "ada@example.ac.uk")
    assert not user.has_usable_password()
    assert Profile.objects.get(user=user).department.code == "chem"
    assert roles_of(user) == {
        ("reviewer", None, "identity_provider"),
        ("requester", "chem", "identity_provider"),
    }
    assert client.get("/").wsgi_request.user == user
    event = AuditEvent.objects.filter(action="sso.login").latest("id")
    assert event.changes["provider"] == "oidc"
    assert event.changes["created"] is True
    assert event.changes["roles_added"] == [
        "Requester (Department of Chemistry)",
        "Reviewer",
    ]
    assert AuditEvent.objects.filter(action="role.granted").count() == 2


def test_the_next_login_removes_roles_the_provider_no_longer_asserts_and_keeps_manual_ones(
    client, oidc, mappings
):
    oidc.person = {"sub": "staff-0001", "groups": [REVIEWERS, AUDITORS]}
    sign_in(client, oidc)
    user = get_user_model().objects.get(username="oidc:staff-0001")
    RoleAssignment.objects.create(user=user, role=Role.APPROVER)  # given by hand in the admin
    client.post("/accounts/logout/")

    oidc.person = {"sub": "staff-0001", "groups": [AUDITORS]}
    response = sign_in(client, oidc)
    assert response.status_code == 302
    assert roles_of(user) == {
        ("auditor", None, "identity_provider"),
        ("approver", None, "manual"),
    }
    event = AuditEvent.objects.filter(action="sso.login").latest("id")
    assert event.changes["roles_removed"] == ["Reviewer"]
    assert event.changes["created"] is False
    assert AuditEvent.objects.filter(action="role.revoked").count() == 1


def test_a_user_the_mapping_gives_no_role_is_told_to_ask_the_office(client, oidc, mappings):
    oidc.person = {"sub": "staff-0002", "groups": ["some-unmapped-group"]}
    response = sign_in(client, oidc)
    assert response["Location"] == "/sso/no-role/"
    page = client.get("/sso/no-role/").content.decode()
    assert "You have no role in ukcn yet" in page
    assert "research-security office" in page


def test_the_subject_names_the_user_never_the_email(client, oidc, mappings):
    oidc.person = {"sub": "staff-0001", "email": "shared@example.ac.uk", "groups": [AUDITORS]}
    sign_in(client, oidc)
    client.post("/accounts/logout/")
    oidc.person = {"sub": "staff-0002", "email": "shared@example.ac.uk", "groups": [AUDITORS]}
    sign_in(client, oidc)
    usernames = set(get_user_model().objects.values_list("username", flat=True))
    assert {"oidc:staff-0001", "oidc:staff-0002"} <= usernames


def test_a_provider_cannot_assert_a_local_account(client, oidc, admin_user, mappings):
    oidc.person = {"sub": admin_user.username, "groups": [AUDITORS]}
    sign_in(client, oidc)
    user = client.get("/").wsgi_request.user
    assert user.username == f"oidc:{admin_user.username}"
    assert not user.is_superuser


def test_logout_ends_the_session_and_the_providers(client, oidc, mappings):
    oidc.person = {"sub": "staff-0001", "groups": [AUDITORS]}
    sign_in(client, oidc)
    issued = oidc.issued[-1]
    response = client.post("/accounts/logout/")
    assert response.status_code == 200
    assert "You are logged out of ukcn" in response.content.decode()
    target = urlparse(response.context["provider_url"])
    assert f'href="{escape(response.context["provider_url"])}"' in response.content.decode()
    assert f"{target.scheme}://{target.netloc}{target.path}" == f"{oidc.base}/logout"
    query = {k: v[0] for k, v in parse_qs(target.query).items()}
    assert query["id_token_hint"] == issued
    assert query["post_logout_redirect_uri"] == "http://testserver/accounts/login/"
    assert not client.get("/").wsgi_request.user.is_authenticated


def test_a_local_logout_does_not_visit_the_provider(client, oidc, requester):
    client.force_login(requester, backend="ukcn.sso.backends.LocalPasswordBackend")
    response = client.post("/accounts/logout/")
    assert response["Location"] == "/accounts/login/"


@pytest.mark.parametrize(
    "tamper, reason",
    [
        ("wrong_audience", "wrong audience"),
        ("expired", "the token has expired"),
        ("bad_signature", "the token&#x27;s signature is not valid"),
    ],
)
def test_a_bad_token_is_refused_with_a_clear_page_and_an_audit_event(
    client, oidc, mappings, tamper, reason
):
    oidc.person = {"sub": "staff-0001", "groups": [AUDITORS]}
    oidc.tamper = tamper
    response = sign_in(client, oidc)
    assert response.status_code == 403
    assert reason in response.content.decode()
    assert not client.get("/").wsgi_request.user.is_authenticated
    assert not get_user_model().objects.filter(username="oidc:staff-0001").exists()
    event = AuditEvent.objects.get(action="sso.login_failed")
    assert event.changes["provider"] == "oidc"
    assert reason.replace("&#x27;", "'") in event.changes["reason"]


def test_a_replayed_token_is_refused_by_its_nonce(client, oidc, mappings):
    oidc.person = {"sub": "staff-0001", "groups": [AUDITORS]}
    sign_in(client, oidc)
    client.post("/accounts/logout/")
    oidc.tamper = "replay"  # the provider (or an attacker) hands back the earlier token
    response = sign_in(client, oidc)
    assert response.status_code == 403
    assert "nonce does not match" in response.content.decode()
    assert not client.get("/").wsgi_request.user.is_authenticated
    assert "nonce" in AuditEvent.objects.get(action="sso.login_failed").changes["reason"]


def test_a_replayed_callback_is_refused(client, oidc, mappings):
    import requests

    oidc.person = {"sub": "staff-0001", "groups": [AUDITORS]}
    start = client.get("/sso/oidc/login/")
    callback = urlparse(
        requests.get(start["Location"], allow_redirects=False, timeout=10).headers["Location"]
    )
    assert client.get(f"{callback.path}?{callback.query}").status_code == 302
    client.post("/accounts/logout/")
    client.get("/sso/oidc/login/")  # a new attempt, so the session holds some other state
    again = client.get(f"{callback.path}?{callback.query}")
    assert again.status_code == 403
    assert "unknown or was already used" in again.content.decode()
    assert AuditEvent.objects.filter(action="sso.login_failed").count() == 1


def test_an_error_from_the_provider_is_shown_and_audited(client, oidc):
    client.get("/sso/oidc/login/")
    response = client.get("/sso/oidc/callback/?error=access_denied&state=x")
    assert response.status_code == 403
    assert "access_denied" in response.content.decode()
    assert AuditEvent.objects.filter(action="sso.login_failed").exists()


def test_a_deactivated_user_is_refused(client, oidc, mappings):
    oidc.person = {"sub": "staff-0001", "groups": [AUDITORS]}
    sign_in(client, oidc)
    client.post("/accounts/logout/")
    get_user_model().objects.filter(username="oidc:staff-0001").update(is_active=False)
    response = sign_in(client, oidc)
    assert response.status_code == 403
    assert "deactivated" in response.content.decode()


def test_a_provider_that_is_not_allowed_as_a_private_host_is_refused(
    client, oidc, mappings, settings
):
    settings.WATCHLIST_ALLOWED_PRIVATE_HOSTS = []
    oidc.person = {"sub": "staff-0001", "groups": [AUDITORS]}
    response = sign_in(client, oidc)
    assert response.status_code == 403
    assert "could not complete the sign-in" in response.content.decode()
    assert not client.get("/").wsgi_request.user.is_authenticated
