"""Pages sent to a logged-in user are never kept by a browser or proxy cache."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from tests.assessments.request_factories import make_request
from ukcn.api_tokens import api_token_issue
from ukcn.middleware import NoStoreForAuthenticatedMiddleware


@pytest.fixture
def pr(requester):
    return make_request(requester)


def no_store(response):
    return "no-store" in response.get("Cache-Control", "")


def test_authenticated_pages_api_answers_and_exports_are_no_store(client, requester, pr):
    client.force_login(requester)
    for url in [
        reverse("dashboard"),
        pr.get_absolute_url(),
        f"/api/v1/requests/{pr.reference}/",
        reverse("assessments:requests_export", args=["csv"]),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert no_store(response), url


def test_a_token_authenticated_api_answer_is_no_store(client, requester, pr):
    _, secret = api_token_issue(user=requester, name="integration")
    response = client.get(
        f"/api/v1/requests/{pr.reference}/", HTTP_AUTHORIZATION=f"Bearer {secret}"
    )
    assert response.status_code == 200
    assert no_store(response)


def test_a_response_that_sets_its_own_cache_control_keeps_it(requester):
    def view(request):
        response = HttpResponse("static")
        response["Cache-Control"] = "max-age=3600, public"
        return response

    request = RequestFactory().get("/")
    request.user = requester
    assert NoStoreForAuthenticatedMiddleware(view)(request)["Cache-Control"] == (
        "max-age=3600, public"
    )
    request.user = AnonymousUser()
    assert not no_store(NoStoreForAuthenticatedMiddleware(lambda r: HttpResponse())(request))
