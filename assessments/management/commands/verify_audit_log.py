from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from assessments.audit import AuditHeadError, audit_heads_read, audit_verify_chain


class Command(BaseCommand):
    help = (
        "Check the audit trail: the hash chain, each event's HMAC, and that every published "
        "head is still there (history only grew); exit non-zero naming the first problem."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--against",
            metavar="FILE",
            help="published heads to check against (default: AUDIT_HEAD_FILE, when set)",
        )
        parser.add_argument(
            "--without-key",
            action="store_true",
            help="do not check HMACs: for someone who does not hold the key",
        )

    def handle(self, *args, against=None, without_key=False, **options):
        path = against or settings.AUDIT_HEAD_FILE
        heads = []
        if path and not against and not Path(path).exists():
            self.stderr.write(f"no heads published yet in {path}: checking the chain only")
        elif path:
            try:
                heads = audit_heads_read(path)
            except AuditHeadError as exc:
                raise CommandError(f"audit log not verified: {exc}") from None
        report = audit_verify_chain(heads=heads, check_macs=not without_key)
        if not report.ok:
            if report.broken_event_id is None:
                raise CommandError(f"audit log broken: {report.problem}")
            raise CommandError(
                f"audit log broken at event {report.broken_event_id}: {report.problem} "
                f"({report.checked} events before it verified)"
            )
        signed = "HMACs not checked" if without_key else f"{report.signed} signed"
        self.stdout.write(
            f"audit log intact: {report.checked} events verified ({signed}, {report.unsigned} "
            f"from before keys by their hash chain only; {report.heads_matched} of "
            f"{len(heads)} published heads matched)"
        )
