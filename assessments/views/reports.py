"""Portfolio exports and the annual summary: parse the request, call reports, send the file."""

import tempfile

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from ukcn.roles import sees_all_departments

from ..audit import audit_record, client_ip
from ..filters import RequestFilterForm, requests_filter
from ..permissions import visible_requests
from ..reports.exports import (
    CONTENT_TYPES,
    FORMATS,
    export_csv,
    export_events,
    export_filename,
    export_json,
    export_meta,
    export_shows_ip,
    export_xlsx,
    may_export,
    portfolio_export_record,
)
from ..reports.pdf import pdf_render
from ..reports.summary import annual_summary, may_read_summary, summary_years


@require_GET
def export_page(request):
    """The export form: filters, then one button per format."""
    if not may_export(request.user):
        raise PermissionDenied
    form = RequestFilterForm(
        request.GET or None, show_department=sees_all_departments(request.user)
    )
    return render(
        request, "assessments/reports/export_page.html", {"form": form, "formats": FORMATS}
    )


@require_GET
def requests_export(request, fmt: str):
    """Stream the requests the user may see, narrowed by the GET filters, as CSV, XLSX or JSON."""
    if fmt not in FORMATS:
        raise Http404("No such export format.")
    if not may_export(request.user):
        raise PermissionDenied
    filtered = requests_filter(
        requests=visible_requests(request.user),
        params=request.GET,
        show_department=sees_all_departments(request.user),
    )
    if filtered.errors:
        context = {"form": filtered.form, "formats": FORMATS}
        return render(request, "assessments/reports/export_page.html", context, status=400)
    requests = filtered.requests
    with transaction.atomic():
        portfolio_export_record(
            actor=request.user,
            fmt=fmt,
            requests=requests,
            filters=filtered.applied,
            channel="web",
            ip=client_ip(request),
        )
    filename = export_filename(fmt)
    if fmt == "xlsx":
        # openpyxl's write-only mode needs a seekable file; a temporary file keeps memory flat.
        handle = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
        export_xlsx(
            handle,
            requests,
            events=export_events(requests=requests),
            with_ip=export_shows_ip(request.user),
        )
        handle.seek(0)
        return FileResponse(
            handle, as_attachment=True, filename=filename, content_type=CONTENT_TYPES["xlsx"]
        )
    if fmt == "csv":
        chunks = export_csv(requests)
    else:
        meta = export_meta(generated_by=request.user.get_username(), filters=filtered.applied)
        chunks = export_json(requests, meta=meta)
    response = StreamingHttpResponse(chunks, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _summary_year(year: int) -> int:
    if year not in summary_years():
        raise Http404("No summary for that year.")
    return year


@require_GET
def annual_summary_index(request):
    """Send the reader to the summary of the year asked for, or this year's."""
    if not may_read_summary(request.user):
        raise PermissionDenied
    year = request.GET.get("year", "")
    if not year.isdigit():
        year = timezone.localdate().year
    return redirect("assessments:annual_summary", year=int(year))


@require_GET
def annual_summary_page(request, year: int):
    """The governing body's summary for one year, as a page."""
    if not may_read_summary(request.user):
        raise PermissionDenied
    summary = annual_summary(year=_summary_year(year))
    context = {"summary": summary, "years": summary_years()}
    return render(request, "assessments/reports/annual_summary.html", context)


@require_GET
def annual_summary_pdf(request, year: int):
    """The same summary as a PDF; each download is audited."""
    if not may_read_summary(request.user):
        raise PermissionDenied
    summary = annual_summary(year=_summary_year(year))
    pdf = pdf_render(
        "assessments/reports/annual_summary_pdf.html",
        {"summary": summary, "generated_by": request.user},
    )
    with transaction.atomic():
        audit_record(
            actor=request.user,
            action="report.annual_summary",
            summary=f"Annual summary {year} downloaded as PDF by {request.user.get_username()}",
            changes={"year": year, "format": "pdf"},
            ip=client_ip(request),
        )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="ukcn-annual-summary-{year}.pdf"'
    return response
