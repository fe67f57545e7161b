"""Import a guidance bundle written by export_guidance (here or at a peer)."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from guidance.feed import FeedError, guidance_import

from ._report import write_report


class Command(BaseCommand):
    help = "Import a guidance bundle file; items edited here are reported as conflicts."

    def add_arguments(self, parser):
        parser.add_argument("path", help="bundle file written by export_guidance")

    def handle(self, *args, path, **options):
        try:
            document = json.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}") from None
        except ValueError as exc:
            raise CommandError(f"{path} is not JSON: {exc}") from None
        try:
            report = guidance_import(document=document, origin=f"bundle:{Path(path).name}")
        except FeedError as exc:
            raise CommandError(str(exc)) from None
        write_report(self, report)
