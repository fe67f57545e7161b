"""Load a dated version of the ATAS lists from a CSV (see assessments/people/reference.py)."""

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessments.people.reference import atas_version_import
from ukcn.refusals import Refusal


class Command(BaseCommand):
    help = (
        "Load a new version of the ATAS lists (exempt nationalities, CAH3 and SOC codes) from a "
        "CSV with columns list,code; the version applies from --effective-from."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--label", required=True)
        parser.add_argument("--effective-from", required=True, help="YYYY-MM-DD")
        parser.add_argument("--source", required=True, help="document, URL and date seen")
        parser.add_argument(
            "--complete",
            action="store_true",
            help="the codes are the full Appendix ATAS lists (unlisted codes are out of scope)",
        )

    def handle(self, *args, **options):
        try:
            effective = date.fromisoformat(options["effective_from"])
        except ValueError:
            raise CommandError("--effective-from must be a date, YYYY-MM-DD.") from None
        try:
            text = Path(options["file"]).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"could not read {options['file']!r}: {exc}") from None
        try:
            version = atas_version_import(
                text=text,
                label=options["label"],
                effective_from=effective,
                source=options["source"],
                complete=options["complete"],
            )
        except Refusal as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            f"loaded {version}: {len(version.exempt_countries)} exempt nationalities, "
            f"{len(version.cah3_codes)} CAH3 codes, {len(version.soc_codes)} SOC codes"
        )
