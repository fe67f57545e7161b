"""Sharing guidance between institutions: the feed format, importing it, fetching a peer's.

The same document is the JSON feed, the offline bundle and (with the starter source) the
starter content, so one importer handles sync, bundle import and `load_guidance`.

How local edits are told from upstream changes: every imported item keeps two hashes,
`origin_payload_hash` (the upstream document it came from) and `origin_hash` (its own
content just after the import). Content differing from `origin_hash` means someone here
edited it; a payload differing from `origin_payload_hash` means the peer changed it. Both
at once is a conflict, listed for an editor and never resolved silently.
"""

import datetime
import hashlib
import json
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from assessments.audit import audit_record
from assessments.models import ChecklistItem, Sector, Watchlist
from assessments.scoring.factors import Factor
from ukcn.fetch import FetchError, url_fetch
from ukcn.input_guard import json_problem

from .models import (
    Audience,
    GuidanceItem,
    Kind,
    RiskArea,
    SourceOrganisation,
    Status,
    SyncConflict,
    Topic,
)
from .rendering import plain_text, strip_markup

FEED_FORMAT = "ukcn-guidance"
FEED_FORMAT_VERSION = 1
MAX_FEED_BYTES = 20 * 1024 * 1024
LIST_FIELDS = (
    "audience",
    "topics",
    "risk_areas",
    "sectors",
    "countries",
    "checklist_items",
    "factors",
    "watchlists",
)


class FeedError(Exception):
    """A feed or bundle that cannot be imported; nothing was changed."""


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{len(self.created)} created, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged, {len(self.skipped)} skipped (written here), "
            f"{len(self.conflicts)} conflicts"
        )


# --- what an item's content is ------------------------------------------------------------


def item_content(item: GuidanceItem) -> dict:
    """The shareable content of an item, normalised so equal content hashes equally."""
    # .all() rather than values_list(), so prefetched relations cost no extra queries.
    return {
        "title": item.title,
        "summary": item.summary,
        "body": item.body,
        "kind": item.kind,
        "source_organisation": item.source_organisation,
        "external_url": item.external_url,
        "audience": sorted(item.audience),
        "topics": sorted(topic.name for topic in item.topics.all()),
        "risk_areas": sorted(item.risk_areas),
        "sectors": sorted(sector.code for sector in item.sectors.all()),
        "countries": sorted(item.countries),
        "checklist_items": sorted(check.ref_id for check in item.checklist_items.all()),
        "factors": sorted(item.factors),
        "watchlists": sorted(watchlist.name for watchlist in item.watchlists.all()),
    }


def content_hash(content: dict) -> str:
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def item_is_locally_edited(item: GuidanceItem) -> bool:
    """True when an imported item was changed here since it was last imported."""
    return bool(item.origin_hash) and content_hash(item_content(item)) != item.origin_hash


# --- producing the feed -------------------------------------------------------------------


def feed_items() -> list[GuidanceItem]:
    """The items other institutions may have: published, marked shareable, and faithful.

    An item imported from elsewhere and then edited here is left out: shared under its
    source's name it would put our words in their mouth, and flip back on their next sync.
    """
    items = (
        GuidanceItem.objects.published()
        .filter(share_with_peers=True)
        .prefetch_related("topics", "sectors", "checklist_items", "watchlists")
        .order_by("source_institution", "ref_id")
    )
    return [item for item in items if not item_is_locally_edited(item)]


def item_payload(item: GuidanceItem) -> dict:
    return {
        "ref_id": item.ref_id,
        "source_institution": item.source_institution,
        "slug": item.slug,
        **item_content(item),
        "review_by": item.review_by.isoformat(),
        "updated_at": item.updated_at.isoformat(),
    }


def feed_document(items=None) -> dict:
    """The versioned JSON feed (and bundle) of the given items, published ones by default."""
    items = feed_items() if items is None else items
    return {
        "format": FEED_FORMAT,
        "format_version": FEED_FORMAT_VERSION,
        "institution": settings.GUIDANCE_INSTITUTION,
        "generated_at": timezone.now().isoformat(),
        "items": [item_payload(item) for item in items],
    }


# --- reading a feed -----------------------------------------------------------------------


def _codes(raw, allowed, what: str, ref_id: str, report: ImportReport) -> list[str]:
    if not isinstance(raw, list) or not all(isinstance(value, str) for value in raw):
        raise FeedError(f"{ref_id}: {what} must be a list of strings.")
    unknown = sorted(set(raw) - set(allowed))
    if unknown:
        report.warnings.append(f"{ref_id}: ignored unknown {what} {', '.join(unknown)}")
    return sorted(set(raw) & set(allowed))


def _strings(raw, what: str, ref_id: str) -> list[str]:
    if not isinstance(raw, list) or not all(isinstance(value, str) for value in raw):
        raise FeedError(f"{ref_id}: {what} must be a list of strings.")
    return sorted({plain_text(value)[:200] for value in raw if plain_text(value)})


