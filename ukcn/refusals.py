"""The one error every service raises when it refuses: `Refusal`, with a kind and a code.

Services (the workflow, the checklist, screening decisions, assessing, lessons, notification
preferences, role assignments) never raise `PermissionDenied`, `ValidationError` or
`ValueError` to say no: they raise a `Refusal`, and each caller maps it in one place —

- the API: `ukcn.api_errors.api_exception_handler` answers `HTTP_STATUS[kind]` with
  `{"error", "detail", "code"}` (and `fields` for field errors, plus any `extra`);
- the web: `refusal_message` puts the sentence on the next page, `refusal_to_form` onto a form.

Kinds:
- `forbidden`: this user's roles never allow the action (API 403);
- `conflict`: allowed in principle, not now: the request's state, segregation of duties,
  four eyes, a stale version (API 409);
- `invalid`: the input itself is wrong (API 400); `fields` names the fields at fault.
"""

from __future__ import annotations

FORBIDDEN = "forbidden"
CONFLICT = "conflict"
INVALID = "invalid"
KINDS = (FORBIDDEN, CONFLICT, INVALID)
HTTP_STATUS = {FORBIDDEN: 403, CONFLICT: 409, INVALID: 400}
DEFAULT_CODE = {FORBIDDEN: "forbidden", CONFLICT: "workflow_refused", INVALID: "invalid"}


class Refusal(Exception):
    """A service said no. `message` is one sentence a person can act on."""

    def __init__(
        self,
        message: str,
        *,
        kind: str = CONFLICT,
        code: str = "",
        fields: dict[str, str] | None = None,
        extra: dict | None = None,
    ):
        if kind not in KINDS:
            raise ValueError(f"A refusal's kind is one of {', '.join(KINDS)}, not {kind!r}.")
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.code = code or DEFAULT_CODE[kind]
        self.fields = dict(fields or {})
        self.extra = dict(extra or {})

    @classmethod
    def forbidden(cls, message: str, *, code: str = "") -> Refusal:
        return cls(message, kind=FORBIDDEN, code=code)

    @classmethod
    def conflict(cls, message: str, *, code: str = "", extra: dict | None = None) -> Refusal:
        return cls(message, kind=CONFLICT, code=code, extra=extra)

    @classmethod
    def invalid(
        cls, message: str, *, code: str = "", fields: dict[str, str] | None = None
    ) -> Refusal:
        return cls(message, kind=INVALID, code=code, fields=fields)

    @classmethod
    def for_fields(cls, fields: dict[str, str], *, code: str = "") -> Refusal:
        """Bad input named field by field, as `request_facts_validate` returns it."""
        return cls(" ".join(fields.values()), kind=INVALID, code=code, fields=fields)

    @property
    def http_status(self) -> int:
        return HTTP_STATUS[self.kind]

    def as_dict(self) -> dict:
        body = {"error": self.message, "detail": self.message, "code": self.code}
        if self.fields:
            body["fields"] = {name: [message] for name, message in self.fields.items()}
        return {**body, **self.extra}

    def __str__(self) -> str:
        return self.message


def refuse(message: str | None, *, kind: str = CONFLICT, code: str = "") -> None:
    """Raise when a check returned a refusal sentence; do nothing when it returned None."""
    if message:
        raise Refusal(message, kind=kind, code=code)


# --- the web's one mapping -------------------------------------------------------------------


def refusal_message(http_request, refusal: Refusal) -> None:
    """Show a refusal on the next page the user sees."""
    from django.contrib import messages

    messages.error(http_request, refusal.message)


def refusal_to_form(form, refusal: Refusal) -> None:
    """Put a refusal onto a bound form: on the fields it names that the form has, otherwise on
    the form as a whole."""
    placed = False
    for name, message in refusal.fields.items():
        if name in form.fields:
            form.add_error(name, message)
            placed = True
    if not placed:
        form.add_error(None, refusal.message)
