"""Resolve what a person types as a partner to one organisation: an existing Organisation, or a
ROR identity not yet in the register.

The screening engine's normaliser and index do the matching (English, Chinese simplified or
traditional, pinyin, acronyms): one NameIndex holds every organisation of the register (its
names, aliases and its identity's ROR names) and every ROR identity no organisation is linked
to. Nothing is chosen when several candidates score alike (an acronym shared by several
bodies): the person picks. Candidates carry public identity only (name, native name, city,
country, ROR id), never which requests or departments involve an organisation.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace

from django.db import transaction
from django.db.models import Count, Max

from ..models import IdentityStatus, Organisation, OrganisationIdentity, OrganisationType
from ..screening.matcher import IndexEntry, NameIndex

RESOLVE_THRESHOLD = 0.85
# Candidates within this of the best are as good as the best: nothing is chosen for the user.
AMBIGUITY_MARGIN = 0.03
LIMIT = 8

_lock = threading.Lock()
_cache: dict = {}

ROR_TYPES = {
    "education": OrganisationType.UNIVERSITY,
    "facility": OrganisationType.RESEARCH_INSTITUTE,
    "healthcare": OrganisationType.OTHER,
    "company": OrganisationType.COMPANY,
    "government": OrganisationType.GOVERNMENT,
    "nonprofit": OrganisationType.OTHER,
    "funder": OrganisationType.OTHER,
    "archive": OrganisationType.OTHER,
    "other": OrganisationType.OTHER,
}


@dataclass(frozen=True)
class Candidate:
    """One organisation or ROR identity a typed name may be: public identity only."""

    kind: str  # "organisation" | "ror"
    key: str  # "org:<pk>" | "ror:<ror id>": what a form posts back
    name: str
    native_name: str
    city: str
    country: str
    ror_id: str
    status: str
    score: float = 0.0
    matched_name: str = ""
    organisation_id: int | None = None
    successor_ror_id: str = ""
    parent_chain: tuple[str, ...] = field(default=())

    @property
    def ror_url(self) -> str:
        return f"https://ror.org/{self.ror_id}" if self.ror_id else ""

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "kind": self.kind,
            "name": self.name,
            "native_name": self.native_name,
            "city": self.city,
            "country": self.country,
            "ror_id": self.ror_id,
            "ror_url": self.ror_url,
            "status": self.status,
            "successor_ror_id": self.successor_ror_id,
            "parent_chain": list(self.parent_chain),
            "score": self.score,
            "matched_name": self.matched_name,
            "organisation_id": self.organisation_id,
        }


@dataclass
class Resolution:
    query: str
    candidates: list[Candidate]
    chosen: Candidate | None

    @property
    def ambiguous(self) -> bool:
        return self.chosen is None and len(self.candidates) > 1

    def as_dict(self) -> dict:
        return {
            "query": self.query,
            "chosen": self.chosen.as_dict() if self.chosen else None,
            "ambiguous": self.ambiguous,
            "candidates": [c.as_dict() for c in self.candidates],
        }


def _identity_names(identity: OrganisationIdentity) -> list[str]:
    return [n["value"] for n in identity.names if n.get("value")]


def forget_index() -> None:
    """Rebuild the indexes on next use (after an import, a merge, a rename)."""
    with _lock:
        _cache["gen"] = (_cache.get("gen") or 0) + 1


def _organisations_key() -> tuple:
    orgs = Organisation.objects.aggregate(n=Count("id"), last=Max("id"), at=Max("created_at"))
    linked = Organisation.objects.filter(identity__isnull=False).count()
    return (orgs["n"], orgs["last"], orgs["at"], linked, _cache.get("gen"))


def _identities_key() -> tuple:
    identities = OrganisationIdentity.objects.aggregate(n=Count("id"), at=Max("imported_at"))
    return (identities["n"], identities["at"])


def _build_organisations_index() -> NameIndex:
    """The register (small, rebuilt when an organisation is added or linked)."""
    entries = []
    organisations = Organisation.objects.select_related("identity").order_by("id")
    for org in organisations.iterator(chunk_size=2000):
        names = [org.name_native, *(org.aliases or [])]
        if org.identity_id:
            names.extend(_identity_names(org.identity))
        aliases = tuple(dict.fromkeys(n for n in names if isinstance(n, str) and n.strip()))
        entries.append(
            IndexEntry(
                key=f"org:{org.pk}",
                name=org.name,
                aliases=aliases,
                country=org.country or "",
                payload=("org", org.pk),
            )
        )
    return NameIndex(entries)


def _build_identities_index() -> NameIndex:
    """Every ROR identity (large, rebuilt only when an import changed something)."""
    identities = OrganisationIdentity.objects.only("id", "ror_id", "name", "names", "country")
    return NameIndex(
        IndexEntry(
            key=f"ror:{identity.ror_id}",
            name=identity.name,
            aliases=tuple(n for n in _identity_names(identity) if n != identity.name),
            country=identity.country,
            payload=("ror", identity.ror_id),
        )
        for identity in identities.order_by("id").iterator(chunk_size=5000)
    )


def _cached(name: str, key: tuple, build) -> NameIndex:
    with _lock:
        if _cache.get(f"{name}_key") != key or _cache.get(name) is None:
            _cache[name] = build()
            _cache[f"{name}_key"] = key
        return _cache[name]


def resolution_indexes() -> tuple[NameIndex, NameIndex]:
    """(the register's index, the ROR identities' index), each rebuilt only when it changed."""
    return (
        _cached("organisations", _organisations_key(), _build_organisations_index),
        _cached("identities", (*_identities_key(), _cache.get("gen")), _build_identities_index),
    )


def parent_chain(identity: OrganisationIdentity | None, limit: int = 6) -> list:
    """The identity's parent, grandparent... as stored identities, nearest first."""
    chain, seen = [], set()
    while identity is not None and identity.parent_ror_id and len(chain) < limit:
        if identity.parent_ror_id in seen:
            break
        seen.add(identity.parent_ror_id)
        identity = OrganisationIdentity.objects.filter(ror_id=identity.parent_ror_id).first()
        if identity is not None:
            chain.append(identity)
    return chain


