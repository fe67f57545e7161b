"""An in-memory index of watchlist names and a scorer that explains itself. Plain data only.

Retrieval never scans every name: exact dictionaries (proper words, whole signature, Han
characters, derived acronyms) plus a character-trigram inverted index on the proper words
(posting lists as numpy arrays). Only the query's rarest trigrams are read (prefix
filtering), rapidfuzz ranks the names sharing them in C, and only the best few reach the
full scorer.
"""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA, Levenshtein

from .normalise import (
    ParsedName,
    affiliation_parts,
    cjk_key,
    derive_acronym,
    former_names,
    has_cjk,
    looks_like_acronym,
    parse_name,
    qualifier_keys,
    without_trailing,
)
from .vocabulary import VOCABULARY

# The query's rarest trigrams read per query, and how many of them a typo may cost.
RARE_GRAMS = 8
TYPO_GRAMS = 6
# Names rapidfuzz ranks (in C) per query, and the best of them the full scorer examines.
MAX_RANKED = 4000
SHORTLIST = 48
# Bytes of a key that ranking compares (the full scorer reads the whole name).
RANKING_WIDTH = 40
TYPE_CONFLICT_PENALTY = 0.30
TYPE_MISSING_PENALTY = 0.05
DESCRIPTOR_PENALTY = 0.25
CJK_NEAR_PENALTY = 0.20
TRANSLIT_EXACT_SCORE = 0.95
DERIVED_ACRONYM_SCORE = 0.90
TRAILING_PLACE_PENALTY = 0.05
SHORT_NAME = 5
SHORT_NAME_PENALTY = 0.15
# Proper words this far apart (OSA edits; a swap is one) read as a typing mistake, not another
# name: one edit in five letters or more, two in ten or more.
TYPO_SCORE = 0.90
# Typing mistakes a whole name may carry when they fall in one or two of its words.
MAX_WORD_TYPOS = 3
COUNTRY_AGREES_BONUS = 0.03
COUNTRY_DIFFERS_PENALTY = 0.10
ORG_TYPE_DIFFERS_PENALTY = 0.05
# Han characters a bracketed Chinese text needs to be a name rather than a city (武汉, 哈尔滨).
MIN_BRACKETED_HAN = 4
# Both names carry a place or campus qualifier and they differ: another campus, another body.
QUALIFIER_DIFFERS_PENALTY = 0.30
QUALIFIER_AGREES_BONUS = 0.02
# A department, school or laboratory part of an affiliation names a unit, not the institution.
DEPARTMENT_PART_PENALTY = 0.20

# Different places whose names are one or two letters apart.
DISTINCT_SPELLINGS = (("shanxi", "shaanxi"), ("hubei", "hebei"), ("hunan", "henan"))
_ACADEMIC = frozenset({"university", "college", "institute", "academy", "school", "polytechnic"})
_COMPANY = frozenset({"company", "corporation", "group", "limited", "factory"})
_MILITARY = frozenset({"army", "navy", "force", "base"})
# Partner organisation types (OrganisationType values) to the kind of body they can be.
ORG_TYPE_KINDS = {
    "university": "academic",
    "research_institute": "academic",
    "company": "company",
    "military": "military",
}


@dataclass(frozen=True)
class IndexEntry:
    """One watchlist entry as the index sees it; `payload` comes back untouched in matches."""

    key: Hashable
    name: str
    aliases: tuple[str, ...] = ()
    country: str = ""
    payload: Any = None


@dataclass(frozen=True)
class Match:
    entry: IndexEntry
    score: float
    matched_name: str
    explanation: str
    reasons: tuple[str, ...] = field(default=(), compare=False)


@dataclass(frozen=True, slots=True)
class _IndexedName:
    entry: int
    text: str
    kind: str  # "name", "alias", "former name", "Chinese name in brackets"
    parsed: ParsedName


def _trigrams(key: str) -> set[str]:
    padded = f" {key} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def _compact(ids: list[int]) -> int | np.ndarray:
    return ids[0] if len(ids) == 1 else np.array(ids, dtype=np.int32)


def _ids(found: int | np.ndarray | None) -> list[int]:
    if found is None:
        return []
    return [found] if isinstance(found, int) else found.tolist()


