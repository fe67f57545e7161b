"""Screening pages: a request's potential matches, reviewers' decisions, live name checks."""

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from ukcn.refusals import Refusal, refusal_message

from ..audit import client_ip
from ..models import ScreeningMatch
from ..permissions import get_request_for_user
from ..screening import service as screening
from ..screening.forms import NameCheckForm
from ..screening.rate_limit import screening_wait
from ..screening.service import (
    request_screen,
    screen_name,
)


def _back(http_request, partnership_request):
    target = http_request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={http_request.get_host()}, require_https=http_request.is_secure()
    ):
        return redirect(target)
    return redirect(reverse("assessments:request_screening", args=[partnership_request.reference]))


@require_GET
def request_screening(request, reference):
    """The screening results of one request, with reviewers' decision forms."""
    partnership_request = get_request_for_user(request.user, reference)
    return render(
        request,
        "assessments/screening/page.html",
        {"partnership_request": partnership_request},
    )


@require_POST
def request_screen_now(request, reference):
    """Screen every partner of the request again, on a reviewer's demand."""
    partnership_request = get_request_for_user(request.user, reference)
    summary = request_screen(
        request=partnership_request,
        actor=request.user,
        reason="screened on demand",
        ip=client_ip(request),
    )
    messages.success(
        request,
        f"Screened {summary.partners} partner(s): {summary.potential} potential match(es) to "
        f"review, {summary.reapplied_dismissals} earlier dismissal(s) re-applied.",
    )
    return _back(request, partnership_request)


@require_POST
def match_decide(request, pk):
    """Confirm or dismiss one potential match, with a reason (reviewers only)."""
    match = get_object_or_404(ScreeningMatch.objects.select_related("request"), pk=pk)
    partnership_request = get_request_for_user(request.user, match.request.reference)
    try:
        match = screening.match_decide(
            match=match,
            actor=request.user,
            decision=request.POST.get("decision", ""),
            reason=request.POST.get("reason", ""),
            ip=client_ip(request),
        )
    except Refusal as refusal:
        if refusal.kind == "forbidden":
            raise  # answered 403 by ukcn.middleware.RefusalMiddleware
        refusal_message(request, refusal)
        return _back(request, partnership_request)
    messages.success(
        request,
        f"{match.get_status_display()}: {match.subject_label} as '{match.matched_name}'.",
    )
    return _back(request, partnership_request)


def _check_params(query) -> dict:
    fields = ("name", "name_native", "country", "org_type")
    data = {field: query.get(field, "") for field in fields}
    for key, value in query.items():
        # htmx sends a field under its form name, e.g. "partners-0-name" in a formset.
        for field in fields:
            if not data[field] and key.endswith(f"-{field}"):
                data[field] = value
    return data


@require_GET
def screening_check(request):
    """Screen a name as it is typed: JSON for other systems, an HTML fragment for htmx.

    The fragment covers both names of a partner row (as written and in its own script); the
    JSON answers for `name` (or `name_native` when no `name` is given).
    """
    wait = screening_wait(request)
    if wait is not None:
        response = JsonResponse(
            {"error": f"Too many screening checks: try again in {wait} seconds."}, status=429
        )
        response["Retry-After"] = str(wait)
        return response
    form = NameCheckForm(_check_params(request.GET))
    if not form.is_valid():
        return JsonResponse(
            {"errors": {field: list(errors) for field, errors in form.errors.items()}}, status=400
        )
    data = form.cleaned_data
    options = {"country": data["country"].upper() or None, "org_type": data["org_type"] or None}
    if request.headers.get("HX-Request"):
        names = dict.fromkeys(n.strip() for n in (data["name"], data["name_native"]) if n.strip())
        results = [screen_name(name, **options) for name in names]
        return render(request, "assessments/screening/check_result.html", {"results": results})
    result = screen_name(data["name"] or data["name_native"], **options)
    return JsonResponse(result, json_dumps_params={"ensure_ascii": False})
