"""The per-request audit report, as a printable page and as PDF; each download is audited."""

from django.db import transaction
from django.http import HttpResponse
from django.views.decorators.http import require_GET

from ..audit import client_ip
from ..people.access import may_see_people
from ..permissions import get_request_for_user
from ..reports.audit_report import (
    CONTENT_TYPES,
    audit_report_build,
    audit_report_filename,
    audit_report_record,
    audit_report_render,
)


def _report_response(http_request, reference: str, fmt: str) -> HttpResponse:
    # Anyone who may see the request may have its report: 404 for everyone else.
    partnership_request = get_request_for_user(http_request.user, reference)
    user = http_request.user
    report = audit_report_build(
        request=partnership_request,
        generated_by=user.get_full_name() or user.get_username(),
        include_people=may_see_people(user, partnership_request),
    )
    content = audit_report_render(report=report, fmt=fmt, web_links=True)
    with transaction.atomic():
        audit_report_record(
            actor=user, report=report, fmt=fmt, channel="web", ip=client_ip(http_request)
        )
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    if fmt == "pdf":
        filename = audit_report_filename(report=report, fmt=fmt)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # A record of one moment, with its chain hash: never serve it from a cache.
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def request_report(request, reference):
    """The audit report as one printable page."""
    return _report_response(request, reference, "html")


@require_GET
def request_report_pdf(request, reference):
    """The same report as a PDF download."""
    return _report_response(request, reference, "pdf")