def _ranking_keys(keys: list[str]) -> np.ndarray:
    """Keys as fixed-width bytes (cut at RANKING_WIDTH): numpy hands thousands of them to
    rapidfuzz at once, without a Python object per key living in the index."""
    return np.array([key.encode()[:RANKING_WIDTH] for key in keys], dtype=f"S{RANKING_WIDTH}")


class _Strings:
    """Many short strings as one buffer and an array of offsets. Reading thousands of them per
    query this way writes to no shared object (a list of str would bump each one's reference
    count), so workers forked from a process holding the index keep sharing its pages."""

    def __init__(self, items: list[str]):
        encoded = [item.encode() for item in items]
        self._offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum([len(e) for e in encoded], out=self._offsets[1:])
        self._blob = b"".join(encoded)

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def __getitem__(self, position: int) -> str:
        return self._blob[self._offsets[position] : self._offsets[position + 1]].decode()

    def take(self, positions: list[int]) -> list[str]:
        at = np.asarray(positions, dtype=np.int64)
        blob = self._blob
        return [
            blob[start:end].decode()
            for start, end in zip(
                self._offsets[at].tolist(), self._offsets[at + 1].tolist(), strict=True
            )
        ]


_KINDS = ("name", "alias", "former name", "Chinese name in brackets")
_FIELD, _ITEM = "\x1f", "\x1e"


def _pack(parsed: ParsedName) -> str:
    fields = (
        _ITEM.join(parsed.proper),
        parsed.proper_key,
        _ITEM.join(sorted(parsed.descriptors)),
        _ITEM.join(sorted(parsed.types)),
        _ITEM.join(q.replace(_FIELD, " ").replace(_ITEM, " ") for q in parsed.qualifiers),
        parsed.cjk_key,
        "1" if parsed.transliterated else "",
        parsed.acronym,
        str(parsed.trailing),
    )
    return _FIELD.join(fields)


def _items(text: str) -> tuple[str, ...]:
    return tuple(text.split(_ITEM)) if text else ()


def _unpack(original: str, signature: str, packed: str) -> ParsedName:
    proper, key, descriptors, types, qualifiers, cjk, translit, acronym, trailing = packed.split(
        _FIELD
    )
    return ParsedName(
        original=original,
        proper=_items(proper),
        proper_key=key,
        descriptors=frozenset(_items(descriptors)),
        types=frozenset(_items(types)),
        signature=signature,
        qualifiers=_items(qualifiers),
        cjk_key=cjk,
        transliterated=bool(translit),
        acronym=acronym,
        trailing=int(trailing),
    )


class _Names:
    """The indexed names as columns (entry numbers, kinds, texts and parsed names packed in
    buffers); `names[i]` rebuilds one `_IndexedName`. A query reads a few dozen this way and
    writes to none of the index's memory, which the workers of a machine share."""

    def __init__(self, names: list[_IndexedName]):
        self._entry = np.array([n.entry for n in names], dtype=np.int32)
        self._kind = np.array([_KINDS.index(n.kind) for n in names], dtype=np.int8)
        self._text = _Strings([n.text for n in names])
        self.signatures = _Strings([n.parsed.signature for n in names])
        self._parsed = _Strings([_pack(n.parsed) for n in names])

    def __len__(self) -> int:
        return len(self._entry)

    def __getitem__(self, position: int) -> _IndexedName:
        text = self._text[position]
        return _IndexedName(
            int(self._entry[position]),
            text,
            _KINDS[self._kind[position]],
            _unpack(text, self.signatures[position], self._parsed[position]),
        )


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _entry_kinds(types: frozenset[str]) -> set[str]:
    """What kind of body a name's type words say it is; a PLA university is two kinds."""
    kinds = set()
    if types & _MILITARY:
        kinds.add("military")
    if types & _COMPANY:
        kinds.add("company")
    if types & _ACADEMIC:
        kinds.add("academic")
    return kinds


def _describe_difference(a: str, b: str) -> str:
    """'x' -> 'y' for each edit that turns a into b, compactly."""
    parts = []
    for op in Levenshtein.opcodes(a, b):
        if op.tag != "equal":
            parts.append(f"'{a[op.src_start : op.src_end]}'→'{b[op.dest_start : op.dest_end]}'")
    return ", ".join(parts[:4])


