from unittest import mock

from django.db import OperationalError


def test_healthz_reports_the_database_as_json_without_login(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"


def test_healthz_answers_503_when_the_database_is_unreachable(client, db):
    with mock.patch("ukcn.views.connection") as connection:
        connection.cursor.side_effect = OperationalError("server closed the connection")
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"
