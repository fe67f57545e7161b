"""Load the good-practice checklist and the default scoring policy from the repo. Idempotent."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from assessments.checklists import CHECKLIST_FILE, ChecklistFileError, checklist_load
from assessments.scoring.points import PolicyError
from assessments.scoring.versions import POLICY_FILE, policy_controls_missing, scoring_policy_load


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise CommandError(f"Cannot read {path}: {exc.strerror}.") from None


class Command(BaseCommand):
    help = (
        "Load the checklist and the scoring policy from their YAML files; re-running with "
        "unchanged files changes nothing, a changed file makes a new version."
    )

    def add_arguments(self, parser):
        parser.add_argument("--checklist", type=Path, default=CHECKLIST_FILE)
        parser.add_argument("--policy", type=Path, default=POLICY_FILE)

    def handle(self, *args, checklist: Path, policy: Path, **options):
        checklist_bytes, policy_bytes = _read(checklist), _read(policy)
        # One transaction: a bad policy file leaves the checklist untouched too.
        with transaction.atomic():
            self._load(checklist, checklist_bytes, policy, policy_bytes)

    def _load(self, checklist, checklist_bytes, policy, policy_bytes):
        try:
            report = checklist_load(data=checklist_bytes, source=checklist.name)
        except ChecklistFileError as exc:
            raise CommandError(f"{checklist}: {exc}") from None
        if report.unchanged:
            self.stdout.write("Checklist: file unchanged since it was last loaded.")
        else:
            version = f"version {report.version.number}" if report.version else "no new version"
            self.stdout.write(
                f"Checklist: {report.created} created, {report.updated} updated, "
                f"{report.retired} retired; {version}."
            )
        try:
            published = scoring_policy_load(data=policy_bytes, source=policy.name)
        except PolicyError as exc:
            raise CommandError(f"{policy}: {exc}") from None
        if published is None:
            self.stdout.write("Scoring policy: file unchanged since it was last loaded.")
        else:
            self.stdout.write(f"Scoring policy: version {published.number} is now active.")
        missing = policy_controls_missing()
        if missing:
            raise CommandError(
                f"{policy}: the policy's controls {', '.join(missing)} are not items in use in "
                "the checklist; add them to the checklist file or drop them from the policy."
            )