def _typing_mistake(a: str, b: str) -> int:
    """1 or 2 when b is a with that many typing mistakes, else 0; known distinct places
    one letter apart (Shanxi, Shaanxi) are never a typo of each other."""
    shorter = min(len(a), len(b))
    if shorter < 5:
        return 0
    allowed = 2 if shorter >= 10 else 1
    if allowed == 1 and a[0] != b[0]:
        return 0  # Suzhou, Xuzhou, Huzhou, Fuzhou, Wuzhou: other cities, not typing mistakes
    edits = OSA.distance(a, b, score_cutoff=allowed)
    if not 0 < edits <= allowed:
        return 0
    for first, second in DISTINCT_SPELLINGS:
        if (first in a and second in b) or (second in a and first in b):
            return 0
    return edits


def _bag(parsed: ParsedName) -> list[str]:
    return [*parsed.proper, *sorted(parsed.descriptors), *sorted(parsed.types)]


def _word_allowance(query_word: str, listed_word: str) -> int:
    """Typing mistakes one word may carry: none below four letters, one (with the first letter
    kept) in four to seven, two in eight or more, or in a five-letter institution word."""
    shorter = min(len(query_word), len(listed_word))
    if shorter < 4:
        return 0
    if shorter >= 8 or (shorter >= 5 and listed_word in VOCABULARY):
        return 2
    return 1 if query_word[0] == listed_word[0] else 0


def word_typos(query: ParsedName, name: ParsedName) -> tuple[int, list[str]]:
    """Typing mistakes (1 to MAX_WORD_TYPOS) when the two names have the same words but for one
    or two of them, each a typing mistake of its listed word; (0, []) otherwise. Words count
    whatever part they play, so a misspelt descriptor ("Ocuen") still meets its listed word."""
    if not (query.proper or query.descriptors) or not (name.proper or name.descriptors):
        return 0, []
    left, right = _bag(query), _bag(name)
    for word in list(left):
        if word in right:
            left.remove(word)
            right.remove(word)
    if not left or len(left) != len(right) or len(left) > 2:
        return 0, []
    if len(left) + len(right) >= len(_bag(query)) + len(_bag(name)):
        return 0, []  # nothing agrees exactly: another name, not a misspelt one
    best: tuple[int, list[str]] = (0, [])
    orders = [right] if len(right) == 1 else [right, right[::-1]]
    for order in orders:
        total, diffs = 0, []
        for typed, listed in zip(left, order, strict=True):
            allowed = _word_allowance(typed, listed)
            edits = OSA.distance(typed, listed, score_cutoff=allowed) if allowed else allowed + 1
            if not 0 < edits <= allowed or _distinct_places(typed, listed):
                break
            total += edits
            diffs.append(f"'{typed}'→'{listed}'")
        else:
            if total <= MAX_WORD_TYPOS and (not best[0] or total < best[0]):
                best = (total, diffs)
    return best


def _distinct_places(a: str, b: str) -> bool:
    return any(
        (first in a and second in b) or (second in a and first in b)
        for first, second in DISTINCT_SPELLINGS
    )


def score_names(query: ParsedName, name: ParsedName) -> tuple[float, list[str]]:
    """How alike two parsed names are (1 is the same name; penalties may take it below 0,
    `search` clamps the final score to [0, 1]), and the reasons, agreeing and differing."""
    if query.cjk_key and name.cjk_key:
        if query.cjk_key == name.cjk_key:
            return 1.0, [f"same Chinese characters {name.cjk_key}"]
        ratio = fuzz.ratio(query.cjk_key, name.cjk_key) / 100
        diff = _describe_difference(query.cjk_key, name.cjk_key)
        return ratio - CJK_NEAR_PENALTY, [f"Chinese characters differ: {diff}"]
    if query.transliterated or name.transliterated:
        if not (query.proper_key and name.proper_key):
            # Nothing pronounceable on one side (a symbol, punctuation): nothing to compare.
            return 0.0, ["nothing to compare after transliteration"]
        # ü is written v or u ("zhanlve", "zhanlue"): pinyin compares without the difference.
        query_key, name_key = query.proper_key.replace("v", "u"), name.proper_key.replace("v", "u")
        if query_key == name_key:
            return TRANSLIT_EXACT_SCORE, [f"pinyin agrees: {' '.join(name.proper)}"]
        ratio = fuzz.ratio(query_key, name_key) / 100
        diff = _describe_difference(query_key, name_key)
        return ratio - CJK_NEAR_PENALTY, [f"pinyin differs: {diff}"]
    return _score_latin(query, name)


