"""The API's frame: JSON errors, authentication, and a schema that validates."""

from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema


def test_an_anonymous_call_gets_401_json(client, db):
    response = client.get("/api/v1/me/")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert "error" in response.json()
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_malformed_authorization_header_gets_401(client, db):
    response = client.get("/api/v1/me/", headers={"Authorization": "Bearer a b"})
    assert response.status_code == 401


def test_an_unknown_api_url_gets_404_json(client, reviewer):
    client.force_login(reviewer)
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["error"] == "Not found."


def test_a_wrong_method_gets_405_json(client, reviewer):
    client.force_login(reviewer)
    response = client.post("/api/v1/me/")
    assert response.status_code == 405
    assert "error" in response.json()


def test_the_openapi_schema_is_served_and_valid(client, reviewer):
    client.force_login(reviewer)
    response = client.get("/api/v1/schema/", headers={"Accept": "application/json"})
    assert response.status_code == 200
    validate_schema(SchemaGenerator().get_schema(request=None, public=True))


def test_the_docs_page_loads_without_a_cdn(client, reviewer):
    client.force_login(reviewer)
    html = client.get("/api/v1/docs/").content.decode()
    assert "cdn" not in html.lower()
    assert "/static/drf_spectacular_sidecar/" in html
