"""The API answers a request's facts with the messages of the one validation function."""

import json

from assessments.workflow.facts import CURRENCY_CODE, FUNDER_UNNAMED

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
