"""Pure helpers for watchlist entries: validating imported rows and fingerprinting them."""

import hashlib
import json
import re
from collections.abc import Iterable

from assessments.models.watchlists import EntryKind, RiskLevel

NAME_MAX = 500
ID_MAX = 200
URL_MAX = 1000
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_RISK_WORDS = {
    "very high": RiskLevel.VERY_HIGH,
    "very_high": RiskLevel.VERY_HIGH,
    "very-high": RiskLevel.VERY_HIGH,
    "high": RiskLevel.HIGH,
    "medium": RiskLevel.MEDIUM,
    "moderate": RiskLevel.MEDIUM,
    "low": RiskLevel.LOW,
    "listed": RiskLevel.LISTED,
}


class RowError(ValueError):
    """A row that cannot become an entry; the message names the row and the problem."""


# Keys written in sorted order by hand: the same canonical JSON as sort_keys=True, faster.
_CANONICAL = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def entry_fingerprint(row) -> str:
    """SHA-256 of the screening-relevant fields: name, sorted aliases, country, risk, categories.

    The canonical form is the JSON object {"aliases", "categories", "country", "name",
    "risk_level"} with sorted keys and lists, no spaces, UTF-8. Works on a cleaned row dict
    or a WatchlistEntry; a dismissed match is asked again when this changes.
    """
    get = row.get if isinstance(row, dict) else lambda key: getattr(row, key)
    canonical = {
        "aliases": sorted(get("aliases") or []),
        "categories": sorted(get("categories") or []),
        "country": get("country") or "",
        "name": get("name"),
        "risk_level": get("risk_level") or "",
    }
    return hashlib.sha256(_CANONICAL.encode(canonical).encode()).hexdigest()


def risk_level_parse(value: str) -> str:
    """Read a risk level written as a code or a label ("Very high risk", "very_high"); "" stays ""."""
    text = (value or "").strip().lower()
    if not text:
        return ""
    if text.endswith(" risk"):
        text = text[: -len(" risk")].strip()
    if text in _RISK_WORDS:
        return _RISK_WORDS[text].value
    raise ValueError(f"risk level {value!r} is not one of very high, high, medium, low, listed")


def _texts(values: Iterable | None) -> list[str]:
    """Stripped, non-empty strings in first-seen order, without duplicates."""
    seen: dict[str, None] = {}
    for value in values or ():
        text = str(value).strip()
        if text and text not in seen:
            seen[text] = None
    return list(seen)


def _holds_nul(value) -> bool:
    """Whether a NUL character (or its JSON escape, in raw JSON text) hides anywhere in value."""
    if isinstance(value, str):
        return "\x00" in value or "\\u0000" in value
    if isinstance(value, dict):
        return any(_holds_nul(key) or _holds_nul(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return any(_holds_nul(item) for item in value)
    return False


def row_clean(row: dict, *, position: int, default_risk: str) -> dict:
    """Check one importer row and return the entry fields, or raise RowError naming the row."""
    where = row.get("line") or f"record {position}"
    if _holds_nul(row):
        # PostgreSQL cannot store it, and no real name or note contains one.
        raise RowError(f"{where}: the entry contains a NUL character (byte 0)")
    name = str(row.get("name") or "").strip()
    if not name:
        raise RowError(f"{where}: the entry has no name")
    if len(name) > NAME_MAX:
        raise RowError(f"{where}: the name is longer than {NAME_MAX} characters")
    external_id = str(row.get("external_id") or "").strip() or f"name:{name.casefold()}"
    if len(external_id) > ID_MAX:
        raise RowError(f"{where}: the id is longer than {ID_MAX} characters")
    country = str(row.get("country") or "").strip().upper()
    if country and not _COUNTRY.match(country):
        raise RowError(f"{where}: country {country!r} is not a two-letter ISO code")
    try:
        risk_level = risk_level_parse(str(row.get("risk_level") or "")) or default_risk
    except ValueError as exc:
        raise RowError(f"{where}: {exc}") from None
    kind = str(row.get("kind") or EntryKind.ORGANISATION)
    if kind not in EntryKind.values:
        raise RowError(f"{where}: kind {kind!r} is not one of {', '.join(EntryKind.values)}")
    source_url = str(row.get("source_url") or "").strip()
    if not source_url.startswith(("https://", "http://")) or len(source_url) > URL_MAX:
        source_url = ""
    folded = name.casefold()
    cleaned = {
        "external_id": external_id,
        "name": name,
        "aliases": [alias for alias in _texts(row.get("aliases")) if alias.casefold() != folded],
        "country": country,
        "risk_level": risk_level,
        "categories": _texts(row.get("categories")),
        "notes": str(row.get("notes") or "").strip(),
        "source_url": source_url,
        "kind": kind,
        "raw": row.get("raw") or {},
    }
    if row.get("raw_json"):
        # The text is what gets stored; not keeping the parsed copy halves the memory held.
        cleaned["raw_json"] = row["raw_json"]
        cleaned["raw"] = None
    cleaned["fingerprint"] = entry_fingerprint(cleaned)
    return cleaned
