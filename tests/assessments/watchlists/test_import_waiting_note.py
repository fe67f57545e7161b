"""A queued import that no worker picks up says so, and how to start the worker."""

from datetime import timedelta

from django.utils import timezone

from assessments.models import Watchlist, WatchlistImport
from assessments.watchlists.tasks import WORKER_NOT_RUNNING, import_waiting_note


def test_a_queued_import_older_than_a_minute_says_the_worker_is_not_running(db):
    watchlist = Watchlist.objects.create(name="Internal list", format="csv")
    job = WatchlistImport.objects.create(watchlist=watchlist, source="list.csv", importer="csv")
    now = timezone.now()
    assert import_waiting_note(job, now=now + timedelta(seconds=30)) == ""
    note = import_waiting_note(job, now=now + timedelta(minutes=2))
    assert note == WORKER_NOT_RUNNING and "manage.py db_worker" in note
    WatchlistImport.objects.create(
        watchlist=watchlist, source="other.csv", importer="csv", status="running"
    )
    assert "running now" in import_waiting_note(job, now=now + timedelta(minutes=2))
    job.status = WatchlistImport.Status.SUCCEEDED
    assert import_waiting_note(job, now=now + timedelta(minutes=2)) == ""
