"""Screening people: each person's name against the listed individuals of the active watchlists
(the UK Sanctions List's individuals, FtM Person entities), and each declared affiliation against
the organisations, like a partner. Both are subjects of the request's screening
(`assessments.screening.service.subject_source_register`): they are screened whenever the
request is (on submit, on "Screen now", when a list changes), their matches are ScreeningMatch
rows (subject "person" or "affiliation", with `person` set) decided like any other, and a
confirmed match on a list whose legal effect is "prohibited unless licensed" is a gate.

Names are matched as personal names (words in any order, a missing middle name or patronymic,
transliteration variants), not with the organisation matcher. Nationality is never used.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher

from django.utils import timezone

from ..models import (
    DeclarationKind,
    EntryKind,
    PartnershipRequest,
    Person,
    SubjectKind,
    WatchlistEntry,
    WatchlistVersion,
)
from ..screening.matcher import IndexEntry, Match
from ..screening.service import (
    Subject,
    organisation_subject,
    screening_threshold,
    subject_source_register,
)

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
            rows = WatchlistEntry.objects.filter(version_id__in=key, kind=EntryKind.PERSON).values(
                "id",
                "external_id",
                "name",
                "aliases",
                "fingerprint",
                "risk_level",
                "version__watchlist_id",
            )
            _cache["index"] = PeopleIndex(rows.order_by("id").iterator(chunk_size=5000))
            _cache["key"] = key
        return _cache["index"]


def _person_search(person: Person):
    def search(subject: Subject) -> list[tuple[str, Match]]:
        hits = people_index().search(person.name, threshold=screening_threshold())
        return [
            (
                subject.label,
                Match(
                    entry=IndexEntry(key=hit.row["id"], name=hit.row["name"], payload=hit.row),
                    score=hit.score,
                    matched_name=hit.matched_name,
                    explanation=hit.explanation,
                ),
            )
            for hit in hits
        ]

    return search


@subject_source_register
def people_subjects(request: PartnershipRequest) -> list[Subject]:
    """Each person on the request, and each organisation a person declared an affiliation
    with. Marks the people screened (this runs inside the request's screening)."""
    people = list(
        Person.objects.filter(request=request, erased_at__isnull=True).prefetch_related(
            "declarations__organisation"
        )
    )
    subjects = []
    for person in people:
        subjects.append(
            Subject(
                kind=SubjectKind.PERSON,
                key=f"person:{person.pk}",
                names=[],  # the name is searched by the people index, never stored here
                label=person.reference,
                fields={"person": person},
                dismissal={"person": person},
                search=_person_search(person),
            )
        )
        for declaration in person.declarations.all():
            organisation = declaration.organisation
            if declaration.kind != DeclarationKind.AFFILIATION or organisation is None:
                continue
            affiliation = organisation_subject(SubjectKind.AFFILIATION, organisation)
            affiliation.key = f"affiliation:{person.pk}:{organisation.pk}"
            affiliation.label = f"declared affiliation {organisation.name} ({person.reference})"
            affiliation.fields = {"person": person}
            subjects.append(affiliation)
    if people:
        Person.objects.filter(pk__in=[p.pk for p in people]).update(screened_at=timezone.now())
    return subjects
