"""Institution names reduced to comparable parts: pure functions, no database.

A name becomes a `ParsedName`: its *proper* words (places and given names, joined without
spaces so "Jiao Tong" and "Jiaotong" agree), its *descriptor* words (what the place is
about: science, technology, aeronautics, normal ...) and its *type* words (university,
institute, college ...). Look-alike institutions differ in descriptors or type, so the
scorer insists those agree; variants of one institution differ only in spelling, which
this module folds away and records in `notes` for the explanation.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

import opencc
from anyascii import anyascii
from pypinyin.constants import PHRASES_DICT, PINYIN_DICT
from pypinyin.seg.simpleseg import seg
from rapidfuzz import process
from rapidfuzz.distance import OSA

from .vocabulary import (
    ABBREVIATIONS,
    ARMY_PREFIX,
    CJK_ARMY_PREFIX,
    CONVENTIONAL_PINYIN,
    DESCRIPTOR_WORDS,
    FORMER_NAMES,
    SPELLINGS,
    STOPWORDS,
    TRADITIONAL,
    TYPE_WORDS,
    VOCABULARY,
)

_BRACKETS = re.compile(r"[\(\[（【〔]([^\)\]）】〕]*)[\)\]）】〕]")
_HAS_BRACKET = re.compile(r"[\(\[（【〔]")
_APOSTROPHES = re.compile(r"['’‘`´ʼ]")
_NON_WORD = re.compile(r"[^\w&]+")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Traditional to simplified Chinese by OpenCC's phrase-aware tables (學→学, 國→国, 團→团 ...).
_T2S = opencc.OpenCC("t2s")
_CJK_NON_HAN = re.compile(r"[^\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


@dataclass(frozen=True, slots=True)
class ParsedName:
    """One name taken apart for comparison; `notes` say what was changed on the way."""

    original: str
    proper: tuple[str, ...]
    proper_key: str
    descriptors: frozenset[str]
    types: frozenset[str]
    # Every comparable part in a fixed order: equal signatures mean equal names.
    signature: str
    qualifiers: tuple[str, ...] = ()
    cjk_key: str = ""
    transliterated: bool = False
    acronym: str = ""
    trailing: int = 0
    notes: tuple[str, ...] = field(default=(), compare=False)


def fold(text: str) -> str:
    """Unicode NFKC (full-width forms to ASCII), traditional to simplified Han characters, and
    case folding; diacritics are kept for `to_latin`. Queries and listed names alike pass here."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
        if has_cjk(text):
            text = simplified(text)
    return text.casefold().strip()


@lru_cache(maxsize=65536)
def simplified(text: str) -> str:
    """Han text in simplified characters (OpenCC t2s, then the project's own table)."""
    return _T2S.convert(text).translate(TRADITIONAL)


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


def split_qualifiers(text: str) -> tuple[str, tuple[str, ...]]:
    """Remove bracketed qualifiers ("(Shenzhen)", "（深圳）") and a trailing ", Place"."""
    qualifiers = []
    core = text
    if _HAS_BRACKET.search(text):
        qualifiers = [q.strip() for q in _BRACKETS.findall(text) if q.strip()]
        core = _BRACKETS.sub(" ", text)
    if "," in core:
        head, _, tail = core.rpartition(",")
        tail_words = _words(tail)
        # A short tail with no institution words is a campus or country, not part of the name.
        if head.strip() and 0 < len(tail_words) <= 2 and not set(tail_words) & VOCABULARY:
            qualifiers.append(tail.strip())
            core = head
    return " ".join(core.split()), tuple(qualifiers)


def cjk_key(text: str) -> str:
    """The Han characters of a name, simplified, without qualifiers, spaces or punctuation."""
    core, _ = split_qualifiers(fold(text))
    key = _CJK_NON_HAN.sub("", simplified(core))
    if key.startswith(CJK_ARMY_PREFIX) and len(key) > len(CJK_ARMY_PREFIX) + 2:
        key = key[len(CJK_ARMY_PREFIX) :]
    return key


