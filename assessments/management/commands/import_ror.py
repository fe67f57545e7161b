"""Import the Research Organization Registry dump (.zip from Zenodo, or its v2 .json)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from assessments.organisations.ror import RorImportError, ror_import


class Command(BaseCommand):
    help = (
        "Import FILE, the ROR data dump (schema v2; the Zenodo .zip or the .json inside it), "
        "into the organisation identity store. Re-running with a newer dump updates in place; "
        "a malformed or partial file changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="path to the ROR dump, .zip or .json")
        parser.add_argument("--dry-run", action="store_true", help="count the changes only")
        parser.add_argument("--actor", default="", help="username recorded as the importer")

    def handle(self, *args, file, dry_run, actor, **options):
        user = None
        if actor:
            user = get_user_model().objects.filter(username=actor).first()
            if user is None:
                raise CommandError(f"No user named {actor!r}.")
        try:
            summary = ror_import(file, actor=user, dry_run=dry_run)
        except RorImportError as error:
            raise CommandError(f"ROR import failed, nothing changed: {error}") from None
        prefix = "Dry run: " if dry_run else ""
        self.stdout.write(prefix + summary.sentence())
