"""The organisation page shows identity, screening status and visible requests; search finds
a request by any of an organisation's names or its ROR id."""

import pytest
from django.urls import reverse

from assessments.organisations.resolve import organisation_from_choice
from assessments.screening.service import match_dismiss, screen_request

from .conftest import HIT, HIT_LAB


@pytest.fixture
def hit_request(ror, aspi, request_with, reviewer):
    request = request_with(organisation_from_choice(f"ror:{HIT}"), "PR-HIT1", "Welding study")
    screen_request(request=request, actor=reviewer)
    return request


def test_the_page_shows_identity_status_and_requests(hit_request, client, reviewer):
    hit = hit_request.partners.get().organisation
    lab = organisation_from_choice(f"ror:{HIT_LAB}")
    match = hit_request.screening_matches.get(external_id="hit")
    match_dismiss(match=match, actor=reviewer, reason="Checked: a namesake in the test data.")
    client.force_login(reviewer)
    text = client.get(reverse("assessments:organisation_detail", args=[hit.pk])).content.decode()
    assert "https://ror.org/01yqg2h08" in text
    assert "哈尔滨工业大学" in text and "HIT" in text
    assert lab.name in text  # its children
    assert "Harbin Institute of Technology</strong> on ASPI tracker" in text  # status now
    assert "Dismissed: “Harbin Institute of Technology” on ASPI tracker" in text
    assert "Checked: a namesake in the test data." in text
    assert "PR-HIT1" in text
    lab_page = client.get(reverse("assessments:organisation_detail", args=[lab.pk]))
    assert "Harbin Institute of Technology" in lab_page.content.decode()  # its parent


def test_a_requester_sees_only_organisations_on_their_departments_requests(
    hit_request, client, requester, other_requester
):
    hit = hit_request.partners.get().organisation
    url = reverse("assessments:organisation_detail", args=[hit.pk])
    client.force_login(requester)
    assert client.get(url).status_code == 200
    client.force_login(other_requester)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "q", ["哈尔滨工业大学", "HIT", "01yqg2h08", "https://ror.org/01yqg2h08", "harbin"]
)
def test_the_request_list_finds_a_request_by_any_name_or_ror_id(hit_request, client, reviewer, q):
    client.force_login(reviewer)
    text = client.get(reverse("assessments:request_list"), {"q": q}).content.decode()
    assert "PR-HIT1" in text
    api = client.get("/api/v1/requests/", {"q": q}).json()
    results = api["results"] if isinstance(api, dict) else api
    assert [r["reference"] for r in results] == ["PR-HIT1"]


def test_search_does_not_find_a_request_by_an_unrelated_name(hit_request, client, reviewer):
    client.force_login(reviewer)
    text = client.get(reverse("assessments:request_list"), {"q": "哈尔滨工程大学"}).content.decode()
    assert "PR-HIT1" not in text