def _clean_item(raw, report: ImportReport) -> dict:
    """Validate and sanitise one incoming item; raise FeedError on anything unusable."""
    if not isinstance(raw, dict):
        raise FeedError("Every item must be an object.")
    ref_id = plain_text(str(raw.get("ref_id", "")))[:60]
    source = plain_text(str(raw.get("source_institution", "")))[:200]
    title = plain_text(str(raw.get("title", "")))[:200]
    if not ref_id or not source or not title:
        raise FeedError(f"Item {ref_id or '?'}: ref_id, source_institution and title are needed.")
    kind = raw.get("kind")
    if kind not in Kind.values:
        raise FeedError(f"{ref_id}: unknown kind {kind!r}.")
    organisation = raw.get("source_organisation", SourceOrganisation.OTHER)
    if organisation not in SourceOrganisation.values:
        organisation = SourceOrganisation.OTHER
    url = str(raw.get("external_url") or "").strip()
    if url and not url.lower().startswith(("https://", "http://")):
        report.warnings.append(f"{ref_id}: dropped a link that is not http(s)")
        url = ""
    countries = [
        code for code in _strings(raw.get("countries", []), "countries", ref_id) if len(code) == 2
    ]
    review_by = None
    if raw.get("review_by"):
        try:
            review_by = datetime.date.fromisoformat(str(raw["review_by"]))
        except ValueError:
            raise FeedError(f"{ref_id}: review_by is not a date.") from None
    content = {
        "title": title,
        "summary": plain_text(str(raw.get("summary", "")))[:500],
        # Sanitise on the way in as well as on render: no markup survives an import.
        "body": strip_markup(str(raw.get("body", ""))),
        "kind": kind,
        "source_organisation": organisation,
        "external_url": url[:200],
        "audience": _codes(raw.get("audience", []), Audience.values, "audience", ref_id, report),
        "topics": _strings(raw.get("topics", []), "topics", ref_id),
        "risk_areas": _codes(
            raw.get("risk_areas", []), RiskArea.values, "risk areas", ref_id, report
        ),
        "sectors": _strings(raw.get("sectors", []), "sectors", ref_id),
        "countries": sorted({code.upper() for code in countries if code.isalpha()}),
        "checklist_items": _strings(raw.get("checklist_items", []), "checklist items", ref_id),
        "factors": _codes(raw.get("factors", []), Factor.values, "factors", ref_id, report),
        "watchlists": _strings(raw.get("watchlists", []), "watchlists", ref_id),
    }
    return {
        "ref_id": ref_id,
        "source_institution": source,
        "slug": slugify(str(raw.get("slug") or title))[:200] or slugify(ref_id),
        "review_by": review_by,
        "content": content,
    }


def parse_document(document) -> tuple[list[dict], ImportReport]:
    """Check a feed document's format and clean every item; FeedError if any is unusable."""
    if not isinstance(document, dict) or document.get("format") != FEED_FORMAT:
        raise FeedError("Not a ukcn guidance feed (format is not 'ukcn-guidance').")
    version = document.get("format_version")
    if version != FEED_FORMAT_VERSION:
        raise FeedError(
            f"Feed format version {version!r} is not supported (expected {FEED_FORMAT_VERSION})."
        )
    items = document.get("items")
    if not isinstance(items, list):
        raise FeedError("The feed has no list of items.")
    report = ImportReport()
    cleaned = [_clean_item(raw, report) for raw in items]
    keys = [(item["source_institution"], item["ref_id"]) for item in cleaned]
    if len(keys) != len(set(keys)):
        raise FeedError("The feed lists the same reference id twice.")
    return cleaned, report


# --- writing items ------------------------------------------------------------------------


def _resolved(content: dict) -> dict:
    """The content as it would be stored here: links to things we lack are left out."""
    return {
        **content,
        "sectors": sorted(
            Sector.objects.filter(code__in=content["sectors"]).values_list("code", flat=True)
        ),
        "checklist_items": sorted(
            ChecklistItem.objects.filter(ref_id__in=content["checklist_items"]).values_list(
                "ref_id", flat=True
            )
        ),
        "watchlists": sorted(
            Watchlist.objects.filter(name__in=content["watchlists"]).values_list("name", flat=True)
        ),
    }


def _unique_slug(slug: str, exclude_pk=None) -> str:
    candidate, number = slug, 2
    while GuidanceItem.objects.filter(slug=candidate).exclude(pk=exclude_pk).exists():
        candidate = f"{slug[:190]}-{number}"
        number += 1
    return candidate


