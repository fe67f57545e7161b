"""Write one request's audit report (PDF or HTML) to a file, for a committee, funder or court."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from assessments.models import PartnershipRequest
from assessments.reports.audit_report import (
    FORMATS,
    audit_report_build,
    audit_report_record,
    audit_report_render,
)


class Command(BaseCommand):
    help = (
        "Write the audit report of one request (facts, screening, checklist, assessment, "
        "decisions, audit timeline and the audit chain's hash) as PDF or HTML; audited."
    )

    def add_arguments(self, parser):
        parser.add_argument("reference", help="the request's reference, e.g. PR-2026-0001")
        parser.add_argument("--format", required=True, help="pdf or html")
        parser.add_argument("--out", required=True, help="file to write")
        parser.add_argument(
            "--by",
            metavar="USERNAME",
            help="the user the report is made for or by, named on it and in the audit trail",
        )

    def handle(self, *args, **options):
        fmt = options["format"].lower()
        if fmt not in FORMATS:
            raise CommandError(
                f"--format {options['format']!r} is not one of {', '.join(FORMATS)}."
            )
        reference = options["reference"].strip()
        request = PartnershipRequest.objects.filter(reference=reference).first()
        if request is None:
            raise CommandError(f"No request has the reference {reference!r}.")
        by = None
        if options["by"]:
            by = get_user_model().objects.filter(username=options["by"], is_active=True).first()
            if by is None:
                raise CommandError(f"--by {options['by']!r}: no active user has that username.")
        out = Path(options["out"])
        if out.is_dir():
            raise CommandError(f"--out {str(out)!r} is a folder: give a file name.")
        if not out.parent.is_dir():
            raise CommandError(
                f"--out {str(out)!r}: the folder {str(out.parent)!r} does not exist."
            )

        generated_by = "manage.py audit_report"
        if by is not None:
            generated_by = f"{by.get_full_name() or by.get_username()} (manage.py audit_report)"
        report = audit_report_build(request=request, generated_by=generated_by)
        content = audit_report_render(report=report, fmt=fmt)
        try:
            out.write_bytes(content)
        except OSError as exc:
            raise CommandError(f"Could not write {str(out)!r}: {exc.strerror or exc}.") from None
        with transaction.atomic():
            audit_report_record(actor=by, report=report, fmt=fmt, channel="command")
        self.stdout.write(
            f"wrote the audit report of {request.reference} to {out} ({fmt}, "
            f"{len(content):,} bytes; audit chain head {report.chain_head[:16]}…)"
        )
