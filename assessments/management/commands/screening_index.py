"""Build the screening index for the active lists and write the machine's snapshot of it."""

import time

from django.core.management.base import BaseCommand

from assessments.screening import snapshot
from assessments.screening.service import _index_key, prepare_screening_index


class Command(BaseCommand):
    help = (
        "Build the screening index for the active watchlist versions now (as a version's "
        "activation does) and write it where every worker of this machine loads it."
    )

    def handle(self, *args, **options):
        started = time.perf_counter()
        index = prepare_screening_index()
        path = snapshot.snapshot_path(_index_key())
        self.stdout.write(
            f"Screening index ready: {len(index)} entries, {len(index.names)} names, "
            f"in {time.perf_counter() - started:.1f} s; snapshot {path}"
        )
