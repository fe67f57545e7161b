"""`POST /api/v1/screen`: the command's JSON, batches, bad input and the rate limit."""

import json
from io import StringIO

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.urls import reverse

from assessments.models import Watchlist
from assessments.screening import service
from ukcn.api_tokens import api_token_issue

from ..screening.conftest import DATA, make_version

URL = "/api/v1/screen"


@pytest.fixture(autouse=True)
def fresh_index_cache():
    # Database ids repeat across tests after rollbacks, so the cache must not leak between them.
    service._cache.update(version_ids=None, index=None)
    yield
    service._cache.update(version_ids=None, index=None)


@pytest.fixture
def aspi(db):
    rows = json.loads((DATA / "screening_watchlist.json").read_text("utf-8"))["watchlist"]
    watchlist = Watchlist.objects.create(name="ASPI tracker", format="aspi", blocking=True)
    make_version(watchlist, rows, 1)
    return watchlist


def screen(client, data, headers):
    return client.post(URL, json.dumps(data), content_type="application/json", headers=headers)


def command_json(*args) -> dict:
    out = StringIO()
    call_command("screen", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_one_name_answers_exactly_what_the_command_prints(client, requester, aspi, bearer):
    response = screen(client, {"name": "北京航空航天大学", "country": "CN"}, bearer(requester))
    assert response.status_code == 200
    assert response.json() == command_json("北京航空航天大学", "--country", "CN")
    assert response.json()["matches"][0]["entry_id"] == "beihang"


def test_a_batch_answers_one_command_result_per_name_in_order(client, reviewer, aspi, bearer):
    names = [
        {"name": "NUDT"},
        {"name": "University of Edinburgh", "country": "GB"},
        {"name": "Beihang University", "country": "cn"},
    ]
    response = screen(client, {"names": names}, bearer(reviewer))
    assert response.status_code == 200
    assert response.json() == {
        "results": [
            command_json("NUDT"),
            command_json("University of Edinburgh", "--country", "GB"),
            command_json("Beihang University", "--country", "CN"),
        ]
    }
    assert response.json()["results"][1]["matches"] == []


@pytest.mark.parametrize(
    "data,field",
    [
        ({"name": "Beihang", "country": "China"}, "country"),
        ({"name": "   "}, "name"),
        ({"name": 12}, "name"),
        ({"name": "Beihang", "country": None}, "country"),
        ({}, "non_field_errors"),
        ({"name": "A", "names": [{"name": "B"}]}, "non_field_errors"),
        ({"names": []}, "names"),
        ({"names": [{"name": "A", "country": "XX"}]}, "names"),
        ({"names": "Beihang"}, "names"),
    ],
)
def test_bad_input_is_a_400_with_field_errors(client, auditor, aspi, bearer, data, field):
    response = screen(client, data, bearer(auditor))
    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_a_batch_of_more_than_100_names_is_refused(client, reviewer, aspi, bearer):
    headers = bearer(reviewer)
    hundred = [{"name": f"University {i}"} for i in range(100)]
    assert screen(client, {"names": hundred}, headers).status_code == 200
    response = screen(client, {"names": [*hundred, {"name": "One too many"}]}, headers)
    assert response.status_code == 400
    assert "100" in json.dumps(response.json()["fields"]["names"])


def test_anonymous_and_bad_tokens_cannot_screen(client, aspi):
    assert screen(client, {"name": "NUDT"}, {}).status_code == 401
    bad = {"Authorization": "Token ukcn_abcdefabcdef_nope"}
    assert screen(client, {"name": "NUDT"}, bad).status_code == 401


def test_screening_is_rate_limited_per_user_across_tokens(client, reviewer, aspi, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"screening": "2/min"},
    }
    _first, first_secret = api_token_issue(user=reviewer, name="first")
    _second, second_secret = api_token_issue(user=reviewer, name="second")
    first = {"Authorization": f"Bearer {first_secret}"}
    second = {"Authorization": f"Bearer {second_secret}"}
    assert screen(client, {"name": "NUDT"}, first).status_code == 200
    assert screen(client, {"name": "NUDT"}, second).status_code == 200
    limited = screen(client, {"name": "NUDT"}, first)
    assert limited.status_code == 429
    assert "throttled" in limited.json()["error"]
    assert int(limited["Retry-After"]) > 0
    # The limit is the user's: another token, or the browser session, shares the count.
    assert screen(client, {"name": "NUDT"}, second).status_code == 429
    client.force_login(reviewer)
    assert screen(client, {"name": "NUDT"}, {}).status_code == 429


def test_the_live_check_shares_the_users_screening_limit(client, reviewer, aspi, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"screening": "2/min"},
    }
    _token, secret = api_token_issue(user=reviewer, name="crm")
    assert (
        screen(client, {"name": "NUDT"}, {"Authorization": f"Bearer {secret}"}).status_code == 200
    )
    client.force_login(reviewer)
    check = reverse("assessments:screening_check")
    assert client.get(check, {"name": "NUDT"}, HTTP_HX_REQUEST="true").status_code == 200
    limited = client.get(check, {"name": "NUDT"}, HTTP_HX_REQUEST="true")
    assert limited.status_code == 429
    assert "Too many screening checks" in limited.json()["error"]
    assert int(limited["Retry-After"]) > 0


def test_the_count_is_shared_by_every_worker_on_the_machine(client, reviewer, aspi, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"screening": "1/min"},
    }
    _token, secret = api_token_issue(user=reviewer, name="crm")
    headers = {"Authorization": f"Bearer {secret}"}
    assert screen(client, {"name": "NUDT"}, headers).status_code == 200
    # Another worker is another process, with empty local memory; the count is not there.
    caches["default"].clear()
    assert screen(client, {"name": "NUDT"}, headers).status_code == 429


def test_session_calls_are_limited_per_user(client, reviewer, approver, aspi, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"screening": "1/min"},
    }
    client.force_login(reviewer)
    assert screen(client, {"name": "NUDT"}, {}).status_code == 200
    assert screen(client, {"name": "NUDT"}, {}).status_code == 429
    client.force_login(approver)
    assert screen(client, {"name": "NUDT"}, {}).status_code == 200


def test_other_endpoints_are_not_rate_limited(client, reviewer, bearer, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"screening": "1/min"},
    }
    headers = bearer(reviewer)
    for _ in range(3):
        assert client.get("/api/v1/me/", headers=headers).status_code == 200
