"""Import the Research Organization Registry (ROR) data dump into OrganisationIdentity.

The dump (schema v2) is one JSON array of records, usually inside the zip published on
Zenodo. It is read as a stream (ijson), in batches, inside one transaction: a malformed or
truncated file raises `RorImportError` saying where it broke, and nothing changes. Records
are keyed on their ROR id; an import adds new ones, rewrites changed ones (by a hash of the
fields kept) and leaves the rest untouched.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import ijson
from django.db import transaction
from django.utils import timezone

from ..audit import audit_record
from ..models import IdentityStatus, OrganisationIdentity

BATCH = 2000
ROR_PREFIX = "https://ror.org/"
STATUSES = frozenset(IdentityStatus.values)
RELATIONSHIP_TYPES = frozenset({"parent", "child", "related", "successor", "predecessor"})
EXTERNAL_ID_TYPES = ("grid", "isni", "wikidata", "fundref")
# The fields an import writes: compared through `digest` to find what changed.
FIELDS = (
    "name",
    "names",
    "types",
    "status",
    "country",
    "city",
    "established",
    "relationships",
    "parent_ror_id",
    "successor_ror_id",
    "external_ids",
    "website",
    "record_modified",
    "schema_version",
)


class RorImportError(Exception):
    """The file cannot be imported; the message says where it broke. Nothing was changed."""


@dataclass
class RorImportSummary:
    records: int = 0
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    withdrawn: int = 0  # records that became withdrawn with this import
    not_in_file: int = 0  # stored records the file does not list (ROR never deletes: kept)

    def sentence(self) -> str:
        return (
            f"{self.records} ROR record(s) read: {self.added} added, {self.changed} changed, "
            f"{self.withdrawn} newly withdrawn, {self.unchanged} unchanged"
            + (f"; {self.not_in_file} stored record(s) not in the file" if self.not_in_file else "")
        )


def short_ror_id(value) -> str:
    """'https://ror.org/01yqg2h08' or '01yqg2h08' -> '01yqg2h08'; '' when it is not one."""
    if not isinstance(value, str):
        return ""
    value = value.strip()
    if value.startswith(ROR_PREFIX):
        value = value[len(ROR_PREFIX) :]
    if len(value) == 9 and value.isalnum() and value[0] == "0":
        return value.lower()
    return ""


def _text(value, limit: int) -> str:
    return value.strip()[:limit] if isinstance(value, str) else ""


def record_row(record, position: int) -> dict:
    """The stored fields of one v2 record; RorImportError for anything that is not one."""
    where = f"record {position}"
    if not isinstance(record, dict):
        raise RorImportError(f"{where} is not a JSON object")
    ror_id = short_ror_id(record.get("id"))
    if not ror_id:
        raise RorImportError(f"{where} has no valid ROR id (got {record.get('id')!r})")
    where = f"record {position} ({ROR_PREFIX}{ror_id})"
    names = record.get("names")
    if not isinstance(names, list):
        hint = " (schema v1 layout: use the v2 file of the dump)" if "name" in record else ""
        raise RorImportError(f"{where} has no 'names' list{hint}")
    kept, display = [], ""
    for entry in names:
        if not isinstance(entry, dict) or not isinstance(entry.get("value"), str):
            raise RorImportError(f"{where} has a name that is not {{value, lang, types}}")
        types = [t for t in entry.get("types") or [] if isinstance(t, str)]
        lang = entry.get("lang") if isinstance(entry.get("lang"), str) else None
        kept.append({"value": entry["value"].strip(), "lang": lang, "types": types})
        if "ror_display" in types and not display:
            display = entry["value"].strip()
    if not display:
        raise RorImportError(f"{where} has no ror_display name")
    status = record.get("status")
    if status not in STATUSES:
        raise RorImportError(f"{where} has an unknown status {status!r}")
    location = {}
    locations = record.get("locations") or []
    if isinstance(locations, list) and locations and isinstance(locations[0], dict):
        location = locations[0].get("geonames_details") or {}
    relationships = []
    for rel in record.get("relationships") or []:
        if not isinstance(rel, dict):
            raise RorImportError(f"{where} has a relationship that is not an object")
        kind = str(rel.get("type", "")).lower()
        target = short_ror_id(rel.get("id"))
        if kind in RELATIONSHIP_TYPES and target:
            relationships.append(
                {"type": kind, "id": target, "label": _text(rel.get("label"), 500)}
            )
    external = {}
    for item in record.get("external_ids") or []:
        if isinstance(item, dict) and item.get("type") in EXTERNAL_ID_TYPES:
            values = [str(v) for v in item.get("all") or []]
            external[item["type"]] = {"preferred": item.get("preferred"), "all": values}
    website = next(
        (
            link.get("value", "")
            for link in record.get("links") or []
            if isinstance(link, dict) and link.get("type") == "website"
        ),
        "",
    )
    established = record.get("established")
    admin = record.get("admin") if isinstance(record.get("admin"), dict) else {}
    modified = admin.get("last_modified") if isinstance(admin.get("last_modified"), dict) else {}
    first = dict.fromkeys(("parent", "successor"), "")
    for rel in relationships:
        if rel["type"] in first and not first[rel["type"]]:
            first[rel["type"]] = rel["id"]
    return {
        "ror_id": ror_id,
        "name": display[:500],
        "names": kept,
        "types": [t for t in record.get("types") or [] if isinstance(t, str)],
        "status": status,
        "country": _text(location.get("country_code"), 2).upper(),
        "city": _text(location.get("name"), 200),
        "established": established
        if isinstance(established, int) and 0 < established < 32768
        else None,
        "relationships": relationships,
        "parent_ror_id": first["parent"],
        "successor_ror_id": first["successor"],
        "external_ids": external,
        "website": _text(website, 500),
        "record_modified": _text(modified.get("date"), 10),
        "schema_version": _text(modified.get("schema_version"), 10),
    }


def row_digest(row: dict) -> str:
    data = json.dumps([row[f] for f in FIELDS], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(data.encode()).hexdigest()


def _json_member(archive: zipfile.ZipFile) -> str:
    """The v2 JSON file of a Zenodo zip: the one named schema_v2, else the only JSON file."""
    members = [n for n in archive.namelist() if n.lower().endswith(".json")]
    v2 = [n for n in members if "schema_v2" in n.lower()]
    if v2:
        return v2[0]
    members = [n for n in members if "schema_v1" not in n.lower()]
    if len(members) != 1:
        raise RorImportError(
            f"the zip holds {len(members)} candidate JSON files; expected the one ROR v2 dump"
        )
    return members[0]


@contextmanager
def open_dump(path: Path):
    """The dump's JSON as a binary stream, from a .json file or inside a .zip."""
    path = Path(path)
    if not path.is_file():
        raise RorImportError(f"{path}: no such file")
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            member = _json_member(archive)
            with archive.open(member) as stream:
                yield stream
        return
    with path.open("rb") as stream:
        yield stream


