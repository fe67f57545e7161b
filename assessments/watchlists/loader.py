"""The one loader every import goes through: validate rows, write a version, switch atomically."""

import gc
import hashlib
import json
import logging
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from assessments.audit import audit_record
from assessments.models import RiskLevel, Watchlist, WatchlistEntry, WatchlistVersion
from assessments.screening.service import rescreen_after_activation

from .entries import RowError, entry_fingerprint, row_clean
from .importers import ImportFormatError, importer_get

__all__ = [
    "ImportResult",
    "WatchlistImportError",
    "entry_fingerprint",
    "watchlist_create",
    "watchlist_import",
    "watchlist_version_activate",
]

logger = logging.getLogger(__name__)
BATCH_SIZE = 5000
PROGRESS_EVERY = 10000
Progress = Callable[[str, int], None]


class WatchlistImportError(Exception):
    """An import that failed; nothing it read was kept and the active version is untouched."""

    def __init__(self, message: str, version: WatchlistVersion | None = None):
        super().__init__(message)
        self.version = version


@dataclass
class ImportResult:
    watchlist: Watchlist
    version: WatchlistVersion | None
    rows_read: int = 0
    added: int = 0
    removed: int = 0
    changed: int = 0
    unchanged_file: bool = False
    dry_run: bool = False
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        if self.unchanged_file:
            return (
                f"{self.watchlist}: identical to the active version v{self.version.number} "
                f"(id {self.version.pk}); no new version created"
            )
        counts = (
            f"{self.rows_read} rows read, {self.added} added, {self.removed} removed, "
            f"{self.changed} changed"
        )
        if self.dry_run:
            line = f"{self.watchlist}: dry run, {counts}; nothing saved"
        else:
            line = (
                f"{self.watchlist}: {counts}; "
                f"version v{self.version.number} (id {self.version.pk}) is active"
            )
        # What the importer had to say about the file (skipped records, missing fields).
        return f"{line}. {' '.join(self.notes)}" if self.notes else line


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@contextmanager
def _gc_paused():
    """Pause the cyclic garbage collector while building many small containers.

    100,000 rows of dicts and lists trigger repeated full collections that find nothing to
    free (the rows are all alive); pausing it cut the parse-and-validate time markedly.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class _Tally:
    """What streaming the rows learnt: each id's fingerprint (for the diff, and to refuse a
    repeated id) and how many rows took the list's default risk level."""

    def __init__(self):
        self.fingerprints: dict[str, str] = {}
        self.places: dict[str, str] = {}
        self.defaulted = 0


def _rows_stream(*, importer, data, options, default_risk, progress, tally: _Tally):
    """Parse and validate the rows one at a time, yielding each clean row.

    Nothing keeps the rows: the caller writes them in batches inside the import's transaction,
    so one bad row anywhere still fails the whole import and rolls back every row written.
    """
    if not data or not data.strip():
        raise ImportFormatError("the file is empty")
    limit = settings.WATCHLIST_MAX_BYTES
    if len(data) > limit:
        raise ImportFormatError(f"the file is too large ({len(data)} bytes; the limit is {limit})")
    position = 0
    try:
        for position, raw_row in enumerate(importer.parse(data, options), start=1):
            if not str(raw_row.get("risk_level") or "").strip():
                tally.defaulted += 1
            row = row_clean(raw_row, position=position, default_risk=default_risk)
            where = raw_row.get("line") or f"record {position}"
            external_id = row["external_id"]
            if external_id in tally.fingerprints:
                raise RowError(
                    f"{where}: id {external_id!r} already used by {tally.places[external_id]}"
                )
            tally.fingerprints[external_id] = row["fingerprint"]
            tally.places[external_id] = where
            if progress and position % PROGRESS_EVERY == 0:
                progress("parsing", position)
            yield row
    except (TypeError, AttributeError, KeyError, IndexError) as exc:
        # A record shaped differently from what the format promises (an object where a
        # list belongs, a missing key): name the place rather than crash.
        raise ImportFormatError(
            f"record {position + 1}: unexpected structure ({exc.__class__.__name__}: {exc})"
        ) from None
    if not tally.fingerprints:
        raise ImportFormatError("the file holds no entries")
    if tally.defaulted == len(tally.fingerprints) and "notes" in options:
        label = RiskLevel(default_risk).label if default_risk in RiskLevel.values else default_risk
        options["notes"].append(
            f"The file gives no risk level: all {tally.defaulted} entries take the list's "
            f"default ({label}) until the office sets one."
        )


def _diff_counts(previous: dict[str, str], current: dict[str, str]) -> tuple[int, int, int]:
    """(added, removed, changed) by external id, a change being a different fingerprint."""
    added = sum(1 for key in current if key not in previous)
    removed = sum(1 for key in previous if key not in current)
    changed = sum(1 for key, fp in current.items() if key in previous and previous[key] != fp)
    return added, removed, changed