def _candidate_for_org(org: Organisation, score=0.0, matched="") -> Candidate:
    identity = org.identity
    chain = [a.name for a in org.ancestors()] or [i.name for i in parent_chain(identity)]
    return Candidate(
        kind="organisation",
        key=f"org:{org.pk}",
        name=org.name,
        native_name=org.name_native or (identity.native_name if identity else ""),
        city=org.city or (identity.city if identity else ""),
        country=org.country,
        ror_id=identity.ror_id if identity else "",
        status=identity.status if identity else "",
        score=score,
        matched_name=matched,
        organisation_id=org.pk,
        successor_ror_id=identity.successor_ror_id
        if identity and identity.status != IdentityStatus.ACTIVE
        else "",
        parent_chain=tuple(chain),
    )


def _candidate_for_identity(identity: OrganisationIdentity, score=0.0, matched="") -> Candidate:
    return Candidate(
        kind="ror",
        key=f"ror:{identity.ror_id}",
        name=identity.name,
        native_name=identity.native_name,
        city=identity.city,
        country=identity.country,
        ror_id=identity.ror_id,
        status=identity.status,
        score=score,
        matched_name=matched,
        successor_ror_id=identity.successor_ror_id
        if identity.status != IdentityStatus.ACTIVE
        else "",
        parent_chain=tuple(i.name for i in parent_chain(identity)),
    )


def candidate_for_key(key: str) -> Candidate | None:
    """The candidate a form posted back ("org:12" or "ror:01yqg2h08"), or None."""
    kind, _, value = (key or "").partition(":")
    if kind == "org" and value.isdigit():
        org = Organisation.objects.select_related("identity", "parent").filter(pk=value).first()
        return _candidate_for_org(org) if org else None
    if kind == "ror" and value:
        org = Organisation.objects.select_related("identity").filter(identity__ror_id=value).first()
        if org is not None:
            return _candidate_for_org(org)
        identity = OrganisationIdentity.objects.filter(ror_id=value).first()
        return _candidate_for_identity(identity) if identity else None
    return None


