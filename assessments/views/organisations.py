"""Organisation resolution while typing (htmx fragment, or JSON for other systems)."""

import re

from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ukcn.roles import Role, has_role

from ..forms import candidate_choices
from ..organisations.resolve import resolve
from ..screening.rate_limit import screening_wait

PREFIX = re.compile(r"^[a-z_]+-\d{1,3}$")


def _param(query, prefix: str, name: str) -> str:
    return (query.get(f"{prefix}-{name}") if prefix else None) or query.get(name, "") or ""


@require_GET
def organisation_resolve(request):
    """Who a typed partner name may be: public identity only (name, native name, city, country,
    ROR id), never which requests or departments involve an organisation.

    With htmx: the row's choice of candidates (radio buttons named `<prefix>-identity`, posted
    with the request form). Otherwise JSON: {query, chosen, ambiguous, candidates}.
    """
    if not has_role(request.user, Role.REQUESTER, Role.REVIEWER, Role.APPROVER):
        raise Http404("Not available.")
    wait = screening_wait(request)
    if wait is not None:
        response = JsonResponse(
            {"error": f"Too many look-ups: try again in {wait} seconds."}, status=429
        )
        response["Retry-After"] = str(wait)
        return response
    prefix = request.GET.get("prefix", "")
    if prefix and not PREFIX.match(prefix):
        return JsonResponse({"error": "prefix: not a form row."}, status=400)
    text = (_param(request.GET, prefix, "name") or request.GET.get("q", "")).strip()[:300]
    country = _param(request.GET, prefix, "country").strip().upper()
    country = country if re.fullmatch(r"[A-Z]{2}", country) else ""
    resolution = resolve(text, country=country or None)
    if not request.headers.get("HX-Request"):
        return JsonResponse(resolution.as_dict(), json_dumps_params={"ensure_ascii": False})
    return render(
        request,
        "assessments/organisations/_resolve_choices.html",
        {
            "resolution": resolution,
            "field_name": f"{prefix}-identity" if prefix else "identity",
            "choices": candidate_choices(resolution.candidates) if resolution.candidates else [],
            "checked": resolution.chosen.key if resolution.chosen else "",
        },
    )
