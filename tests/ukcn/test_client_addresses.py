"""The client's address behind the reverse proxy: believed only from trusted proxies."""

from ipaddress import ip_network

import pytest
from django.conf import settings as django_settings
from django.test import RequestFactory
from django.urls import reverse

from assessments.api.screening import ScreeningThrottle
from assessments.audit import client_ip
from assessments.models import AuditEvent
from tests.assessments.request_factories import make_request
from tests.conftest import PASSWORD
from tests.ukcn.test_settings import run_check

PROXY = "127.0.0.1"


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = [ip_network(PROXY), ip_network("10.0.0.0/8")]


def request_from(remote, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_nothing_is_trusted_by_default_so_x_forwarded_for_is_ignored():
    assert django_settings.TRUSTED_PROXIES == []
    assert client_ip(request_from(PROXY, "203.0.113.5")) == PROXY


def test_behind_a_trusted_proxy_the_forwarded_client_is_the_address(behind_proxy):
    assert client_ip(request_from(PROXY, "203.0.113.5")) == "203.0.113.5"
    # Through two of our proxies: the right-most untrusted entry.
    assert client_ip(request_from(PROXY, "203.0.113.5, 10.1.2.3")) == "203.0.113.5"
    assert client_ip(request_from(PROXY, "2001:db8::5")) == "2001:db8::5"


def test_a_client_cannot_choose_its_address_by_sending_the_header_itself(behind_proxy):
    # The client wrote "192.0.2.66"; our proxy appended the address it really saw.
    assert client_ip(request_from(PROXY, "192.0.2.66, 203.0.113.5")) == "203.0.113.5"
    # Straight to the app, not through a trusted proxy: the header counts for nothing.
    assert client_ip(request_from("203.0.113.9", "192.0.2.66")) == "203.0.113.9"


def test_a_garbled_header_falls_back_to_the_proxy(behind_proxy):
    assert client_ip(request_from(PROXY, "not-an-address")) == PROXY
    assert client_ip(request_from(PROXY, "")) == PROXY
    assert client_ip(request_from(PROXY)) == PROXY


def test_it_rejects_a_trusted_proxies_entry_that_is_not_an_address():
    result = run_check(TRUSTED_PROXIES="10.0.0.0/8,proxy.example")
    assert result.returncode != 0
    assert "TRUSTED_PROXIES entry 'proxy.example' is not an IP address" in result.stderr
    assert "Traceback" not in result.stderr


def test_failed_logins_behind_the_proxy_lock_only_the_guessers_address(
    client, reviewer, behind_proxy
):
    def attempt(password, address):
        return client.post(
            "/accounts/login/",
            {"username": reviewer.username, "password": password},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=address,
        )

    for _ in range(django_settings.AXES_FAILURE_LIMIT):
        attempt("wrong-password-123", "203.0.113.5")
    assert attempt(PASSWORD, "203.0.113.5").status_code == 429
    # The same user from their own desk, through the same proxy, still gets in.
    assert attempt(PASSWORD, "198.51.100.7").status_code == 302


def test_audit_events_and_on_demand_screening_record_the_forwarded_address(
    client, requester, reviewer, behind_proxy
):
    pr = make_request(requester)
    client.force_login(reviewer)
    headers = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.5"}
    url = reverse("assessments:request_screen_now", args=[pr.reference])
    assert client.post(url, **headers).status_code == 302
    assert AuditEvent.objects.get(action="screening.run").ip_address == "203.0.113.5"

    headers["HTTP_X_FORWARDED_FOR"] = "203.0.113.6"
    response = client.post(f"/api/v1/requests/{pr.reference}/screen/", **headers)
    assert response.status_code == 200
    assert AuditEvent.objects.filter(action="screening.run").last().ip_address == "203.0.113.6"


def test_the_api_rate_limit_identifies_the_client_as_audit_events_do(behind_proxy):
    throttle = ScreeningThrottle()
    assert throttle.get_ident(request_from(PROXY, "192.0.2.66, 203.0.113.5")) == "203.0.113.5"
    assert throttle.get_ident(request_from("203.0.113.9", "192.0.2.66")) == "203.0.113.9"
