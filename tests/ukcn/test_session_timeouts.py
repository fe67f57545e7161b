"""Browser sessions end after SESSION_IDLE_SECONDS unused or SESSION_COOKIE_AGE in all; with
DEBUG off the session and CSRF cookies carry the __Host- prefix."""

import time

from django.contrib.auth import SESSION_KEY

from tests.conftest import PASSWORD
from ukcn.api_tokens import api_token_issue
from ukcn.middleware import SESSION_LAST_SEEN, SESSION_STARTED

from .test_settings import AUDIT_KEY, run_check


def log_in(client, user):
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def age_session(client, *, started_ago: float = 0, idle_for: float = 0):
    session = client.session
    now = time.time()
    session[SESSION_STARTED] = now - started_ago
    session[SESSION_LAST_SEEN] = now - idle_for
    session.save()


def test_logging_in_starts_the_clocks(client, reviewer):
    log_in(client, reviewer)
    session = client.session
    assert time.time() - session[SESSION_STARTED] < 5
    assert time.time() - session[SESSION_LAST_SEEN] < 5


def test_a_session_idle_past_the_limit_is_logged_out_with_a_message(client, reviewer, settings):
    log_in(client, reviewer)
    age_session(client, idle_for=settings.SESSION_IDLE_SECONDS + 1)
    response = client.get("/", follow=True)
    assert response.redirect_chain[0][0].startswith("/accounts/login/?next=/")
    assert "logged out after 30 minutes without activity" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_a_session_used_within_the_limit_stays_and_its_clock_restarts(client, reviewer, settings):
    log_in(client, reviewer)
    age_session(client, idle_for=settings.SESSION_IDLE_SECONDS - 5)
    assert client.get("/").status_code == 200
    assert time.time() - client.session[SESSION_LAST_SEEN] < 5


def test_the_idle_limit_follows_the_setting(client, reviewer, settings):
    settings.SESSION_IDLE_SECONDS = 300
    log_in(client, reviewer)
    age_session(client, idle_for=301)
    response = client.get("/", follow=True)
    assert "logged out after 5 minutes without activity" in response.content.decode()


def test_a_busy_session_still_ends_at_its_absolute_lifetime(client, reviewer, settings):
    log_in(client, reviewer)
    age_session(client, started_ago=settings.SESSION_COOKIE_AGE + 1, idle_for=10)
    response = client.get("/", follow=True)
    assert "reached its limit of 8 hours" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_an_idle_session_calling_the_api_gets_json_not_a_login_page(client, reviewer, settings):
    log_in(client, reviewer)
    age_session(client, idle_for=settings.SESSION_IDLE_SECONDS + 1)
    response = client.get("/api/v1/requests/")
    assert response.status_code in (401, 403)
    assert response["Content-Type"].startswith("application/json")


def test_a_token_call_has_no_session_to_time_out_and_gets_no_cookie(client, reviewer, settings):
    _token, secret = api_token_issue(user=reviewer, name="grants system")
    response = client.get("/api/v1/requests/", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200
    assert settings.SESSION_COOKIE_NAME not in response.cookies


def test_production_names_the_cookies_with_the_host_prefix():
    result = run_check(
        "shell",
        "-c",
        "from django.conf import settings as s; print(s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME,"
        " s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_DOMAIN,"
        " s.SESSION_COOKIE_PATH, s.CSRF_COOKIE_PATH)",
        DEBUG="false",
        SECRET_KEY="x" * 50,
        AUDIT_HMAC_KEYS=AUDIT_KEY,
        ALLOWED_HOSTS="ukcn.example.ac.uk",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == [
        "__Host-sessionid",
        "__Host-csrftoken",
        "True",
        "True",
        "None",
        "/",
        "/",
    ]


def test_development_keeps_the_plain_cookie_names():
    result = run_check(
        "shell", "-c", "from django.conf import settings as s; print(s.SESSION_COOKIE_NAME)"
    )
    assert result.stdout.splitlines()[-1] == "sessionid"


def test_a_host_prefixed_cookie_without_secure_refuses_to_start():
    result = run_check(
        DEBUG="false",
        SECRET_KEY="x" * 50,
        AUDIT_HMAC_KEYS=AUDIT_KEY,
        ALLOWED_HOSTS="ukcn.example.ac.uk",
        SESSION_COOKIE_SECURE="false",
    )
    assert result.returncode != 0
    assert "Cookie __Host-sessionid needs Secure" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_idle_limit_outside_a_minute_to_the_session_age_refuses_to_start():
    for value in ("30", str(8 * 60 * 60 + 1)):
        result = run_check(SESSION_IDLE_SECONDS=value)
        assert result.returncode != 0
        assert f"SESSION_IDLE_SECONDS={value} must be from 60 up to SESSION_COOKIE_AGE" in (
            result.stderr
        )


def test_the_host_prefixed_cookies_are_sent_secure_host_only_for_the_whole_site(
    client, reviewer, settings
):
    settings.SESSION_COOKIE_NAME, settings.SESSION_COOKIE_SECURE = "__Host-sessionid", True
    settings.CSRF_COOKIE_NAME, settings.CSRF_COOKIE_SECURE = "__Host-csrftoken", True
    client.get("/accounts/login/")
    response = log_in(client, reviewer)
    for name in ("__Host-sessionid", "__Host-csrftoken"):
        cookie = response.cookies[name]
        assert cookie["secure"] is True
        assert cookie["path"] == "/"
        assert cookie["domain"] == ""
