"""API tokens may expire, and die with their user's password or account."""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth.hashers import make_password
from django.core.management import CommandError, call_command
from django.utils import timezone

from assessments.models import AuditEvent
from tests.conftest import PASSWORD
from ukcn.api_tokens import api_token_check, api_token_issue
from ukcn.models import ApiToken


def call_me(client, secret):
    return client.get("/api/v1/me/", headers={"Authorization": f"Bearer {secret}"})


def test_a_token_works_until_its_expiry_then_answers_401_with_a_json_error(client, reviewer):
    token, secret = api_token_issue(
        user=reviewer, name="crm", expires_at=timezone.now() + timedelta(days=1)
    )
    assert call_me(client, secret).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = call_me(client, secret)
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"].startswith("This API token expired on ")
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_an_expired_token_with_a_wrong_secret_says_nothing_about_expiry(client, reviewer):
    token, secret = api_token_issue(
        user=reviewer, name="crm", expires_at=timezone.now() + timedelta(days=1)
    )
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(days=1))
    response = call_me(client, secret[:-4] + "AAAA")
    assert response.status_code == 401
    assert response.json()["error"] == "Invalid or revoked API token."


def test_a_token_cannot_be_issued_already_expired(reviewer):
    with pytest.raises(ValueError, match="must lie in the future"):
        api_token_issue(user=reviewer, name="crm", expires_at=timezone.now())


def test_the_tokens_page_sets_the_expiry_chosen_and_records_it(client, reviewer):
    client.force_login(reviewer)
    client.post("/accounts/tokens/", {"name": "grants system", "expires_in": "30"})
    token = ApiToken.objects.get(user=reviewer)
    assert abs(token.expires_at - (timezone.now() + timedelta(days=30))) < timedelta(minutes=1)
    event = AuditEvent.objects.get(action="api_token.issued")
    assert ", expiring " in event.summary
    assert event.changes["expires_at"] == token.expires_at.isoformat()
    client.post("/accounts/tokens/", {"name": "forever", "expires_in": ""})
    assert ApiToken.objects.get(name="forever").expires_at is None


def test_the_tokens_page_refuses_an_expiry_it_does_not_offer(client, reviewer):
    client.force_login(reviewer)
    response = client.post("/accounts/tokens/", {"name": "crm", "expires_in": "99999"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_the_command_sets_an_expiry_and_refuses_a_silly_one(reviewer):
    out = StringIO()
    call_command(
        "api_token_create", "reviewer", "--expires-in-days", "7", stdout=out, stderr=StringIO()
    )
    token = api_token_check(out.getvalue().strip())
    assert abs(token.expires_at - (timezone.now() + timedelta(days=7))) < timedelta(minutes=1)
    with pytest.raises(CommandError, match="from 1 to 3650"):
        call_command("api_token_create", "reviewer", "--expires-in-days", "0", stderr=StringIO())


def test_changing_ones_password_revokes_every_token_with_an_audit_event(client, reviewer):
    _, first = api_token_issue(user=reviewer, name="crm")
    _, second = api_token_issue(user=reviewer, name="grants")
    client.force_login(reviewer)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "a-brand-new-passphrase-42",
            "new_password2": "a-brand-new-passphrase-42",
        },
    )
    assert response.status_code == 302
    client.logout()
    assert call_me(client, first).status_code == 401
    assert call_me(client, second).status_code == 401
    event = AuditEvent.objects.get(action="api_token.revoked")
    assert event.summary == "Revoked 2 API token(s) of reviewer: the user's password changed"
    assert event.object_type == "auth.user" and event.object_id == str(reviewer.pk)
    assert len(event.changes["tokens"]) == 2


def test_an_administrator_setting_a_password_revokes_the_tokens(client, reviewer, admin_user):
    token, _ = api_token_issue(user=reviewer, name="crm")
    client.force_login(admin_user)
    client.post(
        f"/admin/auth/user/{reviewer.pk}/password/",
        {"password1": "another-long-passphrase-7", "password2": "another-long-passphrase-7"},
    )
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_deactivating_a_user_in_the_admin_revokes_their_tokens(client, reviewer, admin_user):
    token, secret = api_token_issue(user=reviewer, name="crm")
    client.force_login(admin_user)
    client.post(f"/admin/auth/user/{reviewer.pk}/delete/", {"post": "yes"})
    token.refresh_from_db()
    assert token.revoked_at is not None
    event = AuditEvent.objects.get(action="api_token.revoked")
    assert event.summary.endswith(": the user was deactivated")
    # Reactivating the account does not bring the token back.
    reviewer.refresh_from_db()
    reviewer.is_active = True
    reviewer.save()
    client.logout()
    assert call_me(client, secret).status_code == 401


def test_a_password_hash_upgraded_at_log_in_revokes_nothing(client, reviewer):
    # An MD5 hash with a short salt is one Django upgrades when the user next logs in.
    reviewer.password = make_password(PASSWORD, salt="ab", hasher="md5")
    reviewer.save()
    token, secret = api_token_issue(user=reviewer, name="crm")
    old_hash = reviewer.password
    client.post("/accounts/login/", {"username": "reviewer", "password": PASSWORD})
    reviewer.refresh_from_db()
    assert reviewer.password != old_hash  # upgraded
    token.refresh_from_db()
    assert token.revoked_at is None
    client.logout()
    assert call_me(client, secret).status_code == 200


def test_other_saves_of_the_user_revoke_nothing(reviewer):
    token, _ = api_token_issue(user=reviewer, name="crm")
    reviewer.first_name = "Rita"
    reviewer.save()
    reviewer.last_login = timezone.now()
    reviewer.save(update_fields=["last_login"])
    token.refresh_from_db()
    assert token.revoked_at is None
    assert not AuditEvent.objects.filter(action="api_token.revoked").exists()