def iter_rows(stream) -> Iterator[dict]:
    """Each record of the JSON array as a stored row, in file order."""
    position = 0
    try:
        for position, record in enumerate(ijson.items(stream, "item", use_float=True), start=1):
            yield record_row(record, position)
    except ijson.JSONError as error:
        detail = " ".join(str(error).split()[:6])
        raise RorImportError(
            f"the file is not a complete JSON array: it broke after record {position} ({detail})"
        ) from None
    except zipfile.BadZipFile as error:
        raise RorImportError(f"the zip is damaged after record {position} ({error})") from None
    if position == 0:
        raise RorImportError("the file holds no ROR records (expected a JSON array of records)")


def ror_import(path, *, actor=None, dry_run: bool = False) -> RorImportSummary:
    """Import the dump at `path`; all or nothing; audited. `dry_run` counts without writing."""
    summary = RorImportSummary()
    now = timezone.now()
    with transaction.atomic():
        known = {
            ror_id: (digest, status)
            for ror_id, digest, status in OrganisationIdentity.objects.values_list(
                "ror_id", "digest", "status"
            ).iterator(chunk_size=10000)
        }
        seen: set[str] = set()
        with open_dump(path) as stream:
            batch: list[dict] = []
            for row in iter_rows(stream):
                if row["ror_id"] in seen:
                    raise RorImportError(
                        f"record {summary.records + 1} repeats ROR id {row['ror_id']}"
                    )
                seen.add(row["ror_id"])
                summary.records += 1
                batch.append(row)
                if len(batch) >= BATCH:
                    _write(batch, known, summary, now, dry_run)
                    batch = []
            _write(batch, known, summary, now, dry_run)
        summary.not_in_file = len(known.keys() - seen)
        if not dry_run:
            audit_record(
                actor=actor,
                action="ror.import",
                summary=f"ROR import from {Path(path).name}: {summary.sentence()}",
                changes={
                    "file": Path(path).name,
                    "records": summary.records,
                    "added": summary.added,
                    "changed": summary.changed,
                    "withdrawn": summary.withdrawn,
                    "not_in_file": summary.not_in_file,
                },
            )
        if dry_run:
            transaction.set_rollback(True)
    if not dry_run and (summary.added or summary.changed):
        from .resolve import forget_index

        forget_index()
    return summary


def _write(batch: list[dict], known: dict, summary: RorImportSummary, now, dry_run: bool):
    new, changed = [], []
    for row in batch:
        digest = row_digest(row)
        before = known.get(row["ror_id"])
        if before is None:
            summary.added += 1
            new.append(OrganisationIdentity(**row, digest=digest, imported_at=now))
        elif before[0] != digest:
            summary.changed += 1
            if row["status"] == IdentityStatus.WITHDRAWN and before[1] != IdentityStatus.WITHDRAWN:
                summary.withdrawn += 1
            changed.append((row, digest))
        else:
            summary.unchanged += 1
    if dry_run:
        return
    if new:
        OrganisationIdentity.objects.bulk_create(new, batch_size=500)
    if changed:
        ids = dict(
            OrganisationIdentity.objects.filter(
                ror_id__in=[row["ror_id"] for row, _ in changed]
            ).values_list("ror_id", "id")
        )
        objects = [
            OrganisationIdentity(id=ids[row["ror_id"]], **row, digest=digest, imported_at=now)
            for row, digest in changed
        ]
        OrganisationIdentity.objects.bulk_update(
            objects, [*FIELDS, "digest", "imported_at"], batch_size=500
        )
