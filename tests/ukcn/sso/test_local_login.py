"""LOCAL_LOGIN keeps local passwords for everyone, for the break-glass superusers, or no one."""

import pytest

from tests.conftest import PASSWORD

from ..test_settings import run_check


def log_in(client, user):
    return client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})


def test_everyone_may_use_a_local_password_by_default(client, requester):
    assert log_in(client, requester).status_code == 302


def test_superusers_only_refuses_other_local_passwords(client, oidc, settings, requester):
    settings.LOCAL_LOGIN = "superusers"
    response = log_in(client, requester)
    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated
    page = client.get("/accounts/login/").content.decode()
    assert "Administrator log-in (local password)" in page
    assert "Sign in with Example University" in page


def test_superusers_only_lets_the_break_glass_administrator_in(client, oidc, settings, admin_user):
    settings.LOCAL_LOGIN = "superusers"
    admin_user.set_password(PASSWORD)
    admin_user.save()
    assert log_in(client, admin_user).status_code == 302


def test_off_refuses_every_local_password_and_hides_the_form(client, oidc, settings, admin_user):
    settings.LOCAL_LOGIN = "off"
    admin_user.set_password(PASSWORD)
    admin_user.save()
    assert log_in(client, admin_user).status_code == 200
    page = client.get("/accounts/login/").content.decode()
    assert 'name="password"' not in page
    assert "Sign in with Example University" in page


@pytest.mark.parametrize(
    "env, message",
    [
        (
            {"LOCAL_LOGIN": "sometimes"},
            "LOCAL_LOGIN='sometimes' is not one of all, superusers, off",
        ),
        (
            {"LOCAL_LOGIN": "off"},
            "LOCAL_LOGIN=off needs single sign-on (OIDC_ENABLED or SAML_ENABLED)",
        ),
        (
            {"OIDC_ENABLED": "true", "OIDC_RP_CLIENT_ID": "x"},
            "OIDC_ENABLED=true also needs OIDC_OP_ISSUER, OIDC_OP_AUTHORIZATION_ENDPOINT",
        ),
    ],
)
def test_a_bad_single_sign_on_setting_stops_start_up_with_one_line(env, message):
    result = run_check(**env)
    assert result.returncode != 0
    assert message in result.stderr
