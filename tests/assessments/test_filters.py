import pytest
from django.http import QueryDict

from assessments.filters import requests_filter
from assessments.models import PartnershipRequest, RequestStatus, Tier
from tests.assessments.reports.factories import aware, make_organisation, make_request


@pytest.fixture
def requests(requester, other_requester, engineering, history):
    southeast = make_organisation("Southeast University", city="Jiangsu", native="东南大学")
    munich = make_organisation("Technical University of Munich", country="DE")
    made = {
        "wind": make_request(
            department=engineering,
            created_by=requester,
            title="Offshore wind",
            tier=Tier.HIGH,
            status=RequestStatus.UNDER_REVIEW,
            created_at=aware(2024, 5, 1),
            partners=[southeast],
            sectors=["energy"],
        ),
        "robots": make_request(
            department=engineering,
            created_by=requester,
            title="Robot hands",
            created_at=aware(2025, 5, 1),
            partners=[munich],
            sectors=["advanced-robotics"],
        ),
        "manuscripts": make_request(
            department=history,
            created_by=other_requester,
            title="Silk Road manuscripts",
            tier=Tier.LOW,
            created_at=aware(2025, 9, 1),
            partners=[southeast, munich],
        ),
    }
    PartnershipRequest.objects.filter(title="Robot hands").update(
        summary="Soft grippers for offshore maintenance."
    )
    return made


def titles(query: str) -> set[str]:
    result = requests_filter(requests=PartnershipRequest.objects.all(), params=QueryDict(query))
    assert result.errors == []
    return set(result.requests.values_list("title", flat=True))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"Offshore wind", "Robot hands", "Silk Road manuscripts"}),
        ("status=under_review", {"Offshore wind"}),
        ("tier=unscored", {"Robot hands"}),
        ("tier=low", {"Silk Road manuscripts"}),
        ("country=de", {"Robot hands", "Silk Road manuscripts"}),
        ("sector=energy", {"Offshore wind"}),
        ("department=history", {"Silk Road manuscripts"}),
        ("created_from=2025-01-01&created_to=2025-06-30", {"Robot hands"}),
        ("q=东南", {"Offshore wind", "Silk Road manuscripts"}),
        ("q=robot", {"Robot hands"}),
        ("q=grippers", {"Robot hands"}),
        ("country=CN&department=engineering", {"Offshore wind"}),
    ],
)
def test_each_filter_narrows_the_requests(requests, query, expected):
    assert titles(query) == expected


def test_a_request_with_two_matching_partners_is_listed_once(requests):
    result = requests_filter(requests=PartnershipRequest.objects.all(), params=QueryDict("q=univ"))
    assert result.requests.count() == 3


def test_bad_parameters_return_nothing_and_say_why_per_parameter(requests):
    result = requests_filter(
        requests=PartnershipRequest.objects.all(),
        params=QueryDict("tier=extreme&country=C1&sector=nope&created_from=tomorrow"),
    )
    assert result.requests.count() == 0
    assert {line.split(":")[0] for line in result.errors} == {
        "tier",
        "country",
        "sector",
        "created_from",
    }


def test_the_applied_filters_are_plain_strings_for_the_audit_record(requests):
    result = requests_filter(
        requests=PartnershipRequest.objects.all(),
        params=QueryDict("sector=energy&created_from=2024-01-01&q="),
    )
    assert result.applied == {"sector": "energy", "created_from": "2024-01-01"}


def test_a_requester_is_not_offered_the_department_filter_and_it_is_ignored(requests):
    result = requests_filter(
        requests=PartnershipRequest.objects.all(),
        params=QueryDict("department=history"),
        show_department=False,
    )
    assert "department" not in result.form.fields
    assert result.applied == {}
    assert result.requests.count() == 3


def test_registered_from_after_registered_to_is_refused(requests):
    result = requests_filter(
        requests=PartnershipRequest.objects.all(),
        params=QueryDict("created_from=2025-02-01&created_to=2025-01-01"),
    )
    assert result.requests.count() == 0
    assert result.errors == ["'Registered from' must not be after 'Registered to'."]


def test_a_country_code_that_names_no_country_is_refused(requests):
    result = requests_filter(
        requests=PartnershipRequest.objects.all(), params=QueryDict("country=XX")
    )
    assert result.errors and result.errors[0].startswith("country: ")
