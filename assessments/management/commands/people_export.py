"""Subject-access export: every record of one person, across requests, as JSON; audited."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessments.people.export import dumps, people_named, people_subject_access_export


class Command(BaseCommand):
    help = (
        "Export every record of the person with this name (case and spacing aside) across "
        "requests, as JSON, for a subject-access request; the export is audited (by record "
        "ids, not the name)."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="the person's name as entered, any script")
        parser.add_argument("--out", help="file to write (default: standard output)")

    def handle(self, *args, **options):
        people = people_named(options["name"])
        if not people:
            raise CommandError("No person record has that name.")
        out = Path(options["out"]) if options["out"] else None
        if out is not None and not out.parent.is_dir():
            raise CommandError(
                f"--out {str(out)!r}: the folder {str(out.parent)!r} does not exist."
            )
        data = dumps(people_subject_access_export(people=people, channel="command"))
        if out is None:
            self.stdout.write(data)
            return
        try:
            out.write_text(data, encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"could not write {str(out)!r}: {exc.strerror or exc}") from None
        self.stdout.write(f"wrote {len(people)} person record(s) to {out}")
