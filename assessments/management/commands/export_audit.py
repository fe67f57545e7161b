"""Export the portfolio (requests, partners, audit events) for an auditor, a funder or a court."""

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from assessments.models import PartnershipRequest
from assessments.reports.exports import (
    FORMATS,
    DateRange,
    export_csv,
    export_events,
    export_json,
    export_meta,
    export_xlsx,
    portfolio_export_record,
)


def _date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{option} {value!r} is not a date: use YYYY-MM-DD.") from None


class Command(BaseCommand):
    help = (
        "Export one row per request (created in the period) with partners and audit events "
        "(recorded in the period) as CSV, XLSX or JSON."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", required=True, help="csv, xlsx or json")
        parser.add_argument("--out", required=True, help="file to write")
        parser.add_argument("--since", help="first day, YYYY-MM-DD (inclusive)")
        parser.add_argument("--until", help="last day, YYYY-MM-DD (inclusive)")
        parser.add_argument(
            "--include-people",
            action="store_true",
            help="also write the people of the exported requests to <out>.people.json "
            "(personal data: only for an auditor named with --by)",
        )
        parser.add_argument("--by", metavar="USERNAME", help="the auditor the export is for")

    def handle(self, *args, **options):
        fmt = options["format"].lower()
        if fmt not in FORMATS:
            raise CommandError(
                f"--format {options['format']!r} is not one of {', '.join(FORMATS)}."
            )
        period = DateRange(_date(options["since"], "--since"), _date(options["until"], "--until"))
        if period.since and period.until and period.since > period.until:
            raise CommandError("--since must not be after --until.")
        out = Path(options["out"])
        if not out.parent.is_dir():
            raise CommandError(
                f"--out {str(out)!r}: the folder {str(out.parent)!r} does not exist."
            )

        auditor = self._auditor(options) if options["include_people"] else None
        requests = period.filter(PartnershipRequest.objects.all(), "created_at")
        filters = {
            key: value.isoformat()
            for key, value in (("since", period.since), ("until", period.until))
            if value
        }
        with transaction.atomic():
            event = portfolio_export_record(
                actor=None, fmt=fmt, requests=requests, filters=filters, channel="command"
            )
        try:
            self._write(out, fmt, requests, period, filters)
        except OSError as exc:
            raise CommandError(f"could not write {str(out)!r}: {exc.strerror or exc}") from None
        self.stdout.write(f"wrote {event.changes['rows']} requests to {out} ({fmt})")
        if auditor is not None:
            self._write_people(out, requests, auditor)

    def _auditor(self, options):
        from django.contrib.auth import get_user_model

        from assessments.people.export import may_export_people

        if not options["by"]:
            raise CommandError("--include-people needs --by USERNAME, naming an auditor.")
        user = get_user_model().objects.filter(username=options["by"], is_active=True).first()
        if not may_export_people(user):
            raise CommandError(f"--by {options['by']!r}: only an auditor may export people.")
        return user

    def _write_people(self, out: Path, requests, auditor) -> None:
        from assessments.people.export import dumps, people_of_requests_export

        path = out.with_name(out.name + ".people.json")
        data = people_of_requests_export(requests=requests, actor=auditor, channel="command")
        try:
            path.write_text(dumps(data), encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"could not write {str(path)!r}: {exc.strerror or exc}") from None
        self.stdout.write(f"wrote {len(data['people'])} people to {path}")

    def _write(self, out: Path, fmt: str, requests, period: DateRange, filters: dict) -> None:
        if fmt == "xlsx":
            export_xlsx(out, requests, events=export_events(period=period))
            return
        with out.open("w", encoding="utf-8", newline="") as handle:
            if fmt == "csv":
                chunks = export_csv(requests)
            else:
                chunks = export_json(
                    requests, meta=export_meta(generated_by="export_audit", filters=filters)
                )
            for chunk in chunks:
                handle.write(chunk)
