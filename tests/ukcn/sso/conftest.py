from urllib.parse import urlparse

import pytest
import requests
from django.conf import settings as django_settings

from .idp import Provider


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
