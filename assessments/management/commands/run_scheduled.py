"""Run the scheduled jobs that are due; cron or a systemd timer calls this every few minutes."""

from django.core.management.base import BaseCommand, CommandError

from assessments.scheduling import JOBS, scheduled_jobs_run


class Command(BaseCommand):
    help = (
        "Run every scheduled job whose period has come (digests, overdue conditions, reminders, "
        "watchlist refresh, guidance past review-by). "
        "Safe to run often and on several hosts at once: each job period runs once."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--job", action="append", dest="jobs", metavar="NAME", help="run only this job"
        )
        parser.add_argument(
            "--list", action="store_true", dest="list_only", help="list the jobs and stop"
        )

    def handle(self, *args, jobs=None, list_only=False, **options):
        known = {job.name: job for job in JOBS}
        if list_only:
            for job in JOBS:
                self.stdout.write(f"{job.name}\tevery {job.every}")
            return
        unknown = sorted(set(jobs or []) - known.keys())
        if unknown:
            raise CommandError(
                f"Unknown job {', '.join(unknown)}; the jobs are: {', '.join(known)}."
            )
        failed = 0
        for result in scheduled_jobs_run(only=jobs):
            line = f"{result.job} {result.period or '-'}: {result.outcome}"
            if result.summary:
                line += f": {result.summary}"
            self.stdout.write(line)
            failed += result.outcome == "failed"
        if failed:
            raise CommandError(f"{failed} job(s) failed; see the log and ScheduledJobRun.")