def to_latin(text: str) -> tuple[str, list[str]]:
    """Transliterate: Han characters to pinyin (one word per syllable), anything else by anyascii."""
    notes = []
    if text.isascii():
        return text, notes
    if has_cjk(text):
        pieces = []
        for chunk in re.split(r"([\u3400-\u9fff\uf900-\ufaff]+)", text):
            if chunk and _CJK.match(chunk):
                pinyin = " ".join(pinyin_syllables(simplified(chunk)))
                for plain, conventional in CONVENTIONAL_PINYIN.items():
                    pinyin = pinyin.replace(plain, conventional)
                pieces.append(f" {pinyin} ")
            else:
                pieces.append(chunk)
        latin = "".join(pieces)
        notes.append(f"transliterated '{text}' to pinyin '{' '.join(latin.split())}'")
        return anyascii(latin), notes
    latin = anyascii(text)
    if latin != text and not text.isascii():
        notes.append(f"transliterated '{text}' to '{latin}'")
    return latin, notes


@lru_cache(maxsize=2048)
def _toneless(syllable: str) -> str:
    decomposed = unicodedata.normalize("NFD", syllable)
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


def pinyin_syllables(han: str) -> list[str]:
    """Toneless pinyin of Han text, read by phrase where pypinyin knows the phrase (重庆: chong qing)."""
    syllables = []
    for word in seg(han):
        if word in PHRASES_DICT:
            syllables.extend(_toneless(readings[0]) for readings in PHRASES_DICT[word])
            continue
        for char in word:
            readings = PINYIN_DICT.get(ord(char))
            syllables.append(_toneless(readings.split(",")[0]) if readings else char)
    return syllables


_CONVENTIONAL_KEYS = tuple(
    (plain.replace(" ", ""), conventional) for plain, conventional in CONVENTIONAL_PINYIN.items()
)


def conventional_key(key: str) -> str:
    """A joined key with pinyin written the conventional way ("haerbin" -> "harbin")."""
    for plain, conventional in _CONVENTIONAL_KEYS:
        if plain in key:
            key = key.replace(plain, conventional)
    return key


def _words(text: str) -> list[str]:
    text = _APOSTROPHES.sub("", text)
    return [w for w in _NON_WORD.split(text.replace("&", " & ")) if w]


@lru_cache(maxsize=4096)
def _frozen(items: tuple[str, ...]) -> frozenset[str]:
    # Names share a handful of descriptor and type sets: one object each saves memory.
    return frozenset(items)


def _canonical_exact(word: str) -> tuple[str, str]:
    if word in ABBREVIATIONS:
        return ABBREVIATIONS[word], "abbreviation"
    if word in SPELLINGS:
        return SPELLINGS[word], "spelling"
    return word, ""


# Words a typing mistake is read back to: institution words and their other spellings.
_TYPO_TARGETS = sorted(VOCABULARY | {w for w in SPELLINGS if len(w) >= 6 and w.isalpha()})


@lru_cache(maxsize=200_000)
def canonical_word(word: str) -> tuple[str, str]:
    """A word's canonical form and how it got there: '', 'abbreviation', 'spelling' or 'typo'."""
    if word in ABBREVIATIONS:
        return ABBREVIATIONS[word], "abbreviation"
    if word in SPELLINGS:
        return SPELLINGS[word], "spelling"
    if word in VOCABULARY or len(word) < 5 or not word.isalpha():
        return word, ""
    # A misspelt institution word ("Insitute", "Technolgy", "Unievrsity") still counts as that
    # word: one edit (a swap of two letters is one) in five letters or more, two in nine or
    # more; the first letter must agree (so "tower" never becomes "power").
    edits = 2 if len(word) >= 9 else 1
    found = process.extractOne(word, _TYPO_TARGETS, scorer=OSA.distance, score_cutoff=edits)
    if found and len(found[0]) >= 5 and found[0][0] == word[0]:
        return SPELLINGS.get(found[0], found[0]), "typo"
    return word, ""


def _expand(words: list[str], notes: list[str], *, correct_typos: bool = True) -> list[str]:
    out = []
    canonical_of = canonical_word if correct_typos else _canonical_exact
    for word in words:
        canonical, how = canonical_of(word)
        if how:
            notes.append(f"read '{word}' as '{canonical}' ({how})")
        out.extend(canonical.split())
    return out