_ENTRY_FIELDS = (
    "version",
    "external_id",
    "name",
    "aliases",
    "country",
    "risk_level",
    "categories",
    "notes",
    "source_url",
    "kind",
    "raw",
    "fingerprint",
)
_JSON = json.JSONEncoder(ensure_ascii=False, default=str)


def _entry_values(version_id: int, rows: list[dict]):
    dumps = _JSON.encode
    for row in rows:
        yield (
            version_id,
            row["external_id"],
            row["name"],
            dumps(row["aliases"]),
            row["country"],
            row["risk_level"],
            dumps(row["categories"]),
            row["notes"],
            row["source_url"],
            row["kind"],
            row.get("raw_json") or dumps(row["raw"]),
            row["fingerprint"],
        )


def _entries_write(*, version, rows, progress, written: int = 0) -> None:
    """Insert one batch of validated rows: COPY on PostgreSQL, executemany elsewhere.

    The ORM's bulk_create spent most of a 100,000-entry import building SQL value by value;
    the rows are plain, already validated data, so they go straight to the driver.
    """
    quote = connection.ops.quote_name
    table = quote(WatchlistEntry._meta.db_table)
    columns = ", ".join(
        quote(WatchlistEntry._meta.get_field(name).column) for name in _ENTRY_FIELDS
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for values in _entry_values(version.pk, rows):
                    copy.write_row(values)
        else:
            placeholders = ", ".join(["%s"] * len(_ENTRY_FIELDS))
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({placeholders})",  # noqa: S608
                list(_entry_values(version.pk, rows)),
            )
    if progress:
        progress("writing", written + len(rows))


def watchlist_version_activate(*, version: WatchlistVersion, actor, ip: str | None = None) -> None:
    """Make `version` its list's active version: the old one is superseded first (one active per
    list is a database constraint), and the switch is audited in the same transaction."""
    with transaction.atomic():
        superseded = list(
            WatchlistVersion.objects.select_for_update()
            .filter(watchlist_id=version.watchlist_id, status=WatchlistVersion.Status.ACTIVE)
            .exclude(pk=version.pk)
            .values_list("number", flat=True)
        )
        WatchlistVersion.objects.filter(
            watchlist_id=version.watchlist_id, status=WatchlistVersion.Status.ACTIVE
        ).exclude(pk=version.pk).update(status=WatchlistVersion.Status.SUPERSEDED)
        version.status = WatchlistVersion.Status.ACTIVE
        version.activated_at = timezone.now()
        version.save(update_fields=["status", "activated_at"])
        audit_record(
            actor=actor,
            action="watchlist.version_activated",
            summary=f"{version.watchlist} v{version.number} is now the active version",
            obj=version,
            changes={"superseded_versions": superseded, "active_version": version.number},
            ip=ip,
        )
        # Lists change: once the new version is committed, open and live partnerships are
        # screened against it and new or changed matches raise alerts.
        transaction.on_commit(lambda: rescreen_after_activation(version))


def _active_version(watchlist: Watchlist) -> WatchlistVersion | None:
    if watchlist.pk is None:  # a dry run against a list that does not exist yet
        return None
    return watchlist.versions.filter(status=WatchlistVersion.Status.ACTIVE).first()


def watchlist_create(
    *, actor, name: str, format: str, ip: str | None = None, **fields
) -> Watchlist:
    """Create a watchlist (no versions yet) and audit it."""
    with transaction.atomic():
        watchlist = Watchlist.objects.create(name=name, format=format, **fields)
        audit_record(
            actor=actor,
            action="watchlist.created",
            summary=f"Watchlist {name} created (format {format})",
            obj=watchlist,
            changes={"name": name, "format": format, **fields},
            ip=ip,
        )
    return watchlist


def watchlist_update(*, actor, watchlist: Watchlist, changed: dict, ip: str | None = None):
    """Save a watchlist's settings edited by hand (the admin), audited."""
    with transaction.atomic():
        watchlist.save()
        audit_record(
            actor=actor,
            action="watchlist.changed",
            summary=f"Watchlist {watchlist} changed in the admin",
            obj=watchlist,
            changes=changed,
            ip=ip,
        )
    return watchlist


