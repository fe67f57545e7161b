"""The legal determinations step of a request (reviewers record; the central office and
auditors read), and the portfolio's legal register."""

import tempfile
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from ukcn.refusals import Refusal, refusal_to_form
from ukcn.roles import Role, has_role

from ..audit import audit_record, client_ip
from ..models import Attachment
from ..people.access import sees_people_anywhere
from ..people.status import requests_with_people_not_starting
from ..permissions import get_request_for_user, visible_requests
from ..reports.cells import stream_csv, write_xlsx
from ..workflow.attachments import attachment_add
from .forms import FORMS, SanctionsLicenceForm
from .overview import legal_overview
from .register import (
    KINDS,
    REGISTER_COLUMNS,
    STATES,
    register_filter,
    register_rows,
    register_table,
)
from .services import (
    export_determination_record,
    firs_determination_record,
    legal_record_refusal,
    nsi_determination_record,
    sanctions_licence_record,
    sanctions_matches,
)

READERS = (Role.REVIEWER, Role.APPROVER, Role.SENIOR_OFFICER, Role.AUDITOR)
RECORD = {
    "export_control": export_determination_record,
    "nsi": nsi_determination_record,
    "firs": firs_determination_record,
}


def may_read_legal(user) -> bool:
    """The central office and auditors read legal determinations; requesters answer facts."""
    return has_role(user, *READERS)


def _evidence(http_request, partnership_request, form) -> list[Attachment]:
    upload = form.cleaned_data.get("evidence")
    if not upload:
        return []
    return [
        attachment_add(
            actor=http_request.user,
            request=partnership_request,
            uploaded_file=upload,
            ip=client_ip(http_request),
        )
    ]


def _initial(determination) -> dict:
    if determination is None:
        return {}
    initial = {
        name: getattr(determination, name)
        for name in (
            "outcome",
            "reasoning",
            "ratings",
            "exemption_basis",
            "licence_type",
            "licence_reference",
            "licence_expiry",
            "advisory_reference",
            "notification_status",
            "isu_reference",
            "foreign_power",
            "arrangement_date",
            "activity_start_date",
            "registration_reference",
        )
    }
    initial["tier"] = determination.firs_tier
    initial["areas"] = [area["code"] for area in determination.nsi_areas or []]
    initial["notify"] = {True: "yes", False: "no"}.get(determination.notify, "")
    return initial


@require_http_methods(["GET", "POST"])
def request_legal(http_request, reference):
    partnership_request = get_request_for_user(http_request.user, reference)
    if not may_read_legal(http_request.user):
        raise PermissionDenied("Legal determinations are for the central office and auditors.")
    refusal = legal_record_refusal(http_request.user, partnership_request)
    may_record = refusal is None
    sections = legal_overview(partnership_request)
    posted = http_request.POST.get("regime", "") if http_request.method == "POST" else ""
    if posted and not may_record:
        raise PermissionDenied(refusal)
    forms = {}
    sanctions_forms = {}
    if may_record:
        for section in sections:
            if section.regime in FORMS:
                bound = posted == section.regime
                forms[section.regime] = FORMS[section.regime](
                    http_request.POST if bound else None,
                    http_request.FILES if bound else None,
                    initial=_initial(section.determination),
                )
        for match in sanctions_matches(partnership_request):
            bound = posted == "sanctions" and http_request.POST.get("match") == str(match.pk)
            sanctions_forms[match.pk] = SanctionsLicenceForm(
                http_request.POST if bound else None,
                http_request.FILES if bound else None,
                prefix=f"match-{match.pk}",
                initial={"match": match.pk},
            )
    form = forms.get(posted)
    if posted == "sanctions":
        form = sanctions_forms.get(int(http_request.POST.get("match") or 0))
    if form is not None and form.is_bound and form.is_valid():
        try:
            evidence = _evidence(http_request, partnership_request, form)
            if posted == "sanctions":
                match = get_object_or_404(
                    sanctions_matches(partnership_request), pk=form.cleaned_data["match"]
                )
                sanctions_licence_record(
                    actor=http_request.user,
                    request=partnership_request,
                    match=match,
                    data=form.as_input(),
                    evidence=evidence,
                    ip=client_ip(http_request),
                )
            else:
                RECORD[posted](
                    actor=http_request.user,
                    request=partnership_request,
                    data=form.as_input(),
                    evidence=evidence,
                    ip=client_ip(http_request),
                )
        except Refusal as refused:
            refusal_to_form(form, refused)
        else:
            messages.success(http_request, f"{dict(_labels(sections))[posted]}: recorded.")
            url = reverse("assessments:request_legal", args=[partnership_request.reference])
            return redirect(f"{url}#legal-{posted}")
    for section in sections:
        section.form = forms.get(section.regime)
        section.match_rows = [
            {"match": match, "licence": licence, "form": sanctions_forms.get(match.pk)}
            for match, licence in section.matches
        ]
    return render(
        http_request,
        "assessments/legal/request_legal.html",
        {
            "partnership_request": partnership_request,
            "sections": sections,
            "may_record": may_record,
            "record_refusal": refusal if has_role(http_request.user, Role.REVIEWER) else None,
            "has_errors": form is not None and form.is_bound and bool(form.errors),
            "alerts": partnership_request.legal_alerts.filter(cleared_at__isnull=True),
        },
    )


