import hashlib

from assessments.audit import audit_verify_chain
from assessments.models import AuditEvent
from ukcn.api_tokens import api_token_issue
from ukcn.models import ApiToken


def test_a_user_creates_a_token_and_sees_its_secret_once(client, reviewer):
    client.force_login(reviewer)
    response = client.post("/accounts/tokens/", {"name": "grants system"})
    assert response.status_code == 200
    secret = response.context["secret"]
    assert secret.startswith("ukcn_")
    assert secret in response.content.decode()
    assert secret not in client.get("/accounts/tokens/").content.decode()


def test_only_a_hash_of_the_token_is_stored(reviewer):
    token, secret = api_token_issue(user=reviewer, name="crm")
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {getattr(stored, f.attname) for f in ApiToken._meta.fields}


def test_a_token_authenticates_api_calls(client, reviewer):
    _, secret = api_token_issue(user=reviewer, name="crm")
    response = client.get("/api/v1/me/", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200
    assert response.json() == {
        "username": "reviewer",
        "roles": ["reviewer"],
        "department": None,
        "assignments": [{"role": "reviewer", "department": None, "source": "manual"}],
    }


def test_a_revoked_token_is_refused_with_401(client, reviewer):
    token, secret = api_token_issue(user=reviewer, name="crm")
    client.force_login(reviewer)
    response = client.post(f"/accounts/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    client.logout()
    response = client.get("/api/v1/me/", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 401
    assert response.json()["error"] == "Invalid or revoked API token."


def test_a_user_cannot_revoke_someone_elses_token(client, reviewer, approver):
    token, _secret = api_token_issue(user=approver, name="crm")
    client.force_login(reviewer)
    client.post(f"/accounts/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.is_active


def test_a_forged_token_with_a_real_prefix_is_refused(client, reviewer):
    _, secret = api_token_issue(user=reviewer, name="crm")
    forged = secret[:-4] + "AAAA"
    response = client.get("/api/v1/me/", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401


def test_issuing_and_revoking_a_token_are_audited_without_the_secret(client, reviewer):
    client.force_login(reviewer)
    secret = client.post("/accounts/tokens/", {"name": "grants system"}).context["secret"]
    token = ApiToken.objects.get(user=reviewer)
    client.post(f"/accounts/tokens/{token.pk}/revoke/", REMOTE_ADDR="192.0.2.7")

    events = AuditEvent.objects.filter(object_type="ukcn.apitoken", object_id=str(token.pk))
    issued, revoked = events.order_by("id")
    assert (issued.action, issued.actor, issued.summary) == (
        "api_token.issued",
        reviewer,
        f"Issued API token 'grants system' ({token.prefix}) for reviewer",
    )
    assert (revoked.action, revoked.actor, revoked.ip_address) == (
        "api_token.revoked",
        reviewer,
        "192.0.2.7",
    )
    assert all(secret not in event.summary + str(event.changes) for event in events)
    assert audit_verify_chain().ok


def test_a_refused_revocation_records_nothing(client, reviewer, approver):
    token, _secret = api_token_issue(user=approver, name="crm")
    client.force_login(reviewer)
    client.post(f"/accounts/tokens/{token.pk}/revoke/")
    assert not AuditEvent.objects.filter(action="api_token.revoked").exists()