def _score_latin(query: ParsedName, name: ParsedName) -> tuple[float, list[str]]:
    score, reasons = _score_parts(query, name)
    if score < TYPO_SCORE:
        typos, diffs = word_typos(query, name)
        if typos:
            return TYPO_SCORE, [
                f"words agree but for {typos} typing mistake(s): {', '.join(diffs)}",
                *(f"ignored the parts' comparison: {r}" for r in reasons[:1]),
            ]
    return score, reasons


def _score_parts(query: ParsedName, name: ParsedName) -> tuple[float, list[str]]:
    reasons = []
    if query.proper_key and name.proper_key:
        score = fuzz.ratio(query.proper_key, name.proper_key) / 100
        typo = _typing_mistake(query.proper_key, name.proper_key)
        if score == 1.0:
            reasons.append(f"proper words agree: {' '.join(name.proper)}")
        elif typo:
            diff = _describe_difference(query.proper_key, name.proper_key)
            score = max(score, TYPO_SCORE)
            reasons.append(f"proper words differ by {typo} typing mistake(s): {diff}")
        else:
            diff = _describe_difference(query.proper_key, name.proper_key)
            reasons.append(f"proper words nearly agree ({score:.2f}): {diff}")
            if min(len(query.proper_key), len(name.proper_key)) <= SHORT_NAME:
                score -= SHORT_NAME_PENALTY
                reasons.append(
                    f"short names such as acronyms must agree exactly: -{SHORT_NAME_PENALTY}"
                )
    elif query.proper_key or name.proper_key:
        score = 0.0
        reasons.append("only one name has proper words")
    else:
        score = 1.0
    if query.descriptors == name.descriptors:
        if name.descriptors:
            reasons.append(f"descriptors agree: {', '.join(sorted(name.descriptors))}")
    else:
        for word in sorted(name.descriptors - query.descriptors):
            score -= DESCRIPTOR_PENALTY
            reasons.append(f"listed name has '{word}', the query does not: -{DESCRIPTOR_PENALTY}")
        for word in sorted(query.descriptors - name.descriptors):
            score -= DESCRIPTOR_PENALTY
            reasons.append(f"query has '{word}', the listed name does not: -{DESCRIPTOR_PENALTY}")
    if query.types == name.types:
        if name.types:
            reasons.append(f"institution type agrees: {', '.join(sorted(name.types))}")
    elif query.types <= name.types or name.types <= query.types:
        missing = sorted(query.types ^ name.types)
        score -= TYPE_MISSING_PENALTY * len(missing)
        reasons.append(
            f"type word only on one side ({', '.join(missing)}): -{TYPE_MISSING_PENALTY}"
        )
    else:
        score -= TYPE_CONFLICT_PENALTY
        reasons.append(
            f"institution type differs: {', '.join(sorted(query.types))} vs "
            f"{', '.join(sorted(name.types))}: -{TYPE_CONFLICT_PENALTY}"
        )
    return score, reasons


