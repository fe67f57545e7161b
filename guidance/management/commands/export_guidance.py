"""Write the published, shareable guidance to a bundle file (the feed document)."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from guidance.feed import feed_document


class Command(BaseCommand):
    help = "Export published guidance that may be shared to a JSON bundle for offline transfer."

    def add_arguments(self, parser):
        parser.add_argument("path", help="file to write, e.g. guidance-bundle.json")

    def handle(self, *args, path, **options):
        document = feed_document()
        try:
            Path(path).write_text(
                json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
            )
        except OSError as exc:
            raise CommandError(f"Cannot write {path}: {exc.strerror}") from None
        self.stdout.write(self.style.SUCCESS(f"Wrote {len(document['items'])} items to {path}"))
