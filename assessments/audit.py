"""The append-only, hash-chained audit trail: recording events and verifying the chain."""

import hashlib
import ipaddress
import json
from dataclasses import dataclass

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone
from django.utils.ipv6 import clean_ipv6_address

from .models import AuditEvent, PartnershipRequest

GENESIS_HASH = "0" * 64
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
        event.save(force_insert=True)
    return event


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_event_id: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_event_id is None


def audit_verify_chain(*, batch_size: int = 2000) -> ChainReport:
    """Walk the whole chain in order and report the first event whose hash or link is wrong."""
    previous = GENESIS_HASH
    checked = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=batch_size):
        if event.previous_hash != previous:
            return ChainReport(checked, event.id, "its link to the previous event is broken")
        if event_hash(event) != event.hash:
            return ChainReport(checked, event.id, "its content does not match its hash")
        previous = event.hash
        checked += 1
    return ChainReport(checked)


def audit_chain_head() -> str:
    """The hash of the newest event: a fingerprint of the whole trail at this moment."""
    last = AuditEvent.objects.order_by("-id").only("hash").first()
    return last.hash if last else GENESIS_HASH
