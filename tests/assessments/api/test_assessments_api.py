"""Assessments over the API: read-only, for whoever may see the request."""

import pytest

from assessments.scoring.assessing import request_assess

from ..checklist_factories import add_partner, load_reference_data, make_request


@pytest.fixture
def assessed(requester, engineering, reviewer):
    load_reference_data()
    pr = make_request(
        created_by=requester, department=engineering, dual_use=True, status="under_review"
    )
    add_partner(pr, "Northern Institute of Technology", "military")
    first = request_assess(request=pr, actor=reviewer)
    second = request_assess(request=pr, actor=reviewer)
    return pr, first, second


def url(pr) -> str:
    return f"/api/v1/requests/{pr.reference}/assessments/"


def test_a_requester_reads_their_requests_assessments_newest_first(
    client, requester, assessed, bearer
):
    pr, first, second = assessed
    headers = bearer(requester)
    body = client.get(url(pr), headers=headers).json()
    assert [a["id"] for a in body["results"]] == [second.pk, first.pk]
    one = client.get(f"{url(pr)}{first.pk}/", headers=headers).json()
    assert one["request"] == pr.reference
    assert one["tier"] == first.tier and one["residual"] == first.residual
    assert one["policy_number"] == first.policy.number
    assert one["created_by"] == "reviewer"
    codes = {factor["code"] for factor in one["factors"]}
    assert "partner_type" in codes
    assert all(factor["label"] and factor["sentence"] for factor in one["factors"])


def test_the_request_shows_its_latest_assessment(client, reviewer, assessed, bearer):
    pr, _first, second = assessed
    body = client.get(f"/api/v1/requests/{pr.reference}/", headers=bearer(reviewer)).json()
    assert body["latest_assessment"]["id"] == second.pk
    assert body["latest_assessment"]["route_label"] == second.route_label
    assert body["tier"] == second.tier


def test_another_department_gets_404_for_assessments(client, other_requester, assessed, bearer):
    pr, first, _second = assessed
    headers = bearer(other_requester)
    assert client.get(url(pr), headers=headers).status_code == 404
    assert client.get(f"{url(pr)}{first.pk}/", headers=headers).status_code == 404


def test_an_assessment_of_another_request_is_404_under_this_one(
    client, reviewer, requester, engineering, assessed, bearer
):
    _pr, first, _second = assessed
    other = make_request(created_by=requester, department=engineering, title="Other")
    response = client.get(f"{url(other)}{first.pk}/", headers=bearer(reviewer))
    assert response.status_code == 404


def test_assessments_cannot_be_written(client, reviewer, assessed, bearer):
    pr, first, _second = assessed
    headers = bearer(reviewer)
    assert client.post(url(pr), {}, headers=headers).status_code == 405
    assert client.delete(f"{url(pr)}{first.pk}/", headers=headers).status_code == 405
