"""Import a guidance bundle written by export_guidance (here or at a peer)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from guidance.feed import FeedError, feed_parse, guidance_import

from ._report import write_report


class Command(BaseCommand):
    help = "Import a guidance bundle file; items edited here are reported as conflicts."

    def add_arguments(self, parser):
        parser.add_argument("path", help="bundle file written by export_guidance")

    def handle(self, *args, path, **options):
        try:
            body = Path(path).read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}") from None
        try:
            document = feed_parse(body, source=path, not_json=f"{path} is not JSON")
            report = guidance_import(document=document, origin=f"bundle:{Path(path).name}")
        except FeedError as exc:
            raise CommandError(str(exc)) from None
        write_report(self, report)
