from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_date

from assessments.workflow import conditions_mark_overdue


class Command(BaseCommand):
    help = "Mark open conditions past their due date as overdue (run daily, e.g. from cron)."

    def add_arguments(self, parser):
        parser.add_argument("--today", help="Treat this date (YYYY-MM-DD) as today.")

    def handle(self, *args, today=None, **options):
        day = None
        if today:
            day = parse_date(today)
            if day is None:
                raise CommandError(f"--today {today!r} is not a date in the form YYYY-MM-DD.")
        changed = conditions_mark_overdue(today=day)
        self.stdout.write(f"{changed} condition{'s' if changed != 1 else ''} marked overdue")
