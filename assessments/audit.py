"""The append-only, hash-chained, signed audit trail: recording, publishing and verifying it.

Three layers, each catching what the one before cannot:

- the SHA-256 chain: each event's hash covers its content and the previous event's hash, so
  an edit or a deletion in the middle breaks a link;
- an HMAC of each hash with a key held outside the database (`AUDIT_HMAC_KEYS`): someone who
  can write to the database can recompute hashes, but cannot sign a forged or rewritten event;
- the published head: the scheduler appends the newest hash, the count and the time to a file
  outside the database (`AUDIT_HEAD_FILE`) and the log, so that deleting the newest events, or
  rewriting history that was already published, shows up even for someone without the key.
"""

import hashlib
import hmac
import ipaddress
import json
import logging
import os
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone
from django.utils.ipv6 import clean_ipv6_address

from ukcn.bulk import insert_many

from .models import AuditEvent, PartnershipRequest

logger = logging.getLogger(__name__)

GENESIS_HASH = "0" * 64
# How far an event may be dated before a head published ahead of it (clocks of different
# hosts drift a little); anything older was added after the publication and back-dated.
CLOCK_ALLOWANCE = timedelta(minutes=5)
# Any fixed number: the key of the PostgreSQL advisory lock that serialises chain writers.
_CHAIN_LOCK_KEY = 0x756B636E


def _canonical(event: AuditEvent) -> bytes:
    """The bytes an event's hash covers: every recorded field, in a fixed order."""
    content = {
        "at": event.at.isoformat(timespec="microseconds"),
        "actor_id": event.actor_id,
        "actor_name": event.actor_name,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "request_id": event.request_id,
        "summary": event.summary,
        "changes": event.changes,
        "ip_address": event.ip_address,
        "previous_hash": event.previous_hash,
    }
    return json.dumps(
        content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), cls=DjangoJSONEncoder
    ).encode()


def event_hash(event: AuditEvent) -> str:
    return hashlib.sha256(_canonical(event)).hexdigest()


def event_mac(key: bytes, key_id: str, hash_: str) -> str:
    """The HMAC-SHA256 that signs an event's hash (and so its content and its link)."""
    return hmac.new(key, f"{key_id}:{hash_}".encode(), hashlib.sha256).hexdigest()


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    if getattr(address, "scope_id", None):
        return None
    return getattr(address, "ipv4_mapped", None) or address


def _trusted_proxy(address) -> bool:
    return any(address in network for network in settings.TRUSTED_PROXIES)


def client_ip(http_request) -> str | None:
    """The client's address: REMOTE_ADDR, or, when that is a trusted proxy, the right-most
    address in X-Forwarded-For that is not one (the one audit events, log-in throttling and
    rate limits use)."""
    if http_request is None:
        return None
    remote = http_request.META.get("REMOTE_ADDR") or None
    peer = _address(remote or "")
    if peer is None or not _trusted_proxy(peer):
        return remote
    # Each proxy appends the address it saw, so only the entries to the right are ours; anything
    # left of the first untrusted one could have been written by the client.
    hops = http_request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    client = peer
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            break
        client = address
        if not _trusted_proxy(address):
            break
    return str(client)


def _normalised_ip(ip: str | None) -> str | None:
    # The database stores IPv6 addresses in canonical form; hash exactly what it will store.
    if ip and ":" in ip:
        return clean_ipv6_address(ip)
    return ip or None


