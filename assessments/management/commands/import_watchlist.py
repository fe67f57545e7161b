"""Import a watchlist from a file or an https URL in the foreground."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from assessments.models import LegalEffect, RiskLevel, Watchlist
from assessments.watchlists.importers import (
    ImportFormatError,
    importer_get,
    importers_available,
)
from assessments.watchlists.importers.ukcn_csv import mapping_parse
from assessments.watchlists.loader import (
    WatchlistImportError,
    watchlist_create,
    watchlist_import,
)
from ukcn.fetch import FetchError, url_fetch

PROGRESS_FROM = 10000


class Command(BaseCommand):
    help = (
        "Import SOURCE (a file path or an https URL) as a new version of the watchlist --list, "
        "creating the list when it is new. Identical bytes create no new version."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", help="a file path or an http(s) URL")
        parser.add_argument("--format", required=True, help="importer name, e.g. csv, aspi, ftm")
        parser.add_argument("--list", required=True, dest="list_name", help="watchlist name")
        parser.add_argument(
            "--map", default="", help="column mapping for csv: name=Title,aliases=Also known as"
        )
        parser.add_argument("--separator", default="", help="list separator in csv cells (|)")
        parser.add_argument("--dry-run", action="store_true", help="report the changes only")
        parser.add_argument("--publisher", default="")
        parser.add_argument("--licence", default="")
        parser.add_argument("--homepage", default="")
        parser.add_argument(
            "--blocking",
            action="store_true",
            default=None,
            help="a confirmed match blocks (new lists; the uk-sanctions format's default)",
        )
        parser.add_argument(
            "--legal-effect",
            choices=LegalEffect.values,
            help="what a match means in law (new lists: the format's default, else none)",
        )
        parser.add_argument(
            "--default-risk",
            choices=RiskLevel.values,
            help="risk level for entries without one (new lists: listed)",
        )
        parser.add_argument("--actor", default="", help="username recorded as the importer")

    def handle(self, *args, source, format, list_name, **options):
        if format not in importers_available():
            known = ", ".join(sorted(importers_available()))
            raise CommandError(f"unknown format {format!r} (known formats: {known})")
        try:
            import_options = {"mapping": mapping_parse(options["map"])}
        except ImportFormatError as exc:
            raise CommandError(str(exc)) from None
        if options["separator"]:
            import_options["separator"] = options["separator"]
        actor = self._actor(options["actor"])
        data = self._read(source)
        watchlist = self._watchlist(list_name, format, source, actor, options)
        verbosity = options["verbosity"]

        def progress(stage: str, rows: int) -> None:
            if verbosity >= 1 and rows >= PROGRESS_FROM:  # small files need no progress
                self.stderr.write(f"  {stage}: {rows} rows")

        try:
            result = watchlist_import(
                watchlist=watchlist,
                data=data,
                source=source,
                importer=format,
                options=import_options,
                actor=actor,
                dry_run=options["dry_run"],
                progress=progress,
            )
        except WatchlistImportError as exc:
            raise CommandError(f"import of {source} failed: {exc}") from None
        self.stdout.write(result.summary())

    def _read(self, source: str) -> bytes:
        if source.startswith(("http://", "https://")):
            try:
                return url_fetch(source)
            except FetchError as exc:
                raise CommandError(str(exc)) from None
        path = Path(source)
        if not path.is_file():
            raise CommandError(f"{source}: no such file")
        return path.read_bytes()

    def _actor(self, username: str):
        if not username:
            return None
        try:
            return get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"no user called {username!r}") from None

    def _watchlist(self, name: str, format: str, source: str, actor, options) -> Watchlist:
        watchlist = Watchlist.objects.filter(name=name).first()
        if watchlist is None:
            if options["dry_run"]:
                # A dry run saves nothing, not even the new list.
                return Watchlist(name=name, format=format)
            given = {
                "publisher": options["publisher"],
                "licence": options["licence"],
                "homepage": options["homepage"],
                "blocking": options["blocking"],
                "legal_effect": options["legal_effect"],
                "default_risk_level": options["default_risk"],
            }
            # What the person importing gave, else the format's defaults for a new list.
            fields = {
                "blocking": False,
                "legal_effect": LegalEffect.NONE,
                "default_risk_level": RiskLevel.LISTED,
                **importer_get(format).list_defaults,
                **{key: value for key, value in given.items() if value not in (None, "")},
            }
            watchlist = watchlist_create(
                actor=actor,
                name=name,
                format=format,
                source_url=source if source.startswith(("http://", "https://")) else "",
                **fields,
            )
        return watchlist