def _labels(sections):
    return [(section.regime, section.label) for section in sections]


# --- the legal register ------------------------------------------------------------------------


class RegisterFilterForm(forms.Form):
    kind = forms.ChoiceField(choices=[("", "Every kind"), *KINDS.items()], required=False)
    state = forms.ChoiceField(
        choices=[("open", "Not yet in place, expiring or expired"), ("", "All"), *STATES.items()],
        required=False,
    )


@require_GET
def legal_register(http_request):
    """Every licence requirement, NSI notification and FIRS registration of the portfolio, with
    due and expiry dates; filterable, and exported as CSV or XLSX."""
    if not may_read_legal(http_request.user):
        raise PermissionDenied("The legal register is for the central office and auditors.")
    params = http_request.GET.copy()
    params.setdefault("state", "open")
    form = RegisterFilterForm(params)
    if not form.is_valid():
        return render(
            http_request,
            "assessments/legal/register.html",
            {"form": form, "rows": [], "export_query": ""},
            status=400,
        )
    rows = register_filter(
        register_rows(visible_requests(http_request.user)),
        kind=form.cleaned_data["kind"],
        state=form.cleaned_data["state"],
    )
    fmt = http_request.GET.get("format", "")
    if fmt:
        return _register_export(http_request, rows, fmt, form.cleaned_data)
    query = urlencode(form.cleaned_data)
    # People who may not start (ATAS): counts per request, never names; only for those who may
    # see people at all (personal data).
    not_starting = []
    if sees_people_anywhere(http_request.user):
        not_starting = requests_with_people_not_starting(visible_requests(http_request.user))
    return render(
        http_request,
        "assessments/legal/register.html",
        {
            "form": form,
            "rows": rows,
            "export_query": query,
            "today": timezone.localdate(),
            "not_starting": not_starting,
        },
    )


def _register_export(http_request, rows, fmt, filters):
    if fmt not in ("csv", "xlsx"):
        raise Http404("No such export format.")
    with transaction.atomic():
        audit_record(
            actor=http_request.user,
            action="legal.register_exported",
            summary=f"Exported the legal register ({len(rows)} rows) as {fmt.upper()}",
            changes={"filters": filters, "rows": len(rows)},
            ip=client_ip(http_request),
        )
    filename = f"ukcn-legal-register-{timezone.localdate().isoformat()}.{fmt}"
    table = register_table(rows)
    if fmt == "csv":
        response = StreamingHttpResponse(
            stream_csv(REGISTER_COLUMNS, table), content_type="text/csv; charset=utf-8"
        )
    else:
        handle = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
        write_xlsx(handle, [("Legal register", REGISTER_COLUMNS, table)])
        handle.seek(0)
        response = FileResponse(
            handle,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
