"""Log-in throttling, session lifetime and CSRF on forms and session-authenticated API writes."""

import re
from pathlib import Path

from django.conf import settings
from django.test import Client

from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]


def attempt(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_the_login_page_locks_a_username_after_repeated_failures(client, reviewer):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = attempt(client, reviewer.username, "wrong-password-123")
        assert response.status_code == 200
    response = attempt(client, reviewer.username, "wrong-password-123")
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many failed log-ins" in page
    assert f"after {settings.AXES_FAILURE_LIMIT} failed attempts" in page
    # Even the right password is refused while the lock holds.
    response = attempt(client, reviewer.username, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_lockout_does_not_spill_over_to_another_username(client, reviewer, approver):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, reviewer.username, "wrong-password-123")
    response = attempt(client, approver.username, PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(approver.pk)


def test_a_successful_login_resets_the_failure_count(client, reviewer):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(client, reviewer.username, "wrong-password-123")
    assert attempt(client, reviewer.username, PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, reviewer.username, "wrong-password-123").status_code == 200
    assert attempt(client, reviewer.username, PASSWORD).status_code == 302


def test_the_admin_login_is_throttled_too(client, admin_user):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/admin/login/", {"username": "admin", "password": "wrong-password-123"})
    response = client.post("/admin/login/", {"username": "admin", "password": PASSWORD})
    assert response.status_code == 429


def test_the_session_cookie_expires_after_the_configured_age(client, reviewer, settings):
    settings.SESSION_COOKIE_AGE = 900
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = False
    response = attempt(client, reviewer.username, PASSWORD)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == 900
    assert client.session.get_expiry_age() == 900


def test_sessions_end_with_the_browser_and_after_eight_hours_by_default():
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    assert settings.SESSION_COOKIE_HTTPONLY is True


def test_a_session_past_its_age_is_logged_out(client, reviewer, settings):
    settings.SESSION_COOKIE_AGE = 1
    client.force_login(reviewer)
    session = client.session
    session.set_expiry(-1)  # already expired
    session.save()
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_every_post_form_in_the_templates_carries_a_csrf_token():
    templates = sorted((ROOT / "templates").rglob("*.html"))
    assert len(templates) > 20
    missing = []
    for template in templates:
        text = template.read_text("utf-8")
        for form in re.finditer(r"<form\b[^>]*>(.*?)</form>", text, re.S | re.I):
            opening = form.group(0).split(">", 1)[0]
            if re.search(r"method\s*=\s*[\"']?post", opening, re.I) and (
                "csrf_token" not in form.group(1)
            ):
                missing.append(str(template.relative_to(ROOT)))
    assert not missing, f"POST forms without {{% csrf_token %}}: {missing}"


def test_a_login_post_without_a_csrf_token_is_refused(db, reviewer):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "reviewer", "password": PASSWORD})
    assert response.status_code == 403


def test_a_session_authenticated_api_write_needs_a_csrf_token(db, reviewer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(reviewer)
    body = {"name": "Beihang University", "country": "CN"}
    response = client.post("/api/v1/screen", body, content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.content.decode()
    client.get("/")  # any page sets the CSRF cookie
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    response = client.post(
        "/api/v1/screen", body, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code == 200


def test_a_token_authenticated_api_write_needs_no_csrf_token(db, reviewer):
    from ukcn.api_tokens import api_token_issue

    _token, secret = api_token_issue(user=reviewer, name="grants system")
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/api/v1/screen",
        {"name": "Beihang University", "country": "CN"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert response.status_code == 200