def resolve(text: str, *, country: str | None = None, limit: int = LIMIT) -> Resolution:
    """Who `text` may be, best first; `chosen` only when one candidate stands out."""
    text = (text or "").strip()
    if not text:
        return Resolution(text, [], None)
    organisations_index, identities_index = resolution_indexes()
    options = {"country": country or None, "threshold": RESOLVE_THRESHOLD, "limit": limit}
    matches = organisations_index.search(text, **options) + identities_index.search(text, **options)
    org_ids = [m.entry.payload[1] for m in matches if m.entry.payload[0] == "org"]
    ror_ids = [m.entry.payload[1] for m in matches if m.entry.payload[0] == "ror"]
    orgs = Organisation.objects.select_related("identity", "parent").in_bulk(org_ids)
    # A ROR identity already in the register is that organisation.
    for org in Organisation.objects.select_related("identity", "parent").filter(
        identity__ror_id__in=ror_ids
    ):
        orgs[org.pk] = org
    linked = {org.identity.ror_id: org.pk for org in orgs.values() if org.identity_id}
    identities = {i.ror_id: i for i in OrganisationIdentity.objects.filter(ror_id__in=ror_ids)}
    best: dict[str, tuple] = {}
    for match in matches:
        kind, value = match.entry.payload
        if kind == "ror" and value in linked:
            kind, value = "org", linked[value]
        key = f"{kind}:{value}"
        if key not in best or match.score > best[key][0].score:
            best[key] = (match, kind, value)
    candidates = []
    for match, kind, value in sorted(best.values(), key=lambda b: (-b[0].score, b[0].entry.name)):
        if kind == "ror" and value in identities:
            namesake = unlinked_namesake(identities[value])
            if namesake is not None and f"org:{namesake.pk}" not in best:
                # The register's record of the same institution, not yet linked: offer it,
                # with the identity it will be linked to.
                best[f"org:{namesake.pk}"] = (match, "org", namesake.pk)
                candidates.append(
                    replace(
                        _candidate_for_identity(identities[value], match.score, match.matched_name),
                        kind="organisation",
                        key=f"org:{namesake.pk}",
                        organisation_id=namesake.pk,
                    )
                )
                continue
        if kind == "org" and value in orgs:
            candidates.append(_candidate_for_org(orgs[value], match.score, match.matched_name))
        elif kind == "ror" and value in identities:
            candidates.append(
                _candidate_for_identity(identities[value], match.score, match.matched_name)
            )
    candidates = candidates[:limit]
    chosen = None
    if candidates:
        best = candidates[0]
        rivals = [c for c in candidates[1:] if c.score >= best.score - AMBIGUITY_MARGIN]
        if not rivals:
            chosen = best
    return Resolution(text, candidates, chosen)


def _identity_org_type(identity: OrganisationIdentity) -> str:
    for kind in identity.types:
        if kind in ROR_TYPES and kind != "funder":
            return ROR_TYPES[kind]
    return OrganisationType.OTHER


def unlinked_namesake(identity: OrganisationIdentity) -> Organisation | None:
    """An organisation registered before ROR was imported (no identity) under the identity's
    display name and country: the same institution."""
    return (
        Organisation.objects.filter(
            identity__isnull=True, name__iexact=identity.name, country=identity.country
        )
        .order_by("id")
        .first()
    )


def organisation_for_identity(
    identity: OrganisationIdentity, changes: list | None = None, _depth: int = 0
) -> Organisation:
    """The register's organisation for a ROR identity: the one linked to it, else an unlinked
    namesake (now linked), else a new one (with its parent chain). `changes` collects
    ("created" | "linked", organisation) for the caller's audit. Call inside the transaction
    of the change that needs it."""
    changes = [] if changes is None else changes
    existing = Organisation.objects.filter(identity=identity).first()
    if existing is not None:
        return existing
    namesake = unlinked_namesake(identity)
    if namesake is not None:
        namesake.identity = identity
        fields = ["identity"]
        if not namesake.name_native and identity.native_name:
            namesake.name_native = identity.native_name[:300]
            fields.append("name_native")
        namesake.save(update_fields=fields)
        changes.append(("linked", namesake))
        forget_index()
        return namesake
    parent = None
    if identity.parent_ror_id and _depth < 6:
        parent_identity = OrganisationIdentity.objects.filter(ror_id=identity.parent_ror_id).first()
        if parent_identity is not None:
            parent = organisation_for_identity(parent_identity, changes, _depth + 1)
    org = Organisation.objects.create(
        name=identity.name[:300],
        name_native=identity.native_name[:300],
        country=identity.country or "",
        city=identity.city[:200],
        website=identity.website[:200],
        org_type=_identity_org_type(identity),
        identity=identity,
        parent=parent,
    )
    changes.append(("created", org))
    forget_index()
    return org


def organisation_from_choice(key: str, *, typed_name: str = "", country: str = "") -> Organisation:
    """The organisation a user's choice stands for: reuse, create linked, or (no key) create
    unlinked and flagged for the central office to resolve."""
    with transaction.atomic():
        kind, _, value = (key or "").partition(":")
        if kind == "org" and value.isdigit():
            org = Organisation.objects.filter(pk=value).first()
            if org is not None:
                return org
        if kind == "ror" and value:
            identity = OrganisationIdentity.objects.filter(ror_id=value).first()
            if identity is not None:
                return organisation_for_identity(identity)
        org = Organisation.objects.create(
            name=typed_name.strip()[:300], country=country or "", needs_resolution=True
        )
        forget_index()
        return org
