"""ASPI's China Defence Universities Tracker: its CSV list fields or the MISP galaxy JSON copy."""

import re

from . import importer_register
from .base import (
    Importer,
    ImportFormatError,
    frame_records,
    note_add,
    read_csv,
    read_json_list,
)

TRACKER_URL = "https://unitracker.aspi.org.au/"
# "English name (中文名)", half- or full-width brackets: the bracketed part holds at least one CJK character.
_NAME_WITH_CHINESE = re.compile(
    r"^(?P<english>.*?)\s*[(\uff08](?P<chinese>[^()\uff08\uff09]*[\u3400-\u9fff][^()\uff08\uff09]*)[)\uff09]\s*$"
)
_LIST_SPLIT = re.compile(r"\s*(?:;|\||\n)\s*")
_SLUG = re.compile(r"[^a-z0-9]+")


def name_split(value: str) -> tuple[str, str]:
    """("English", "中文") from "English (中文)"; (value, "") when there is no Chinese part."""
    match = _NAME_WITH_CHINESE.match(value.strip())
    if not match or not match.group("english"):
        return value.strip(), ""
    return match.group("english").strip(), match.group("chinese").strip()


def _slug(text: str) -> str:
    return _SLUG.sub("-", text.casefold()).strip("-")


def _items(value: str) -> list[str]:
    return [item for item in _LIST_SPLIT.split(value or "") if item]


def _iso2(value) -> str:
    text = str(value or "").strip()
    return text.upper() if len(text) == 2 and text.isalpha() else ""


def _column(frame, *names: str) -> str | None:
    lowered = {column.casefold(): column for column in frame.columns}
    for name in names:
        if name in lowered:
            return lowered[name]
    return None


@importer_register
class AspiImporter(Importer):
    """The tracker's CSV (title, also known as, kind, risk, security credentials, end-user
    lists, ...) or its MISP galaxy cluster JSON (`values[]`)."""

    name = "aspi"
    label = "ASPI China Defence Universities Tracker (CSV or MISP galaxy JSON)"
    formats = ("csv", "json")
    version = "2"

    def parse(self, data: bytes, options: dict):
        if data.lstrip()[:1] in (b"{", b"["):
            return self._parse_galaxy(data, options)
        return self._parse_csv(data)

    def _parse_csv(self, data: bytes):
        frame = read_csv(data)
        title = _column(frame, "title", "name", "institution")
        if title is None:
            found = ", ".join(frame.columns) or "none"
            raise ImportFormatError(f"missing required column 'Title' (columns found: {found})")
        columns = {
            "chinese": _column(frame, "chinese name", "chinese", "name (chinese)"),
            "aliases": _column(frame, "also known as", "aliases", "aka"),
            "kind": _column(frame, "kind", "categories", "category"),
            "risk": _column(frame, "risk", "risk level", "overall risk"),
            "credentials": _column(frame, "security credentials"),
            "lists": _column(frame, "end-user lists", "end user lists"),
            "notes": _column(frame, "summary", "description", "notes"),
            "url": _column(frame, "url", "link", "source url"),
            "country": _column(frame, "country"),
        }

        def cell(record, key):
            column = columns[key]
            return record[column].strip() if column else ""

        for number, record in frame_records(frame):
            english, chinese = name_split(record[title])
            aliases = ([chinese] if chinese else []) + _items(cell(record, "aliases"))
            if cell(record, "chinese"):
                aliases.insert(0, cell(record, "chinese"))
            url = cell(record, "url")
            yield {
                "line": f"row {number}",
                "external_id": _slug(url.rstrip("/").rsplit("/", 1)[-1]) if url else _slug(english),
                "name": english,
                "aliases": aliases,
                "country": cell(record, "country") or "CN",
                "risk_level": cell(record, "risk"),
                "categories": _items(cell(record, "kind"))
                + _items(cell(record, "credentials"))
                + _items(cell(record, "lists")),
                "notes": cell(record, "notes"),
                "source_url": url or TRACKER_URL,
                "raw": record,
            }

    def _parse_galaxy(self, data: bytes, options: dict):
        """The MISP galaxy cluster as published: `values[]`, each "English (中文)" with `meta`
        aliases, categories, supervising agencies, topics and the tracker page in `refs`."""
        values = read_json_list(data, "values", "a MISP galaxy cluster")
        rated = False
        for number, value in enumerate(values):
            where = f"values[{number}]"
            if not isinstance(value, dict):
                raise ImportFormatError(f"{where}: not an object")
            meta = value.get("meta") or {}
            if not isinstance(meta, dict):
                raise ImportFormatError(f"{where}: 'meta' is not an object")
            english, chinese = name_split(str(value.get("value") or ""))
            refs = _strings(meta, "refs", where)
            risk = str(meta.get("risk") or meta.get("risk_level") or "")
            rated = rated or bool(risk)
            yield {
                "line": where,
                "external_id": value.get("uuid") or _slug(english),
                "name": english,
                "aliases": ([chinese] if chinese else []) + _strings(meta, "aliases", where),
                "country": _iso2(meta.get("country")) or "CN",
                "risk_level": risk,
                "categories": _strings(meta, "categories", where),
                "notes": _galaxy_notes(value, meta, where),
                "source_url": refs[0] if refs else TRACKER_URL,
                "raw": value,
            }
        if not rated:
            note_add(
                options,
                "The MISP copy of ASPI's tracker carries no risk rating (the tracker's own "
                "rating is on its website).",
            )


def _strings(meta: dict, key: str, where: str) -> list[str]:
    """A `meta` list of strings (a single string is taken as a list of one)."""
    value = meta.get(key)
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ImportFormatError(f"{where}: meta '{key}' is not a list of strings")
    return value


def _galaxy_notes(value: dict, meta: dict, where: str) -> str:
    parts = [str(value.get("description") or "").strip()]
    for key, label in (("supervising agencies", "Supervising agencies"), ("topics", "Topics")):
        items = _strings(meta, key, where)
        if items:
            parts.append(f"{label}: {'; '.join(items)}.")
    return "\n\n".join(part for part in parts if part)
