"""Screening people: names against the listed individuals of the active watchlists (the UK
Sanctions List's individuals, FtM Person entities), and declared affiliations against the
organisations, like a partner. Matches are decided like an organisation's; a confirmed match on
a list whose legal effect is "prohibited unless licensed" (a sanctions list) is a gate.

An additive design (PersonMatch) until ScreeningMatch carries a subject kind for people.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher

from django.db import transaction
from django.utils import timezone

from ukcn.refusals import Refusal
from ukcn.roles import Role, has_role

from ..audit import audit_record
from ..models import (
    DeclarationKind,
    EntryKind,
    PartnershipRequest,
    Person,
    PersonMatch,
    WatchlistEntry,
    WatchlistVersion,
)
from ..screening.service import _search, screening_threshold

_lock = threading.Lock()
_cache: dict = {"key": None, "index": None}


def _active_version_ids() -> tuple[int, ...]:
    return tuple(
        WatchlistVersion.objects.filter(
            status=WatchlistVersion.Status.ACTIVE, watchlist__is_active=True
        )
        .order_by("id")
        .values_list("id", flat=True)
    )


def name_tokens(name: str) -> tuple[str, ...]:
    """A personal name's words, case, accents and punctuation aside; a name in a script
    without spaces (李伟) is one token."""
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"[^\w\s]", " ", text.casefold())
    return tuple(token for token in text.split() if token)


def _close(a: str, b: str) -> bool:
    return a == b or (min(len(a), len(b)) >= 4 and SequenceMatcher(None, a, b).ratio() >= 0.85)


def person_name_score(query: tuple[str, ...], listed: tuple[str, ...]) -> tuple[float, str]:
    """How well two personal names agree, in any word order: every word of the shorter name
    must be (nearly) a word of the longer, and at least two must agree, unless both are one
    word and equal. 1.0 for the same words; a missing middle name or patronymic costs a little.
    """
    if not query or not listed:
        return 0.0, ""
    shorter, longer = sorted((query, listed), key=len)
    if len(shorter) == 1:
        return (1.0, "the same single name") if query == listed else (0.0, "")
    remaining = list(longer)
    agreed = []
    for token in shorter:
        found = next((other for other in remaining if _close(token, other)), None)
        if found is None:
            return 0.0, ""
        remaining.remove(found)
        agreed.append(token if token == found else f"{token}~{found}")
    score = 0.85 + 0.15 * len(shorter) / len(longer)
    if any("~" in word for word in agreed):
        score -= 0.03
    note = "words agree in any order: " + ", ".join(agreed)
    if remaining:
        note += f"; not in the shorter name: {' '.join(remaining)}"
    return round(score, 3), note


@dataclass(frozen=True)
class PersonHit:
    row: dict
    score: float
    matched_name: str
    explanation: str


class PeopleIndex:
    """The listed individuals' names, by word, for person-name matching."""

    def __init__(self, rows):
        self.rows = []
        self.by_token: dict[str, set[int]] = {}
        for row in rows:
            number = len(self.rows)
            names = [row["name"], *(a for a in row["aliases"] or () if isinstance(a, str))]
            tokenised = [(name, name_tokens(name)) for name in names if name_tokens(name)]
            self.rows.append((row, tokenised))
            for _, tokens in tokenised:
                for token in tokens:
                    self.by_token.setdefault(token, set()).add(number)

    def search(self, name: str, *, threshold: float) -> list[PersonHit]:
        query = name_tokens(name)
        candidates = set().union(*(self.by_token.get(t, set()) for t in query)) if query else set()
        hits = []
        for number in sorted(candidates):
            row, names = self.rows[number]
            best = max(
                ((person_name_score(query, tokens), listed) for listed, tokens in names),
                key=lambda pair: pair[0][0],
            )
            (score, note), listed = best
            if score >= threshold:
                hits.append(PersonHit(row, score, listed, f"matched '{listed}': {note} ({score})"))
        return sorted(hits, key=lambda hit: -hit.score)


def people_index() -> PeopleIndex:
    """The listed individuals of the active versions, rebuilt when the versions change."""
    key = _active_version_ids()
    with _lock:
        if _cache["key"] != key:
            rows = WatchlistEntry.objects.filter(
                version_id__in=key, kind=EntryKind.PERSON
            ).values(
                "id",
                "external_id",
                "name",
                "aliases",
                "version__watchlist_id",
                "version__watchlist__legal_effect",
            )
            _cache["index"] = PeopleIndex(rows.order_by("id").iterator(chunk_size=5000))
            _cache["key"] = key
        return _cache["index"]


