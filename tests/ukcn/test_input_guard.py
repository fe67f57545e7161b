"""Hostile input is answered with a 400 at the door, never a 500 from deep inside a view."""

import pytest

from ukcn.input_guard import MAX_JSON_DEPTH, json_problem

DEEP = "[" * 50_000 + "]" * 50_000


def test_a_nul_in_a_request_reference_is_a_400(client, requester):
    client.force_login(requester)
    response = client.get("/requests/UKCN%00-1/")
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


def test_a_nul_in_the_query_string_is_a_400(client, reviewer):
    client.force_login(reviewer)
    assert client.get("/guidance/lessons/new/?request=%00").status_code == 400
    assert client.get("/?q=a%00b").status_code == 400


def test_a_lone_surrogate_in_the_address_is_a_400(client, reviewer):
    client.force_login(reviewer)
    assert client.get("/requests/%ED%A0%80/").status_code == 400
    assert client.get("/?q=%ED%A0%80").status_code == 400


def test_an_api_refusal_is_json(client, reviewer):
    client.force_login(reviewer)
    response = client.get("/api/v1/requests/?q=%00")
    assert response.status_code == 400
    assert "NUL" in response.json()["error"]


@pytest.mark.parametrize("path", ["/api/v1/requests/", "/api/v1/screen"])
def test_a_deeply_nested_json_body_is_a_400_json(client, reviewer, path):
    client.force_login(reviewer)
    response = client.post(path, DEEP, content_type="application/json")
    assert response.status_code == 400
    assert "nested" in response.json()["error"]


@pytest.mark.parametrize(
    "body",
    [
        '{"name": "\\ud800"}',
        '{"name": "x\\udc00"}',
        '{"name": "\\ud800\\u0041"}',
        '{"name": "\\ud800 \\udc00"}',
    ],
)
def test_a_lone_surrogate_escape_in_a_json_body_is_a_400(client, reviewer, body):
    client.force_login(reviewer)
    response = client.post("/api/v1/requests/", body, content_type="application/json")
    assert response.status_code == 400
    assert "surrogate" in response.json()["error"]


def test_a_json_patch_with_a_lone_surrogate_is_a_400(client, reviewer):
    client.force_login(reviewer)
    response = client.patch(
        "/api/v1/requests/UKCN-1/", '{"tier": "\\udfff"}', content_type="application/json"
    )
    assert response.status_code == 400


def test_ordinary_json_passes_the_depth_and_surrogate_checks():
    assert json_problem('{"a": [1, {"b": "\\ud83d\\ude00 \\\\ud800 [[[ {{{"}]}') is None
    assert json_problem("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH) is None
    assert json_problem("[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1)) is not None
    assert json_problem('"\\ud83d\\ude00"') is None


def test_a_login_with_an_overlong_username_is_refused_as_invalid(client, db):
    response = client.post("/accounts/login/", {"username": "a" * 300, "password": "whatever-123"})
    assert response.status_code == 200
    assert "at most 150 characters" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_admin_login_refuses_an_overlong_username_too(client, db):
    response = client.post("/admin/login/", {"username": "a" * 300, "password": "whatever-123"})
    assert response.status_code == 200
    assert "at most 150 characters" in response.content.decode()