class NameIndex:
    """All names and aliases of a set of entries, searchable by `search`."""

    def __init__(self, entries: Iterable[IndexEntry]):
        self.entries: list[IndexEntry] = []
        self.names: list[_IndexedName] = []
        self._by_proper: dict[str, list[int]] = defaultdict(list)
        self._by_signature: dict[str, list[int]] = defaultdict(list)
        self._by_cjk: dict[str, list[int]] = defaultdict(list)
        self._by_acronym: dict[str, list[int]] = defaultdict(list)
        proper_keys: list[str] = []
        self._proper_keys = proper_keys
        postings: dict[str, list[int]] = defaultdict(list)
        # Words of Latin names (proper, descriptor and type alike) and their one-letter
        # deletions: a word with a typing mistake finds its listed word here (deletion
        # neighbourhood), then the names that carry it.
        self._word_ids: dict[str, int] = {}
        word_postings: list[list[int]] = []
        self._word_postings = word_postings
        self._primary_types: list[frozenset[str]] = []
        # Building creates millions of small objects: the cyclic collector would only rescan them.
        collecting = gc.isenabled()
        gc.disable()
        try:
            for entry in entries:
                self._add_entry(entry, postings)
        finally:
            if collecting:
                gc.enable()
        # One id as an int, several as an int32 array: a fraction of the memory of lists.
        self._by_proper, self._by_signature, self._by_cjk, self._by_acronym = (
            {key: _compact(ids) for key, ids in mapping.items()}
            for mapping in (self._by_proper, self._by_signature, self._by_cjk, self._by_acronym)
        )
        # Posting lists as int32 arrays: a quarter of the memory of lists, and numpy counts them.
        self._trigrams = {gram: np.array(ids, dtype=np.int32) for gram, ids in postings.items()}
        self._word_postings = [np.array(ids, dtype=np.int32) for ids in word_postings]
        # The strings ranked per query, read without touching one object each (see _Strings).
        self._proper_keys = _ranking_keys(proper_keys)
        self._signatures = _ranking_keys([name.parsed.signature for name in self.names])
        self.names = _Names(self.names)
        self._words = list(self._word_ids)
        deletions: dict[str, list[int]] = defaultdict(list)
        for word, word_id in self._word_ids.items():
            if len(word) >= 4:
                for variant in _deletions(word):
                    deletions[variant].append(word_id)
        self._deletions = {v: _compact(ids) for v, ids in deletions.items()}
        del deletions, postings
        # Move the index out of the collector's sight: a full collection during a query
        # would otherwise walk all of it (a pause of tens of milliseconds at 300,000 names).
        gc.collect()
        gc.freeze()

    def __len__(self) -> int:
        return len(self.entries)

    def _add_entry(self, entry: IndexEntry, postings) -> None:
        entry_no = len(self.entries)
        self.entries.append(entry)
        texts = [(entry.name, "name")] + [(alias, "alias") for alias in entry.aliases if alias]
        seen = set()
        position = 0
        while position < len(texts):
            text, kind = texts[position]
            position += 1
            # The same normalisation as a query gets: a listed name and the same words typed in
            # a query must parse alike.
            parsed = parse_name(text, keep_notes=False)
            if kind == "name":
                self._primary_types.append(parsed.types)
            if kind != "former name":
                texts.extend((old, "former name") for old in former_names(parsed))
            # "English (中文)" as some lists write it: the bracketed Han name is a name too.
            # A short one ("X大学(武汉)") is a city or campus: a qualifier, never a name of its own.
            texts.extend(
                (q, "Chinese name in brackets")
                for q in parsed.qualifiers
                if has_cjk(q) and len(cjk_key(q)) >= MIN_BRACKETED_HAN
            )
            if parsed.signature in seen:
                continue
            if not (parsed.proper_key or parsed.descriptors or parsed.cjk_key):
                continue  # only type words ("Ltd.", "Institute"): nothing that names a body
            seen.add(parsed.signature)
            self._add_name(entry_no, text, kind, parsed, postings)

    def _add_name(self, entry_no, text, kind, parsed: ParsedName, postings) -> None:
        name_no = len(self.names)
        self.names.append(_IndexedName(entry_no, text, kind, parsed))
        key = parsed.proper_key
        self._by_signature[parsed.signature].append(name_no)
        if parsed.cjk_key:
            self._by_cjk[parsed.cjk_key].append(name_no)
        self._proper_keys.append(key)
        if key:
            self._by_proper[key].append(name_no)
            for gram in _trigrams(key):
                postings[gram].append(name_no)
        if not parsed.cjk_key:
            for word in set(_bag(parsed)):
                word_id = self._word_ids.setdefault(word, len(self._word_ids))
                if word_id == len(self._word_postings):
                    self._word_postings.append([])
                self._word_postings[word_id].append(name_no)
        if parsed.acronym and len(parsed.proper) + len(parsed.descriptors) + len(parsed.types) >= 3:
            self._by_acronym[parsed.acronym].append(name_no)

    def _candidates(self, query: ParsedName) -> set[int]:
        found: set[int] = set()
        found.update(_ids(self._by_signature.get(query.signature)))
        if query.cjk_key:
            found.update(_ids(self._by_cjk.get(query.cjk_key)))
        key = query.proper_key
        if not key:
            return found
        found.update(_ids(self._by_proper.get(key)))
        found.update(self._trigram_candidates(key))
        found.update(self._typo_candidates(query))
        return found

    def _trigram_candidates(self, key: str) -> list[int]:
        postings = sorted(
            (self._trigrams[g] for g in _trigrams(key) if g in self._trigrams), key=len
        )
        if not postings:
            return []
        # Prefix filtering: a name within one typing mistake of the query loses at most three
        # of its trigrams, so it shares at least len(rare) - 3 of the query's rarest ones.
        rare = postings[:RARE_GRAMS]
        ids, counts = np.unique(np.concatenate(rare), return_counts=True)
        keep = counts >= max(1, len(rare) - TYPO_GRAMS)
        ids, counts = ids[keep], counts[keep]
        if len(ids) > MAX_RANKED:
            top = np.argpartition(counts, -MAX_RANKED)[-MAX_RANKED:]
            ids = ids[top]
        ids = ids.tolist()
        if len(ids) > SHORTLIST:
            ranked = process.extract(
                key.encode()[:RANKING_WIDTH],
                self._proper_keys[ids].tolist(),
                scorer=fuzz.ratio,
                limit=SHORTLIST,
            )
            ids = [ids[position] for _, _, position in ranked]
        return ids

    def _near_words(self, word: str) -> list[int]:
        """Listed words one deletion (either side) from `word`, or two from a long word."""
        ids: set[int] = set()
        variants = {word, *_deletions(word)}
        if len(word) >= 8:
            variants.update(v for first in _deletions(word) for v in _deletions(first))
        for variant in variants:
            if variant in self._word_ids:
                ids.add(self._word_ids[variant])
            ids.update(_ids(self._deletions.get(variant)))
        return [i for i in ids if _word_allowance(word, self._words[i])]

    def _typo_candidates(self, query: ParsedName) -> list[int]:
        """Names that carry every known word of the query and, for each word no listed name
        has (one or two), a listed word it is a typing mistake of: read only then."""
        if query.cjk_key:
            return []
        words = list(dict.fromkeys(_bag(query)))
        unknown = [w for w in words if w not in self._word_ids]
        if not unknown or len(unknown) > 2 or len(words) < 2:
            return []
        sets = []
        for word in words:
            if word in self._word_ids:
                sets.append(self._word_postings[self._word_ids[word]])
                continue
            near = self._near_words(word)
            if not near:
                return []  # nothing listed it could be a typing mistake of
            postings = [self._word_postings[i] for i in near]
            sets.append(postings[0] if len(postings) == 1 else np.unique(np.concatenate(postings)))
        sets.sort(key=len)
        ids = sets[0]
        for other in sets[1:]:
            if not len(ids):
                return []
            # Posting lists are sorted: look each candidate up rather than merge whole lists.
            at = np.minimum(np.searchsorted(other, ids), len(other) - 1)
            ids = ids[other[at] == ids]
        ids = ids.tolist()
        if len(ids) > SHORTLIST:
            ranked = process.extract(
                query.signature.encode()[:RANKING_WIDTH],
                self._signatures[ids[:MAX_RANKED]].tolist(),
                scorer=fuzz.ratio,
                limit=SHORTLIST,
            )
            ids = [ids[position] for _, _, position in ranked]
        return ids

    def search(
        self,
        query: str,
        *,
        country: str | None = None,
        org_type: str | None = None,
        threshold: float = 0.0,
        limit: int = 20,
    ) -> list[Match]:
        """Entries whose best name scores at least `threshold`, best first, explained."""
        if not query or not query.strip():
            return []
        parsed = parse_name(query)
        best: dict[int, tuple[float, str, list[str]]] = {}
        readings = [(parsed, 0.0, [])]
        parts = affiliation_parts(query)
        if parts:
            ignored = [f"{role} '{text}'" for role, text in parts if role != "institution"]
            for role, text in parts:
                if role not in ("institution", "department"):
                    continue
                penalty = DEPARTMENT_PART_PENALTY if role == "department" else 0.0
                note = f"matched the {role} part '{text}' of an affiliation"
                if ignored:
                    note += "; ignored " + ", ".join(i for i in ignored if text not in i)
                if penalty:
                    note += f": -{penalty}"
                readings.append((parse_name(text), penalty, [note]))
        for reading, _, _ in list(readings):
            shorter = without_trailing(reading)
            if shorter is not None:
                dropped = shorter.qualifiers[-1]
                note = f"read trailing '{dropped}' as a campus or place: -{TRAILING_PLACE_PENALTY}"
                readings.append((shorter, TRAILING_PLACE_PENALTY, [note]))
        read: dict[int, _IndexedName] = {}
        for reading, penalty, notes in readings:
            wanted = qualifier_keys(reading)
            for name_no in self._candidates(reading):
                indexed = read.get(name_no) or read.setdefault(name_no, self.names[name_no])
                score, reasons = score_names(reading, indexed.parsed)
                score -= penalty
                reasons = [*reasons, *_qualifier_reasons(wanted, indexed.parsed)]
                score += _qualifier_adjustment(wanted, indexed.parsed)
                label = f"{indexed.kind} '{indexed.text}'"
                if indexed.entry not in best or score > best[indexed.entry][0]:
                    best[indexed.entry] = (
                        score,
                        indexed.text,
                        [f"matched {label}", *reasons, *notes],
                    )
        if looks_like_acronym(query):
            acronym = query.strip().replace(".", "").casefold()
            for name_no in _ids(self._by_acronym.get(acronym)):
                indexed = self.names[name_no]
                if indexed.entry not in best or best[indexed.entry][0] < DERIVED_ACRONYM_SCORE:
                    reason = f"'{query.strip()}' is the acronym of {indexed.kind} '{indexed.text}'"
                    best[indexed.entry] = (DERIVED_ACRONYM_SCORE, indexed.text, [reason])
        matches = []
        for entry_no, (score, matched, reasons) in best.items():
            entry = self.entries[entry_no]
            score, adjustments = _adjust(
                score, entry, self._entry_types(entry_no), country, org_type
            )
            score = round(min(1.0, max(0.0, score)), 3)
            if score < threshold:
                continue
            all_reasons = [*reasons, *adjustments]
            notes = list(parsed.notes)
            if notes:
                all_reasons.append("query normalised: " + "; ".join(notes))
            explanation = "; ".join(all_reasons)
            matches.append(Match(entry, score, matched, explanation, tuple(all_reasons)))
        matches.sort(key=lambda m: (-m.score, m.entry.name))
        return matches[:limit]

    def _entry_types(self, entry_no: int) -> frozenset[str]:
        return self._primary_types[entry_no]


