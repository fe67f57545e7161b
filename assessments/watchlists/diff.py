"""What changed between two versions of a watchlist, by external id and fingerprint."""

from dataclasses import dataclass, field

from assessments.models import WatchlistEntry, WatchlistVersion


@dataclass
class VersionDiff:
    old: WatchlistVersion
    new: WatchlistVersion
    added: list[WatchlistEntry] = field(default_factory=list)
    removed: list[WatchlistEntry] = field(default_factory=list)
    changed: list[tuple[WatchlistEntry, WatchlistEntry]] = field(default_factory=list)
    added_count: int = 0
    removed_count: int = 0
    changed_count: int = 0


def _keys(version: WatchlistVersion) -> dict[str, tuple[int, str]]:
    rows = version.entries.values_list("external_id", "id", "fingerprint")
    return {external_id: (pk, fingerprint) for external_id, pk, fingerprint in rows}


def watchlist_version_diff(
    *, old: WatchlistVersion, new: WatchlistVersion, limit: int = 500
) -> VersionDiff:
    """Entries added, removed and changed from `old` to `new` (at most `limit` of each listed)."""
    before, after = _keys(old), _keys(new)
    added = [after[key][0] for key in after if key not in before]
    removed = [before[key][0] for key in before if key not in after]
    changed = [
        (before[key][0], after[key][0])
        for key in after
        if key in before and before[key][1] != after[key][1]
    ]
    shown = {
        entry.pk: entry
        for entry in WatchlistEntry.objects.filter(
            pk__in=added[:limit] + removed[:limit] + [pk for pair in changed[:limit] for pk in pair]
        )
    }
    return VersionDiff(
        old=old,
        new=new,
        added=sorted((shown[pk] for pk in added[:limit]), key=lambda e: e.name),
        removed=sorted((shown[pk] for pk in removed[:limit]), key=lambda e: e.name),
        changed=sorted(((shown[a], shown[b]) for a, b in changed[:limit]), key=lambda p: p[1].name),
        added_count=len(added),
        removed_count=len(removed),
        changed_count=len(changed),
    )
