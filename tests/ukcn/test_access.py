"""Every page but login and the health check needs a logged-in user."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

# The guidance feeds answer 401 without a login or a peer's token (tested in tests/guidance).
# Single sign-on's start and callback are log-in pages, and SAML's consumer and logout
# services and metadata answer the IdP and the federation (tested in tests/ukcn/sso).
PUBLIC = {
    "login",
    "healthz",
    "feed_json",
    "feed_atom",
    "oidc_login",
    "oidc_callback",
    "acs",
    "ls",
    "ls_post",
    "metadata",
}


def iter_patterns(resolver, prefix=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue  # the admin guards itself with its own login; tested below
            yield from iter_patterns(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield pattern, prefix + str(pattern.pattern)


def sample_path(route: str) -> str:
    """Turn a route such as 'requests/<int:pk>/' into a concrete path with placeholder values."""
    import re

    path = re.sub(r"\(\?P<[^>]+>[^)]*\)", "1", route)
    path = re.sub(r"<int:[^>]+>", "1", path)
    path = re.sub(r"<uuid:[^>]+>", "00000000-0000-0000-0000-000000000001", path)
    path = re.sub(r"<[^>]+>", "x", path)
    path = path.replace("^", "").replace("$", "").replace("\\Z", "")
    return "/" + path


ROUTES = [
    (pattern.name, sample_path(route))
    for pattern, route in iter_patterns(get_resolver())
    if pattern.name not in PUBLIC and "format" not in route
]


@pytest.mark.parametrize(("name", "path"), ROUTES, ids=[name or path for name, path in ROUTES])
def test_every_page_turns_an_anonymous_visitor_away(client, db, name, path):
    response = client.get(path)
    if path.startswith("/api/"):
        # API clients get a JSON 401 rather than a redirect to a login page.
        assert response.status_code == 401, f"{path} answered {response.status_code}"
    else:
        assert response.status_code == 302, f"{path} answered {response.status_code}"
        assert response["Location"].startswith("/accounts/login/")


def test_the_admin_sends_an_anonymous_visitor_to_its_login(client, db):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_the_login_page_is_open(client, db):
    assert client.get("/accounts/login/").status_code == 200


def test_a_logged_in_user_sees_the_dashboard(client, reviewer):
    client.force_login(reviewer)
    response = client.get("/")
    assert response.status_code == 200
    assert b"Dashboard" in response.content


def test_logout_needs_a_post(client, reviewer):
    client.force_login(reviewer)
    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_a_user_can_change_their_password(client, reviewer):
    from tests.conftest import PASSWORD

    client.force_login(reviewer)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "a-much-longer-passphrase-2026",
            "new_password2": "a-much-longer-passphrase-2026",
        },
    )
    assert response.status_code == 302
    reviewer.refresh_from_db()
    assert reviewer.check_password("a-much-longer-passphrase-2026")