def _qualifier_adjustment(wanted: frozenset[str], name: ParsedName) -> float:
    listed = qualifier_keys(name)
    if not (wanted and listed):
        return 0.0
    return QUALIFIER_AGREES_BONUS if wanted & listed else -QUALIFIER_DIFFERS_PENALTY


def _qualifier_reasons(wanted: frozenset[str], name: ParsedName) -> list[str]:
    listed = qualifier_keys(name)
    if wanted and listed:
        if wanted & listed:
            return [f"qualifier agrees: {', '.join(sorted(wanted & listed))}"]
        return [
            f"qualifier differs: {', '.join(sorted(wanted))} vs {', '.join(sorted(listed))}: "
            f"-{QUALIFIER_DIFFERS_PENALTY}"
        ]
    if wanted:
        return [f"campus of: the query's '{', '.join(sorted(wanted))}' read as a campus or place"]
    return []


def _adjust(
    score: float,
    entry: IndexEntry,
    entry_types: frozenset[str],
    country: str | None,
    org_type: str | None,
) -> tuple[float, list[str]]:
    """Raise or lower a name score by what else is known about the partner; say by how much."""
    notes = []
    if country and entry.country:
        if country.upper() == entry.country.upper():
            score += COUNTRY_AGREES_BONUS
            notes.append(
                f"partner country {country.upper()} is the entry's: +{COUNTRY_AGREES_BONUS}"
            )
        else:
            score -= COUNTRY_DIFFERS_PENALTY
            notes.append(
                f"partner country {country.upper()} differs from the entry's "
                f"{entry.country.upper()}: -{COUNTRY_DIFFERS_PENALTY}"
            )
    partner_kind = ORG_TYPE_KINDS.get(org_type or "")
    entry_kinds = _entry_kinds(entry_types)
    if partner_kind and entry_kinds and partner_kind not in entry_kinds:
        score -= ORG_TYPE_DIFFERS_PENALTY
        notes.append(
            f"the partner's type ({org_type}) does not fit the entry "
            f"({' and '.join(sorted(entry_kinds))} body): -{ORG_TYPE_DIFFERS_PENALTY}"
        )
    return score, notes


__all__ = ["IndexEntry", "Match", "NameIndex", "derive_acronym", "score_names"]
