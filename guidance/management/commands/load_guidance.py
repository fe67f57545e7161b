"""Load the starter guidance from guidance/data/; idempotent."""

from django.core.management.base import BaseCommand, CommandError

from guidance.feed import FeedError
from guidance.starter import starter_load


class Command(BaseCommand):
    help = (
        "Load the starter guidance (good practices, risks, advisers, NSI sectors); safe to rerun."
    )

    def handle(self, *args, **options):
        try:
            reports = starter_load()
        except FeedError as exc:
            raise CommandError(str(exc)) from None
        for name, report in reports.items():
            self.stdout.write(f"{name}: {report.summary()}")
            for warning in report.warnings:
                self.stdout.write(self.style.WARNING(f"  {warning}"))
            for key in report.conflicts:
                self.stdout.write(self.style.WARNING(f"  conflict (edited here): {key}"))