def _strip_army_prefix(words: list[str], notes: list[str]) -> list[str]:
    if "pla" in words:
        notes.append("ignored the parent 'PLA'")
        words = [w for w in words if w != "pla"]
    if "army" not in words:
        return words
    for start in range(len(words) - 2):
        if tuple(words[start : start + 3]) == ARMY_PREFIX and len(words) > start + 3:
            notes.append("ignored the parent 'People's Liberation Army'")
            begin = start - 1 if start and words[start - 1] == "china" else start
            return words[:begin] + words[start + 3 :]
    return words


def _foreign(text: str) -> bool:
    """Letters of a script other than Latin (Han, Cyrillic, Arabic ...)."""
    return not text.isascii() and any(
        char.isalpha() and not char.isascii() and not unicodedata.name(char, "").startswith("LATIN")
        for char in text
    )


def derive_acronym(words: list[str]) -> str:
    """Initials of the significant words: 'Harbin Institute of Technology' -> 'hit'."""
    initials = "".join(w[0] for w in words if w not in STOPWORDS and w != "and" and w.isalpha())
    return initials if len(initials) >= 3 else ""


def parse_name(text: str, *, keep_notes: bool = True, correct_typos: bool = True) -> ParsedName:
    """Take a name apart (Latin or any script) into proper, descriptor and type words.

    The index passes keep_notes=False and correct_typos=False: listed names are curated,
    and building 300,000 of them must stay fast.
    """
    folded = fold(text)
    core, qualifiers = split_qualifiers(folded)
    notes = [f"ignored qualifier '{q}'" for q in qualifiers]
    key = "" if core.isascii() else (cjk_key(core) if has_cjk(core) else "")
    latin, translit_notes = to_latin(core)
    notes.extend(translit_notes)
    transliterated = bool(key)
    raw_words = _words(latin.casefold())
    if "'" in core or "’" in core:
        notes.append("ignored apostrophes")
    # Words transliterated from another script are that language's words, not typing mistakes;
    # Latin text with a curly apostrophe or an en dash is still Latin.
    expanded = _expand(raw_words, notes, correct_typos=correct_typos and not _foreign(core))
    words = _strip_army_prefix([w for w in expanded if w != "&"], notes)
    proper: list[str] = []
    descriptors: set[str] = set()
    types: set[str] = set()
    trailing = 0  # proper words after the last institution word: "... Technology Shenzhen"
    for word in words:
        if word in STOPWORDS:
            continue
        if not transliterated and word in TYPE_WORDS:
            types.add(word)
            trailing = 0
        elif not transliterated and word in DESCRIPTOR_WORDS:
            descriptors.add(word)
            trailing = 0
        else:
            proper.append(word)
            trailing += 1
    # Only a name that says something besides its type and its trailing place may lose it.
    if not types or (trailing == len(proper) and not descriptors):
        trailing = 0
    proper_key = conventional_key("".join(proper))
    descriptor_words = tuple(sorted(descriptors))
    type_words = tuple(sorted(types))
    return ParsedName(
        original=text,
        proper=tuple(proper),
        proper_key=proper_key,
        descriptors=_frozen(descriptor_words),
        types=_frozen(type_words),
        signature=f"{proper_key}|{' '.join(descriptor_words)}|{' '.join(type_words)}|{key}",
        qualifiers=qualifiers,
        cjk_key=key,
        transliterated=transliterated,
        acronym="" if transliterated else derive_acronym(words),
        trailing=trailing,
        notes=tuple(notes) if keep_notes else (),
    )


def without_trailing(parsed: ParsedName) -> ParsedName | None:
    """The name without trailing place words ("... of Technology Shenzhen"), if it has any."""
    if not parsed.trailing:
        return None
    proper = parsed.proper[: -parsed.trailing]
    proper_key = "".join(proper)
    dropped = " ".join(parsed.proper[-parsed.trailing :])
    return ParsedName(
        original=parsed.original,
        proper=proper,
        proper_key=proper_key,
        descriptors=parsed.descriptors,
        types=parsed.types,
        signature="|".join(
            [
                proper_key,
                " ".join(sorted(parsed.descriptors)),
                " ".join(sorted(parsed.types)),
                parsed.cjk_key,
            ]
        ),
        qualifiers=(*parsed.qualifiers, dropped),
        acronym=parsed.acronym,
        notes=(*parsed.notes, f"read trailing '{dropped}' as a campus or place"),
    )


