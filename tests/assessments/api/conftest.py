import pytest
from django.core.cache import caches

from ukcn.api_tokens import api_token_issue


@pytest.fixture(autouse=True)
def _fresh_throttle_history():
    # Throttle counts live in the shared cache; one test's calls must not limit the next.
    caches["shared"].clear()
    yield
    caches["shared"].clear()


@pytest.fixture
def bearer():
    """Authorization headers with a fresh personal API token of the user."""

    def headers(user) -> dict:
        _token, secret = api_token_issue(user=user, name="tests")
        return {"Authorization": f"Bearer {secret}"}

    return headers
