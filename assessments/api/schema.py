"""The OpenAPI schema documents the JSON errors every operation can answer, not only success."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent

# The shape `ukcn.api_errors.api_exception_handler` (and the views' refusals) answer with.
ERROR_SCHEMA = {
    "type": "object",
    "description": "An error: `error` is a sentence for people; `fields` maps each bad input "
    "field to its messages; `code` names a workflow refusal.",
    "properties": {
        "error": {"type": "string"},
        "detail": {},
        "fields": {"type": "object", "additionalProperties": {}},
        "code": {"type": "string"},
        "current_version": {"type": "integer"},
    },
    "required": ["error"],
}

ERROR_DESCRIPTIONS = {
    "400": "Bad input: field errors under `fields`.",
    "401": "No credentials, or an invalid or revoked API token.",
    "403": "Your role may not do this.",
    "404": "No such resource, or not one you may see.",
    "409": "A stale `version`, or the workflow refuses the action in the request's state.",
    "415": "The body is not JSON (send Content-Type: application/json).",
    "429": "Too many calls: wait for the number of seconds in Retry-After.",
}
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class ApiAutoSchema(AutoSchema):
    """drf-spectacular's schema plus the error answers of each operation."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        component = ResolvedComponent(
            name="Error", type=ResolvedComponent.SCHEMA, object="Error", schema=ERROR_SCHEMA
        )
        self.registry.register_on_missing(component)
        for status in self._error_statuses():
            responses.setdefault(
                status,
                {
                    "description": ERROR_DESCRIPTIONS[status],
                    "content": {"application/json": {"schema": component.ref}},
                },
            )
        return responses

    def _error_statuses(self) -> list[str]:
        statuses = ["400", "401", "403", "404"]
        if self.method in UNSAFE_METHODS:
            statuses.extend(["409", "415"])
        if getattr(self.view, "throttle_classes", None):
            statuses.append("429")
        return statuses