@lru_cache(maxsize=1)
def _former_by_signature() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for old, new in FORMER_NAMES.items():
        found.setdefault(parse_name(new).signature, []).append(old)
    return found


def former_names(name: str | ParsedName) -> list[str]:
    """Known former names of an institution whose current name this is."""
    parsed = name if isinstance(name, ParsedName) else parse_name(name)
    return list(_former_by_signature().get(parsed.signature, ()))


def looks_like_acronym(text: str) -> bool:
    """A query such as 'BUAA' or 'NUDT': one short word written in capitals."""
    stripped = text.strip().replace(".", "")
    return 2 <= len(stripped) <= 8 and stripped.isalpha() and stripped.isupper()


_DEPARTMENT = re.compile(
    r"^(the\s+)?((state|national|provincial|ministry|joint|key)\s+)*"
    r"(department|dept|school|college|faculty|division|laborator(y|ies)|lab|labs|centre|center|"
    r"graduate\s+school|section|unit|program|programme|institute)\s+(of|for)\b"
)
_POSTCODE = re.compile(r"\b[a-z]{0,2}\d{3,6}(-\d{3,4})?\b")
_COUNTRIES = frozenset(
    {
        "china", "pr china", "p r china", "prc", "peoples republic of china",
        "people s republic of china", "the peoples republic of china", "mainland china",
        "russia", "russian federation", "iran", "united kingdom", "uk", "usa", "united states",
        "hong kong", "taiwan", "macau", "singapore",
    }
)  # fmt: skip
_COMPANY_TAILS = frozenset({"ltd", "ltd.", "limited", "inc", "inc.", "co", "co.", "llc", "plc"})


def _split_commas(text: str) -> list[str]:
    """Comma-separated parts, keeping brackets and a company's ", Ltd." with their part."""
    parts, depth, current = [], 0, []
    for char in text:
        if char in "([（【":
            depth += 1
        elif char in ")]）】":
            depth = max(0, depth - 1)
        if char in ",，;；" and not depth:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    parts.append("".join(current).strip())
    merged: list[str] = []
    for part in parts:
        first = part.casefold().split(" ", 1)[0]
        if merged and (part.casefold() in _COMPANY_TAILS or first in _COMPANY_TAILS):
            merged[-1] = f"{merged[-1]}, {part}"
        elif part:
            merged.append(part)
    return merged


def affiliation_parts(text: str) -> list[tuple[str, str]]:
    """A paper- or form-style affiliation taken apart: (role, text) for each comma part.

    Roles: "department" (department, school, laboratory ... of), "postcode", "country",
    "city" (a short part without institution words) and "institution". A text without
    commas is not an affiliation: the empty list.
    """
    parts = _split_commas(text)
    if len(parts) < 2:
        return []
    out = []
    for part in parts:
        folded = fold(part)
        plain = " ".join(_words(_POSTCODE.sub(" ", folded)))
        words = plain.split()
        if not words:
            out.append(("postcode", part))
        elif plain in _COUNTRIES or plain.replace(" ", "") in {"prchina", "prc"}:
            out.append(("country", part))
        elif _DEPARTMENT.match(folded) and not has_cjk(part):
            out.append(("department", part))
        elif len(words) <= 2 and not set(words) & VOCABULARY and not has_cjk(part):
            out.append(("city", part))
        else:
            out.append(("institution", part))
    return out


_CAMPUS_WORDS = frozenset({"campus", "branch", "graduate", "school", "shi", "city"})


def qualifier_keys(parsed: ParsedName) -> frozenset[str]:
    """The places and campuses a name's qualifiers name, comparable across scripts."""
    keys = set()
    for qualifier in parsed.qualifiers:
        latin, _ = to_latin(fold(qualifier))
        words = [w for w in _words(latin.casefold()) if w not in _CAMPUS_WORDS]
        key = "".join(words)
        if key in _COMPANY_TAILS or any(w in _COMPANY_TAILS for w in words):
            continue
        if key and key not in _COUNTRIES and " ".join(words) not in _COUNTRIES:
            keys.add(key)
    return frozenset(keys)
