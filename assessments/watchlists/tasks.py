"""Background watchlist imports through Django's tasks API (`manage.py db_worker` runs them)."""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from assessments.audit import audit_record
from assessments.models import Watchlist, WatchlistImport
from ukcn.fetch import FetchError, url_fetch

from .loader import WatchlistImportError, watchlist_import

logger = logging.getLogger(__name__)


def watchlist_import_queue(
    *,
    watchlist: Watchlist,
    importer: str,
    actor,
    data: bytes | None = None,
    filename: str = "",
    url: str = "",
    options: dict | None = None,
    ip: str | None = None,
) -> WatchlistImport:
    """Record an import request (an uploaded file or a URL) and queue it for a task worker."""
    if (data is None) == (not url):
        raise ValueError("give either the uploaded data or a URL")
    with transaction.atomic():
        job = WatchlistImport.objects.create(
            watchlist=watchlist,
            source=url or filename,
            url=url,
            data=data,
            importer=importer,
            options=options or {},
            requested_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit_record(
            actor=actor,
            action="watchlist.import_queued",
            summary=f"Import of {job.source} into {watchlist} queued",
            obj=job,
            changes={"source": job.source, "importer": importer},
            ip=ip,
        )
    result = watchlist_import_run.enqueue(job_id=job.pk)
    WatchlistImport.objects.filter(pk=job.pk, task_id="").update(task_id=str(result.id))
    job.refresh_from_db()
    return job


def _progress(job_id: int):
    def report(stage: str, rows: int) -> None:
        WatchlistImport.objects.filter(pk=job_id).update(stage=stage, rows_done=rows)

    return report


def _finish(job_id: int, status: str, message: str, version=None) -> None:
    WatchlistImport.objects.filter(pk=job_id).update(
        status=status,
        stage="done",
        message=message,
        version=version,
        finished_at=timezone.now(),
        data=None,  # the bytes are in no one's interest once imported
    )


@task()
def watchlist_import_run(job_id: int) -> str:
    """Run one queued import; its row records progress, the outcome and the version made."""
    job = WatchlistImport.objects.select_related("watchlist", "requested_by").get(pk=job_id)
    WatchlistImport.objects.filter(pk=job_id).update(
        status=WatchlistImport.Status.RUNNING, started_at=timezone.now(), stage="reading"
    )
    try:
        if job.url:
            WatchlistImport.objects.filter(pk=job_id).update(stage="fetching")
            data = url_fetch(job.url)
        else:
            data = bytes(job.data or b"")
        result = watchlist_import(
            watchlist=job.watchlist,
            data=data,
            source=job.source,
            importer=job.importer,
            options=job.options,
            actor=job.requested_by,
            progress=_progress(job_id),
        )
    except (FetchError, WatchlistImportError) as exc:
        _finish(job_id, WatchlistImport.Status.FAILED, str(exc), getattr(exc, "version", None))
        return f"failed: {exc}"
    except Exception:
        logger.exception("watchlist import %s crashed", job_id)
        _finish(job_id, WatchlistImport.Status.FAILED, "the import crashed; see the server log")
        raise
    status = (
        WatchlistImport.Status.UNCHANGED
        if result.unchanged_file
        else WatchlistImport.Status.SUCCEEDED
    )
    _finish(job_id, status, result.summary(), result.version)
    return result.summary()


# How long a queued import may wait before the page says the worker may not be running.
WORKER_GRACE = timedelta(minutes=1)
WORKER_NOT_RUNNING = (
    "Not started after a minute: the task worker does not seem to be running. Start it with "
    "`manage.py db_worker` (`make run` starts it alongside the server); the import then runs."
)


def import_waiting_note(job: WatchlistImport, *, now=None) -> str:
    """Why a queued import has not started, when it has waited longer than it should; "" else."""
    now = now or timezone.now()
    if job.status != WatchlistImport.Status.QUEUED or now - job.requested_at < WORKER_GRACE:
        return ""
    if WatchlistImport.objects.filter(status=WatchlistImport.Status.RUNNING).exists():
        return "Waiting for the import running now to finish."
    return WORKER_NOT_RUNNING
