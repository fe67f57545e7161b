"""Refreshing watchlists from their source URLs when their refresh interval has passed."""

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from assessments.audit import audit_record
from assessments.models import Watchlist, WatchlistImport, WatchlistVersion
from ukcn.fetch import FetchError, url_fetch

from .importers import importer_get
from .loader import WatchlistImportError, watchlist_import

logger = logging.getLogger(__name__)

Outcome = Watchlist.CheckOutcome
_AUDIT_ACTIONS = {
    Outcome.IMPORTED: "watchlist.refreshed",
    Outcome.UNCHANGED: "watchlist.checked_unchanged",
    Outcome.FAILED: "watchlist.refresh_failed",
}


@dataclass(frozen=True)
class RefreshResult:
    watchlist: Watchlist
    outcome: str  # a Watchlist.CheckOutcome
    message: str
    version: WatchlistVersion | None = None


def watchlists_due_for_refresh(*, now: datetime) -> list[Watchlist]:
    """Active lists with a source URL and an interval whose last check is older than the interval."""
    candidates = (
        Watchlist.objects.filter(is_active=True, refresh_interval__isnull=False)
        .exclude(source_url="")
        .order_by("name")
    )
    return [
        watchlist
        for watchlist in candidates
        if watchlist.last_checked_at is None
        or watchlist.last_checked_at + watchlist.refresh_interval <= now
    ]


def _refresh_options(watchlist: Watchlist) -> dict:
    """The column mapping of the latest successful admin import from the same URL, if any."""
    earlier = (
        WatchlistImport.objects.filter(
            watchlist=watchlist,
            url=watchlist.source_url,
            importer=watchlist.format,
            status__in=[WatchlistImport.Status.SUCCEEDED, WatchlistImport.Status.UNCHANGED],
        )
        .order_by("-requested_at", "-id")
        .first()
    )
    return dict(earlier.options) if earlier is not None else {}


def _same_failed_file(watchlist: Watchlist, data: bytes) -> WatchlistVersion | None:
    """The latest version when it is a failed import of these very bytes by the same importer."""
    latest = watchlist.versions.order_by("-number").first()
    if latest is None or latest.status != WatchlistVersion.Status.FAILED:
        return None
    try:
        parser = importer_get(watchlist.format)
    except ValueError:
        return None
    same = (
        latest.sha256 == hashlib.sha256(data).hexdigest()
        and latest.importer == parser.name
        and latest.importer_version == parser.version
    )
    return latest if same else None


def _import(watchlist: Watchlist) -> RefreshResult:
    try:
        data = url_fetch(watchlist.source_url)
        failed_before = _same_failed_file(watchlist, data)
        if failed_before is not None:
            # Importing the same bytes again would fail the same way: say so, add no version.
            return RefreshResult(
                watchlist,
                Outcome.FAILED,
                f"unchanged since the failed import v{failed_before.number}: {failed_before.error}",
            )
        result = watchlist_import(
            watchlist=watchlist,
            data=data,
            source=watchlist.source_url,
            importer=watchlist.format,
            options=_refresh_options(watchlist),
            actor=None,
        )
    except (FetchError, WatchlistImportError) as exc:
        return RefreshResult(watchlist, Outcome.FAILED, str(exc), getattr(exc, "version", None))
    except Exception as exc:
        # One broken list must not stop the others; the log has the traceback.
        logger.exception("refreshing watchlist %s crashed", watchlist.pk)
        return RefreshResult(
            watchlist, Outcome.FAILED, f"the refresh crashed ({exc.__class__.__name__})"
        )
    if result.unchanged_file:
        return RefreshResult(
            watchlist,
            Outcome.UNCHANGED,
            f"identical to the active version v{result.version.number} "
            f"(SHA-256 {result.version.sha256[:12]}…)",
            result.version,
        )
    return RefreshResult(watchlist, Outcome.IMPORTED, result.summary(), result.version)


def _outcome_record(result: RefreshResult, *, now: datetime) -> None:
    watchlist = result.watchlist
    with transaction.atomic():
        Watchlist.objects.filter(pk=watchlist.pk).update(
            last_checked_at=now,
            last_check_outcome=result.outcome,
            last_check_message=result.message,
        )
        watchlist.last_checked_at = now
        watchlist.last_check_outcome = result.outcome
        watchlist.last_check_message = result.message
        audit_record(
            actor=None,
            action=_AUDIT_ACTIONS[result.outcome],
            summary=f"Scheduled refresh of {watchlist} from {watchlist.source_url}: {result.message}",
            obj=watchlist,
            changes={
                "outcome": result.outcome,
                "source_url": watchlist.source_url,
                "version": result.version.number if result.version else None,
            },
        )


def watchlist_refresh(*, watchlist: Watchlist, now: datetime) -> RefreshResult | None:
    """Fetch one list's source URL: a changed file becomes a new version, an unchanged one is
    recorded as checked, a failure is recorded and leaves the active version as it was.

    None when another run (on any host) started checking this list first.
    """
    # Claim the check: only the run that moves `last_checked_at` on from what it read goes on.
    claimed = Watchlist.objects.filter(
        pk=watchlist.pk, last_checked_at=watchlist.last_checked_at
    ).update(last_checked_at=now)
    if not claimed:
        return None
    result = _import(watchlist)
    _outcome_record(result, now=now)
    return result


def watchlists_refresh_due(*, now: datetime) -> list[RefreshResult]:
    """Refresh every list whose interval has passed since its last check; one failure stops none."""
    results = []
    for watchlist in watchlists_due_for_refresh(now=now):
        result = watchlist_refresh(watchlist=watchlist, now=now)
        if result is not None:
            results.append(result)
    return results
