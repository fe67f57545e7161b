"""The API answers a request's facts with the messages of the one validation function."""

import json

from assessments.models import PartnershipRequest
from assessments.workflow.facts import (
    AMOUNT_NEGATIVE,
    CURRENCY_CODE,
    FUNDER_UNNAMED,
    NAME_WITHOUT_LETTERS,
)

from .test_requests_api import URL, payload


def test_the_api_answers_the_same_messages(client, requester, bearer):
    body = payload(funding=[{"funder_name": "", "funder_type": "uk_public", "currency": "X1Z"}])
    response = client.post(
        URL, json.dumps(body), content_type="application/json", headers=bearer(requester)
    )
    assert response.status_code == 400, response.json()
    row = response.json()["fields"]["funding"]["0"]
    assert row["funder_name"] == [FUNDER_UNNAMED]
    assert row["currency"] == [CURRENCY_CODE]


def test_the_api_refuses_what_the_form_refuses_with_a_400(client, requester, bearer):
    body = payload(
        start_date="2099-01-01",
        end_date="2199-01-01",
        funding=[
            {"funder_name": "!!! ???", "funder_type": "uk_public", "currency": "XYZ", "amount": -1}
        ],
    )
    body["partners"][0]["new_organisation"]["name"] = "!!! ???"
    response = client.post(
        URL, json.dumps(body), content_type="application/json", headers=bearer(requester)
    )
    assert response.status_code == 400, response.json()
    fields = response.json()["fields"]
    assert set(fields["funding"]["0"]) == {"funder_name", "currency", "amount"}
    assert fields["funding"]["0"]["amount"] == [AMOUNT_NEGATIVE]
    # A bad row stops DRF before the request-level checks; with good rows those answer too.
    del body["funding"]
    response = client.post(
        URL, json.dumps(body), content_type="application/json", headers=bearer(requester)
    )
    assert response.status_code == 400, response.json()
    fields = response.json()["fields"]
    assert "within 10 years" in fields["start_date"][0]
    assert "at most 10 years" in fields["end_date"][0]
    assert fields["partners"][0]["name"] == [NAME_WITHOUT_LETTERS]
    assert not PartnershipRequest.objects.exists()