def _lock_chain() -> None:
    """Serialise appends, so two writers can never link to the same previous event.

    On PostgreSQL a row lock on the tail is not enough: a writer that waited for it still
    reads the old tail under READ COMMITTED, forking the chain. A transaction-scoped advisory
    lock is taken before the tail is read, so the read sees the other writer's committed row.
    SQLite allows one writer at a time, so it needs nothing more.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])


def _jsonable(changes: dict | None) -> dict:
    # Round-trip through the encoder so dates, decimals and UUIDs hash the same when read back.
    return json.loads(json.dumps(changes or {}, cls=DjangoJSONEncoder))


def audit_record(
    *,
    actor,
    action: str,
    summary: str,
    obj=None,
    request: PartnershipRequest | None = None,
    changes: dict | None = None,
    ip: str | None = None,
) -> AuditEvent:
    """Append one event to the chain; call it inside the transaction of the change it records."""
    with transaction.atomic():
        _lock_chain()
        last = AuditEvent.objects.select_for_update().order_by("-id").only("hash").first()
        event = AuditEvent(
            at=timezone.now(),
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            actor_name=actor.get_username() if getattr(actor, "is_authenticated", False) else "",
            action=action,
            object_type=obj._meta.label_lower if obj is not None else "",
            object_id=str(obj.pk) if obj is not None else "",
            request=request,
            summary=summary[:500],
            changes=_jsonable(changes),
            ip_address=_normalised_ip(ip),
            previous_hash=last.hash if last else GENESIS_HASH,
        )
        event.hash = event_hash(event)
        event.key_id = settings.AUDIT_HMAC_KEY_ID
        event.mac = event_mac(settings.AUDIT_HMAC_KEYS[event.key_id], event.key_id, event.hash)
        event.save(force_insert=True)
    return event


@dataclass(frozen=True)
class AuditEntry:
    """One event for `audit_record_many`: the same fields `audit_record` takes."""

    action: str
    summary: str
    obj: object = None
    request: PartnershipRequest | None = None
    changes: dict | None = None


def audit_record_many(
    *, actor, entries: Sequence[AuditEntry], ip: str | None = None
) -> list[AuditEvent]:
    """Append several events to the chain in order, with one lock, one read of the tail and one
    insert per batch (a scheduled job acting on thousands of rows); call it inside the
    transaction of the changes it records. Each event links to the one before it, exactly as
    if `audit_record` had been called once per entry."""
    if not entries:
        return []
    is_user = getattr(actor, "is_authenticated", False)
    key_id = settings.AUDIT_HMAC_KEY_ID
    key = settings.AUDIT_HMAC_KEYS[key_id]
    with transaction.atomic():
        _lock_chain()
        last = AuditEvent.objects.select_for_update().order_by("-id").only("hash").first()
        previous = last.hash if last else GENESIS_HASH
        now = timezone.now()
        events = []
        for entry in entries:
            event = AuditEvent(
                at=now,
                actor=actor if is_user else None,
                actor_name=actor.get_username() if is_user else "",
                action=entry.action,
                object_type=entry.obj._meta.label_lower if entry.obj is not None else "",
                object_id=str(entry.obj.pk) if entry.obj is not None else "",
                request=entry.request,
                summary=entry.summary[:500],
                changes=_jsonable(entry.changes),
                ip_address=_normalised_ip(ip),
                previous_hash=previous,
            )
            event.hash = previous = event_hash(event)
            event.key_id = key_id
            event.mac = event_mac(key, key_id, event.hash)
            events.append(event)
        # One INSERT for all; rows are numbered in list order, which is the chain's order.
        insert_many(events)
    return events


class AuditHeadError(Exception):
    """The published heads cannot be read; the message says which line and why."""


@dataclass(frozen=True)
class PublishedHead:
    """One publication: the trail had `count` events, the newest with hash `head`."""

    count: int
    head: str
    unsigned: int
    published_at: datetime
    where: str = ""  # e.g. "heads.jsonl line 3", for messages

    def as_line(self) -> str:
        return json.dumps(
            {
                "published_at": self.published_at.isoformat(timespec="microseconds"),
                "count": self.count,
                "head": self.head,
                "unsigned": self.unsigned,
            },
            sort_keys=True,
        )


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_event_id: int | None = None
    problem: str = ""
    signed: int = 0
    unsigned: int = 0
    heads_matched: int = 0

    @property
    def ok(self) -> bool:
        return not self.problem


@dataclass
class _Walk:
    """What the verifier has seen so far, walking the chain from the genesis."""

    heads: Sequence[PublishedHead]
    check_macs: bool
    keys: dict[str, bytes]
    previous: str = GENESIS_HASH
    checked: int = 0
    signed: int = 0
    unsigned: int = 0
    heads_matched: int = 0
    # Events after a head's position were recorded after it was published, so not before it.
    not_before: datetime | None = None
    by_count: dict[int, list[PublishedHead]] = field(default_factory=dict)

    def __post_init__(self):
        by_count = defaultdict(list)
        for head in self.heads:
            by_count[head.count].append(head)
        self.by_count = dict(by_count)
        self._passed(0)

    def _passed(self, position: int) -> None:
        for head in self.by_count.get(position, ()):
            if self.not_before is None or head.published_at > self.not_before:
                self.not_before = head.published_at

    def problem(self, event: AuditEvent) -> str:
        """Why this event (the next in the chain) breaks the trail, or an empty string."""
        if event.previous_hash != self.previous:
            return "its link to the previous event is broken"
        if event_hash(event) != event.hash:
            return "its content does not match its hash"
        problem = (
            self._signature_problem(event)
            or self._dating_problem(event)
            or self._head_problem(event, position=self.checked + 1)
        )
        if not problem:
            self.previous = event.hash
            self.checked += 1
            self._passed(self.checked)
        return problem

    def _signature_problem(self, event: AuditEvent) -> str:
        if not event.mac:
            if self.signed:
                return (
                    "it carries no HMAC, yet an earlier event does (only events recorded "
                    "before keys were introduced may lack one)"
                )
            self.unsigned += 1
            return ""
        if self.check_macs:
            key = self.keys.get(event.key_id)
            if key is None:
                return (
                    f"it is signed with the key {event.key_id!r}, which is not in AUDIT_HMAC_KEYS"
                )
            if not hmac.compare_digest(event_mac(key, event.key_id, event.hash), event.mac):
                return (
                    f"its HMAC (key {event.key_id!r}) does not match: "
                    "it was written without the key"
                )
        self.signed += 1
        return ""

    def _dating_problem(self, event: AuditEvent) -> str:
        if self.not_before is not None and event.at < self.not_before - CLOCK_ALLOWANCE:
            return (
                f"it is dated {event.at.isoformat()} but comes after a head published at "
                f"{self.not_before.isoformat()}: it was added later and back-dated"
            )
        return ""

    def _head_problem(self, event: AuditEvent, *, position: int) -> str:
        for head in self.by_count.get(position, ()):
            where = head.where or "a published head"
            if head.head != event.hash:
                return (
                    f"{where} says event number {position} had the hash {head.head[:16]}..., "
                    f"it now has {event.hash[:16]}...: the trail was rewritten"
                )
            if head.unsigned != self.unsigned:
                return (
                    f"{where} counted {head.unsigned} events without an HMAC up to here, "
                    f"there are now {self.unsigned}: HMACs were removed"
                )
            self.heads_matched += 1
        return ""

    def report(self, event_id: int | None = None, problem: str = "") -> ChainReport:
        return ChainReport(
            self.checked, event_id, problem, self.signed, self.unsigned, self.heads_matched
        )


def audit_verify_chain(
    *,
    batch_size: int = 2000,
    heads: Sequence[PublishedHead] = (),
    check_macs: bool = True,
) -> ChainReport:
    """Walk the whole chain in order and report the first event whose hash, link or HMAC is
    wrong, or a published head the trail no longer holds; `check_macs=False` for someone
    without the key (the chain, the heads and the order of signed events are still checked)."""
    walk = _Walk(heads=heads, check_macs=check_macs, keys=settings.AUDIT_HMAC_KEYS)
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=batch_size):
        problem = walk.problem(event)
        if problem:
            return walk.report(event.id, problem)
    missing = [head for head in heads if head.count > walk.checked]
    if missing:
        head = max(missing, key=lambda head: head.count)
        return walk.report(
            None,
            f"the trail holds {walk.checked} events, but {head.where or 'a published head'} "
            f"counted {head.count} at {head.published_at.isoformat()}: events were deleted",
        )
    return walk.report()


def audit_chain_head() -> str:
    """The hash of the newest event: a fingerprint of the whole trail at this moment."""
    last = AuditEvent.objects.order_by("-id").only("hash").first()
    return last.hash if last else GENESIS_HASH


def audit_head_publish() -> PublishedHead:
    """Append the trail's head, count and time to AUDIT_HEAD_FILE and the log (both outside
    the database), for `verify_audit_log --against` to check that history only grew."""
    with transaction.atomic():
        # Under the chain lock, every event recorded later is dated after `published_at`.
        _lock_chain()
        head = PublishedHead(
            count=AuditEvent.objects.count(),
            head=audit_chain_head(),
            unsigned=AuditEvent.objects.filter(mac="").count(),
            published_at=timezone.now(),
        )
    line = head.as_line()
    logger.info("audit trail head: %s", line)
    if settings.AUDIT_HEAD_FILE:
        with open(settings.AUDIT_HEAD_FILE, "a", encoding="utf-8") as heads_file:
            heads_file.write(line + "\n")
            heads_file.flush()
            os.fsync(heads_file.fileno())
    return head


def _head_from_line(text: str, where: str) -> PublishedHead:
    try:
        raw = json.loads(text)
        head = PublishedHead(
            count=raw["count"],
            head=raw["head"],
            unsigned=raw["unsigned"],
            published_at=datetime.fromisoformat(raw["published_at"]),
            where=where,
        )
    except (ValueError, KeyError, TypeError):
        raise AuditHeadError(f"{where} is not a published head") from None
    valid = (
        isinstance(head.count, int)
        and isinstance(head.unsigned, int)
        and 0 <= head.unsigned <= head.count
        and isinstance(head.head, str)
        and len(head.head) == 64
        and head.published_at.tzinfo is not None
    )
    if not valid:
        raise AuditHeadError(f"{where} is not a published head")
    return head


def audit_heads_read(path: str | Path) -> list[PublishedHead]:
    """The heads published to a file, in order; AuditHeadError if one is unreadable or the
    count ever went down (events deleted between two publications)."""
    name = Path(path).name
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise AuditHeadError(f"cannot read the published heads in {path}: {exc}") from None
    heads = []
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        head = _head_from_line(text, f"{name} line {number}")
        if heads and head.count < heads[-1].count:
            raise AuditHeadError(
                f"{head.where} counts {head.count} events, fewer than the {heads[-1].count} "
                f"of {heads[-1].where}: events were deleted between the two publications"
            )
        heads.append(head)
    return heads