def item_apply_payload(*, item: GuidanceItem, payload: dict, reason: str) -> GuidanceItem:
    """Write a cleaned payload's content onto an item (new or existing) and remember it."""
    content = payload["content"]
    for name in ("title", "summary", "body", "kind", "source_organisation", "external_url"):
        setattr(item, name, content[name])
    for name in ("audience", "risk_areas", "countries", "factors"):
        setattr(item, name, list(content[name]))
    if item.pk is None:
        item.slug = _unique_slug(payload["slug"])
        item.status = Status.PUBLISHED
        item.published_at = timezone.now()
        if payload.get("review_by"):
            item.review_by = payload["review_by"]
    item._change_reason = reason[:100]  # simple-history keeps 100 characters of reason
    item.save()
    topics = []
    for name in content["topics"]:
        topic = Topic.objects.filter(name=name).first()
        if topic is None:
            topic = Topic.objects.create(name=name, slug=_unique_topic_slug(name))
        topics.append(topic)
    item.topics.set(topics)
    item.sectors.set(Sector.objects.filter(code__in=content["sectors"]))
    item.checklist_items.set(ChecklistItem.objects.filter(ref_id__in=content["checklist_items"]))
    item.watchlists.set(Watchlist.objects.filter(name__in=content["watchlists"]))
    item.origin_hash = content_hash(item_content(item))
    item.origin_payload_hash = content_hash(content)
    GuidanceItem.objects.filter(pk=item.pk).update(
        origin_hash=item.origin_hash, origin_payload_hash=item.origin_payload_hash
    )
    return item


def _unique_topic_slug(name: str) -> str:
    base = slugify(name)[:50] or "topic"
    candidate, number = base, 2
    while Topic.objects.filter(slug=candidate).exists():
        candidate = f"{base}-{number}"
        number += 1
    return candidate


def _import_one(payload: dict, *, origin: str, report: ImportReport) -> None:
    key = f"{payload['source_institution']}/{payload['ref_id']}"
    item = (
        GuidanceItem.objects.select_for_update()
        .filter(source_institution=payload["source_institution"], ref_id=payload["ref_id"])
        .first()
    )
    if item is None:
        item_apply_payload(item=GuidanceItem(**_identity(payload)), payload=payload, reason=origin)
        report.created.append(key)
        return
    if not item.origin_hash:
        report.skipped.append(key)  # written here: only our editors change it
        return
    incoming_hash = content_hash(payload["content"])
    edited_here = item_is_locally_edited(item)
    if edited_here:
        if incoming_hash == item.origin_payload_hash:
            report.unchanged.append(key)
            return
        SyncConflict.objects.get_or_create(
            item=item,
            payload_hash=incoming_hash,
            resolution=SyncConflict.Resolution.OPEN,
            defaults={"origin": origin[:1000], "payload": _jsonable(payload)},
        )
        report.conflicts.append(key)
        return
    if _resolved(payload["content"]) == item_content(item):
        if incoming_hash != item.origin_payload_hash:
            GuidanceItem.objects.filter(pk=item.pk).update(origin_payload_hash=incoming_hash)
        report.unchanged.append(key)
        return
    item_apply_payload(item=item, payload=payload, reason=origin)
    report.updated.append(key)


def _identity(payload: dict) -> dict:
    return {"ref_id": payload["ref_id"], "source_institution": payload["source_institution"]}


def _jsonable(payload: dict) -> dict:
    review_by = payload.get("review_by")
    return {**payload, "review_by": review_by.isoformat() if review_by else None}


def payload_from_json(stored: dict) -> dict:
    """Turn a payload kept in a SyncConflict back into the form item_apply_payload takes."""
    review_by = stored.get("review_by")
    return {
        **stored,
        "review_by": datetime.date.fromisoformat(review_by) if review_by else None,
    }


def guidance_import(*, document, origin: str, actor=None) -> ImportReport:
    """Import a feed document: create, update, or list conflicts; all or nothing."""
    cleaned, report = parse_document(document)
    with transaction.atomic():
        for payload in cleaned:
            _import_one(payload, origin=origin, report=report)
        if report.created or report.updated or report.conflicts:
            audit_record(
                actor=actor,
                action="guidance.import",
                summary=f"Guidance from {origin[:200]}: {report.summary()}",
                changes={
                    "origin": origin,
                    "created": report.created,
                    "updated": report.updated,
                    "conflicts": report.conflicts,
                },
            )
    return report


def feed_parse(body: bytes, *, source: str, not_json: str):
    """The JSON document in `body`; FeedError (starting `not_json` when it is not JSON at all)
    if it is not UTF-8 JSON or is nested too deep to parse safely."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FeedError(f"{not_json}: it is not UTF-8 text.") from None
    # Checked before parsing: Python's parser recurses once per level of nesting.
    problem = json_problem(text)
    if problem:
        raise FeedError(f"{source} was refused: {problem}")
    try:
        return json.loads(text)
    except ValueError as exc:
        raise FeedError(f"{not_json}: {exc}") from None


def feed_fetch(*, url: str, token: str = "", timeout: float = 30) -> dict:
    """Download a peer's JSON feed through the one hardened fetcher (`timeout` is the deadline
    for the whole download); FeedError on any refusal, network, HTTP or format problem."""
    if not url.lower().startswith(("http://", "https://")):
        raise FeedError(f"{url} is not an http(s) URL.")
    try:
        body = url_fetch(
            url, max_bytes=MAX_FEED_BYTES, deadline=timeout, token=token, accept="application/json"
        )
    except FetchError as exc:
        raise FeedError(f"Could not fetch the feed: {exc}") from None
    return feed_parse(body, source=url, not_json=f"{url} did not return JSON")
