from django.core.management.base import BaseCommand, CommandError

from assessments.audit import audit_verify_chain


class Command(BaseCommand):
    help = "Check the audit trail's hash chain; exit non-zero and name the first broken event."

    def handle(self, *args, **options):
        report = audit_verify_chain()
        if not report.ok:
            raise CommandError(
                f"audit log broken at event {report.broken_event_id}: {report.problem} "
                f"({report.checked} events before it verified)"
            )
        self.stdout.write(f"audit log intact: {report.checked} events verified")