def _record(person, *, subject, declaration, entry_row, match) -> bool:
    existing = PersonMatch.objects.filter(
        person=person,
        subject=subject,
        declaration=declaration,
        watchlist_id=entry_row["watchlist_id"],
        external_id=entry_row["external_id"],
    ).first()
    if existing is not None:
        if existing.status == "potential":
            existing.entry_id = entry_row["entry_id"]
            existing.score = match.score
            existing.save(update_fields=["entry", "score"])
        return False
    PersonMatch.objects.create(
        person=person,
        subject=subject,
        declaration=declaration,
        watchlist_id=entry_row["watchlist_id"],
        external_id=entry_row["external_id"],
        entry_id=entry_row["entry_id"],
        legal_effect=entry_row.get("legal_effect") or "",
        score=match.score,
        matched_name=match.matched_name[:500],
        explanation=match.explanation,
    )
    return True


def people_screen(*, request: PartnershipRequest, actor, ip=None) -> int:
    """Screen every person (and declared affiliation) on the request; returns new matches."""
    if actor is not None and not has_role(actor, Role.REVIEWER):
        raise Refusal("Only reviewers screen the people taking part.", kind="forbidden")
    index = people_index()
    threshold = screening_threshold()
    new = 0
    with transaction.atomic():
        people = list(
            Person.objects.select_for_update()
            .filter(request=request, erased_at__isnull=True)
            .prefetch_related("declarations__organisation")
        )
        for person in people:
            for match in index.search(person.name, threshold=threshold):
                row = match.row
                new += _record(
                    person,
                    subject=PersonMatch.Subject.PERSON,
                    declaration=None,
                    entry_row={
                        "watchlist_id": row["version__watchlist_id"],
                        "external_id": row["external_id"],
                        "entry_id": row["id"],
                        "legal_effect": row["version__watchlist__legal_effect"],
                    },
                    match=match,
                )
            for declaration in person.declarations.all():
                if declaration.kind != DeclarationKind.AFFILIATION or not declaration.organisation:
                    continue
                organisation = declaration.organisation
                names = [n for n in (organisation.name, organisation.name_native) if n]
                for _, match in _search(names, organisation.country or None, None):
                    row = match.entry.payload
                    new += _record(
                        person,
                        subject=PersonMatch.Subject.AFFILIATION,
                        declaration=declaration,
                        entry_row={
                            "watchlist_id": row["version__watchlist_id"],
                            "external_id": row["external_id"],
                            "entry_id": row["id"],
                            "legal_effect": "",
                        },
                        match=match,
                    )
            person.screened_at = timezone.now()
            person.save(update_fields=["screened_at"])
        audit_record(
            actor=actor,
            action="people_screened",
            summary=f"{len(people)} people on {request.reference} screened: {new} new match(es)",
            request=request,
            changes={"person_ids": [p.pk for p in people], "new_matches": new},
            ip=ip,
        )
    return new


def person_match_decide(*, match: PersonMatch, actor, decision: str, reason: str, ip=None):
    if not has_role(actor, Role.REVIEWER):
        raise Refusal("Only reviewers decide a person's match.", kind="forbidden")
    if decision not in ("confirm", "dismiss"):
        raise Refusal("Confirm or dismiss the match.", kind="invalid")
    if not (reason or "").strip():
        raise Refusal("Give a reason.", kind="invalid", fields={"reason": "Required."})
    with transaction.atomic():
        match = PersonMatch.objects.select_for_update().select_related("person").get(pk=match.pk)
        request = match.person.request
        match.status = "confirmed" if decision == "confirm" else "dismissed"
        match.reviewer, match.reason, match.decided_at = actor, reason.strip(), timezone.now()
        match.save(update_fields=["status", "reviewer", "reason", "decided_at"])
        audit_record(
            actor=actor,
            action=f"person_match_{match.status}",
            summary=(
                f"Match of {match.person.reference} on {request.reference} {match.status} "
                f"(list entry {match.external_id})"
            ),
            obj=match,
            request=request,
            changes={"person_id": match.person_id, "watchlist_id": match.watchlist_id},
            ip=ip,
        )
    return match
