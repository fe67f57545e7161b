"""Re-screen open requests and live partnerships against the active watchlists."""

from django.core.management.base import BaseCommand

from assessments.screening.service import rescreen_open_partnerships


class Command(BaseCommand):
    help = "Re-screen all open requests and approved partnerships within their review period."

    def handle(self, *args, **options):
        summary = rescreen_open_partnerships(reason="manage.py rescreen")
        self.stdout.write(
            f"Re-screened {summary.requests} request(s): {summary.new} new potential match(es), "
            f"{summary.alerts} alert(s) raised."
        )