def watchlist_delete(*, actor, watchlist: Watchlist, ip: str | None = None) -> None:
    """Delete a watchlist and its versions (the admin), audited before it goes."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="watchlist.deleted",
            summary=f"Watchlist {watchlist} deleted in the admin",
            obj=watchlist,
            ip=ip,
        )
        watchlist.delete()


def _next_number(watchlist: Watchlist) -> int:
    return (watchlist.versions.aggregate(top=Max("number"))["top"] or 0) + 1


def _version_new(*, watchlist, actor, source, sha, **fields) -> WatchlistVersion:
    """A new version numbered after the list's last; call it holding the list's lock."""
    return WatchlistVersion.objects.create(
        watchlist=watchlist,
        number=_next_number(watchlist),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        source=source[:1000],
        sha256=sha,
        **fields,
    )


def _failure_record(*, watchlist, source, importer_name, importer_version, sha, error, actor, ip):
    """Keep a failed version (no entries) and an audit event; the active version is not touched."""
    with transaction.atomic():
        Watchlist.objects.select_for_update().filter(pk=watchlist.pk).first()
        version = _version_new(
            watchlist=watchlist,
            actor=actor,
            source=source,
            sha=sha,
            importer=importer_name[:40],
            importer_version=importer_version[:20],
            status=WatchlistVersion.Status.FAILED,
            error=error,
        )
        audit_record(
            actor=actor,
            action="watchlist.import_failed",
            summary=f"Import of {source} into {watchlist} failed: {error}",
            obj=version,
            changes={"source": source, "sha256": sha, "error": error},
            ip=ip,
        )
    return version


def watchlist_import(
    *,
    watchlist: Watchlist,
    data: bytes,
    source: str,
    importer: str,
    options: dict | None = None,
    actor=None,
    dry_run: bool = False,
    ip: str | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Import `data` as a new active version of `watchlist`, or fail leaving everything as it was.

    Raises WatchlistImportError with a message naming the row and the problem.
    """
    options = {**(options or {}), "notes": []}
    sha = _sha256(data)
    try:
        parser = importer_get(importer)
    except ImportFormatError as exc:
        raise WatchlistImportError(str(exc)) from None
    active = _active_version(watchlist)
    if active and active.sha256 == sha and active.importer == parser.name:
        return ImportResult(watchlist, active, active.rows_read, unchanged_file=True)
    tally = _Tally()
    try:
        rows = _rows_stream(
            importer=parser,
            data=data,
            options=options,
            default_risk=watchlist.default_risk_level,
            progress=progress,
            tally=tally,
        )
        return _rows_save(
            watchlist=watchlist,
            rows=rows,
            tally=tally,
            source=source,
            parser=parser,
            sha=sha,
            actor=actor,
            dry_run=dry_run,
            ip=ip,
            progress=progress,
            notes=options["notes"],
        )
    except ValueError as exc:  # ImportFormatError, RowError, and plug-ins' own ValueErrors
        # A message quoting the file may carry a NUL byte, which PostgreSQL cannot store.
        error = str(exc).replace("\x00", "\\x00")
        if dry_run:
            raise WatchlistImportError(error) from None
        failed = _failure_record(
            watchlist=watchlist,
            source=source,
            importer_name=parser.name,
            importer_version=parser.version,
            sha=sha,
            error=error,
            actor=actor,
            ip=ip,
        )
        raise WatchlistImportError(error, failed) from None


def _rows_save(*, watchlist, rows, tally, source, parser, sha, actor, dry_run, ip, progress, notes):
    """Write the rows as they stream in, batch by batch, then count and activate; all in one
    transaction, so a bad row anywhere leaves nothing behind."""
    with transaction.atomic():
        # Serialise imports of one list: version numbers and the active switch stay consistent.
        Watchlist.objects.select_for_update().filter(pk=watchlist.pk).first()
        active = _active_version(watchlist)
        version = None
        if not dry_run:
            version = _version_new(
                watchlist=watchlist,
                actor=actor,
                source=source,
                sha=sha,
                importer=parser.name,
                importer_version=parser.version,
            )
        batch, written = [], 0
        with _gc_paused():
            for row in rows:
                if version is None:
                    continue  # a dry run only validates and counts
                batch.append(row)
                if len(batch) == BATCH_SIZE:
                    _entries_write(version=version, rows=batch, progress=progress, written=written)
                    written += len(batch)
                    batch = []
            if batch:
                _entries_write(version=version, rows=batch, progress=progress, written=written)
        read = len(tally.fingerprints)
        previous = (
            dict(
                active.entries.values_list("external_id", "fingerprint").iterator(chunk_size=20000)
            )
            if active
            else {}
        )
        added, removed, changed = _diff_counts(previous, tally.fingerprints)
        if dry_run:
            return ImportResult(
                watchlist, None, read, added, removed, changed, dry_run=True, notes=notes
            )
        version.rows_read = version.entry_count = read
        version.added_count, version.removed_count = added, removed
        version.changed_count = changed
        version.save(
            update_fields=[
                "rows_read",
                "entry_count",
                "added_count",
                "removed_count",
                "changed_count",
            ]
        )
        audit_record(
            actor=actor,
            action="watchlist.imported",
            summary=(
                f"Imported {read} entries from {source} into {watchlist} v{version.number}: "
                f"{added} added, {removed} removed, {changed} changed"
            ),
            obj=version,
            changes={
                "source": source,
                "sha256": sha,
                "importer": f"{parser.name} {parser.version}",
                "entries": read,
                "added": added,
                "removed": removed,
                "changed": changed,
                "notes": notes,
            },
            ip=ip,
        )
        watchlist_version_activate(version=version, actor=actor, ip=ip)
    return ImportResult(watchlist, version, read, added, removed, changed, notes=notes)
