"""Refuse hostile input at the door with a 400, before it reaches a view, the database or a parser.

PostgreSQL refuses NUL characters in text and Python's JSON parser recurses once per nesting
level, so these would otherwise surface as 500s deep inside whichever view met them first.
"""

import re
from urllib.parse import unquote_to_bytes

from django.http import HttpResponse, JsonResponse

MAX_JSON_DEPTH = 100

# A JSON string literal (unrolled so long strings do not backtrack) or one bracket.
_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)
_JSON_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|.)", re.DOTALL)
_SURROGATE = re.compile("[\ud800-\udfff]")


def _url_problem(raw: bytes) -> str | None:
    """Why a decoded path or query string is refused, or None."""
    if b"\x00" in raw:
        return "The address contains a NUL character."
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return "The address is not valid UTF-8 (it may contain a lone surrogate)."
    return None


def _raw_path(request) -> bytes:
    # Django re-percent-encodes bytes that are not UTF-8 (a lone surrogate arrives as
    # %ED%A0%80): decoding once more brings them back. No path of ours holds a literal "%".
    return unquote_to_bytes(request.path.encode("utf-8", "surrogatepass"))


def _string_has_lone_surrogate(literal: str) -> bool:
    """True if a JSON string literal escapes half of a surrogate pair without the other half."""
    pending_high_end = None
    for escape in _JSON_ESCAPE.finditer(literal):
        code = int(escape.group(1), 16) if escape.group(1) else None
        is_high = code is not None and 0xD800 <= code <= 0xDBFF
        is_low = code is not None and 0xDC00 <= code <= 0xDFFF
        if pending_high_end is not None:
            if is_low and escape.start() == pending_high_end:
                pending_high_end = None
                continue
            return True
        if is_low:
            return True
        if is_high:
            pending_high_end = escape.end()
    return pending_high_end is not None


def json_problem(text: str, max_depth: int = MAX_JSON_DEPTH) -> str | None:
    """Why a JSON document is refused (too deep, a lone surrogate), or None; it is not parsed."""
    if _SURROGATE.search(text):
        return "The JSON contains an invalid character (a lone surrogate)."
    depth = 0
    for token in _JSON_TOKEN.finditer(text):
        value = token.group()
        if value in "[{":
            depth += 1
            if depth > max_depth:
                return f"The JSON is nested more than {max_depth} levels deep."
        elif value in "]}":
            depth -= 1
        elif "\\u" in value and _string_has_lone_surrogate(value):
            return "The JSON contains an invalid character (a lone surrogate escape)."
    return None


def _json_body_problem(request) -> str | None:
    if "json" not in (request.content_type or "").lower():
        return None
    body = request.body
    if not body:
        return None
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        return "The JSON body is not valid UTF-8."
    return json_problem(text)


def _refuse(request, message: str):
    if request.path_info.startswith("/api/"):
        return JsonResponse({"error": message}, status=400)
    return HttpResponse(
        f"Bad request: {message}\n", status=400, content_type="text/plain; charset=utf-8"
    )


class InputGuardMiddleware:
    """Answer 400 to NULs or invalid UTF-8 in the address and to over-deep or broken JSON bodies."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        problem = (
            _url_problem(_raw_path(request))
            or _url_problem(unquote_to_bytes(request.META.get("QUERY_STRING", "")))
            or _json_body_problem(request)
        )
        if problem:
            return _refuse(request, problem)
        return self.get_response(request)
