"""The OpenAPI schema: valid, JSON-only, and documenting each operation's error answers."""

from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema


def schema() -> dict:
    generated = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(generated)
    return generated


def test_every_resource_is_in_the_valid_schema(db):
    paths = schema()["paths"]
    for path in [
        "/api/v1/requests/",
        "/api/v1/requests/{reference}/",
        "/api/v1/requests/{reference}/submit/",
        "/api/v1/requests/{reference}/assessments/",
        "/api/v1/requests/{reference}/assessments/{id}/",
        "/api/v1/requests/{reference}/matches/",
        "/api/v1/requests/{reference}/matches/{match_id}/confirm/",
        "/api/v1/requests/{reference}/matches/{match_id}/dismiss/",
        "/api/v1/requests/{reference}/checklist/",
        "/api/v1/requests/{reference}/gates/",
        "/api/v1/requests/{reference}/sign-off/",
        "/api/v1/requests/{reference}/refuse-sign-off/",
        "/api/v1/requests/{reference}/sign-offs/",
        "/api/v1/guidance/",
        "/api/v1/guidance/{slug}/",
        "/api/v1/screen",
    ]:
        assert path in paths, path
    assert set(paths["/api/v1/requests/{reference}/"]) == {"get", "patch"}
    assert set(paths["/api/v1/requests/{reference}/checklist/"]) == {"get", "patch"}


def test_a_decision_may_answer_awaiting_sign_off_and_set_tier_always_needs_a_reason(db):
    components = schema()["components"]["schemas"]
    assert "awaiting_sign_off" in components["RequestStatusEnum"]["enum"]
    decide = schema()["paths"]["/api/v1/requests/{reference}/decide/"]["post"]
    assert decide["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/RequestDetail"
    }
    assert components["RequestDetail"]["properties"]["status"]["allOf"] == [
        {"$ref": "#/components/schemas/RequestStatusEnum"}
    ]
    assert set(components["SetTier"]["required"]) == {"tier", "reason"}


def test_errors_are_documented_with_their_json_shape(db):
    generated = schema()
    paths = generated["paths"]
    patch = paths["/api/v1/requests/{reference}/"]["patch"]["responses"]
    assert {"200", "400", "401", "403", "404", "409"} <= set(patch)
    assert patch["409"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
    assert "429" in paths["/api/v1/screen"]["post"]["responses"]
    assert "429" not in paths["/api/v1/requests/"]["get"]["responses"]
    assert generated["components"]["schemas"]["Error"]["required"] == ["error"]


def test_request_bodies_are_json_only(db):
    body = schema()["paths"]["/api/v1/requests/"]["post"]["requestBody"]["content"]
    assert set(body) == {"application/json"}
