"""What every importer is: a name, the formats it reads, a version, and parse(bytes) -> rows."""

import io
import json
import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator

import lxml.html
import pandas as pd
from lxml import etree

ROW_KEYS = (
    "external_id",
    "name",
    "aliases",
    "country",
    "risk_level",
    "categories",
    "notes",
    "source_url",
    "raw",
)
# Optional: "kind" ("organisation", the default, or "person": kept, not screened against
# partner organisations).


class ImportFormatError(ValueError):
    """The bytes are not what the importer reads; the message says where and why."""


class Importer(ABC):
    """Base class for watchlist importers.

    Subclasses set `name` (the --format value), `label`, `formats` (file kinds accepted,
    e.g. ("csv",)), `version`, and implement `parse`, which yields one dict per entry with
    the keys in ROW_KEYS plus, optionally, "line" (where the row is, for error messages) and
    "raw_json" (the record's JSON text when the importer already holds it, stored as the raw
    record instead of encoding `raw` again).

    An importer with something to tell the person importing (records skipped, a field the
    source does not carry) appends one sentence per fact to `options["notes"]`, a list the
    loader provides; the sentences end up in the import summary and its audit event.
    """

    name: str = ""
    label: str = ""
    formats: tuple[str, ...] = ()
    version: str = "1"
    # Settings a new list imported with this format starts with (publisher, licence, homepage,
    # legal_effect, blocking, default_risk_level) unless the person importing gives others.
    list_defaults: dict = {}

    @abstractmethod
    def parse(self, data: bytes, options: dict) -> Iterable[dict]:
        """Yield one row per entry; raise ImportFormatError saying where the bytes went wrong."""


# Python's JSON parser recurses once per level: a deeply nested file exhausts the stack.
TOO_DEEP = "the JSON is nested too deeply to read"


def decode_text(data: bytes) -> str:
    """UTF-8 text (a byte-order mark is allowed); anything else is refused with the byte offset."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFormatError(
            f"the file is not UTF-8 text (invalid byte at offset {exc.start}); "
            "save it as UTF-8 and try again"
        ) from None


def decode_lines(data: bytes) -> Iterator[tuple[int, str]]:
    """(line number, UTF-8 text of the line) one line at a time, for line-based formats: a
    large file is never held as one decoded string (four bytes a character once it holds a
    CJK name) nor as a list of lines. A byte-order mark is allowed; invalid UTF-8 is refused
    with its byte offset, as decode_text does."""
    offset = 0
    for number, raw in enumerate(io.BytesIO(data), start=1):
        try:
            line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            raise ImportFormatError(
                f"the file is not UTF-8 text (invalid byte at offset {offset + exc.start}); "
                "save it as UTF-8 and try again"
            ) from None
        offset += len(raw)
        yield number, line.rstrip("\r\n")


def read_json_list(data: bytes, key: str, what: str) -> list:
    """The list under `key` in a JSON document, or a clear error naming what was expected."""
    try:
        document = json.loads(decode_text(data))
    except json.JSONDecodeError as exc:
        raise ImportFormatError(
            f"the JSON is malformed: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from None
    except RecursionError:
        raise ImportFormatError(TOO_DEEP) from None
    values = document.get(key) if isinstance(document, dict) else None
    if not isinstance(values, list):
        raise ImportFormatError(f"the JSON has no '{key}' list (not {what})")
    return values


def read_csv(data: bytes, *, header_starts: str = "", search_lines: int = 25) -> pd.DataFrame:
    """A CSV as a table of strings: empty cells are "", nothing is guessed as a number or date.

    `header_starts`: the header is the first line (of the first `search_lines`) starting with
    it, for files that put a title or a report date above the header.
    """
    text = decode_text(data)
    if header_starts:
        lines = text.splitlines(keepends=True)
        at = next(
            (i for i, line in enumerate(lines[:search_lines]) if line.startswith(header_starts)),
            None,
        )
        if at is None:
            raise ImportFormatError(
                f"no header line starting {header_starts!r} in the first {search_lines} lines"
            )
        text = "".join(lines[at:])
    if not text.strip():
        raise ImportFormatError("the file is empty")
    try:
        frame = pd.read_csv(
            io.StringIO(text), dtype=str, keep_default_na=False, na_filter=False, engine="c"
        )
    except pd.errors.EmptyDataError:
        raise ImportFormatError("the file is empty") from None
    except pd.errors.ParserError as exc:
        raise ImportFormatError(f"the CSV is malformed: {exc}") from None
    frame.columns = [str(column).strip() for column in frame.columns]
    return frame


def require_columns(frame: pd.DataFrame, required: Iterable[str]) -> None:
    missing = [column for column in required if column not in frame.columns]
    if missing:
        found = ", ".join(frame.columns) or "none"
        raise ImportFormatError(
            f"missing required column {', '.join(repr(m) for m in missing)} (columns found: {found})"
        )


def split_list(value: str, separator: str) -> list[str]:
    return [item.strip() for item in (value or "").split(separator) if item.strip()]


def frame_records(frame: pd.DataFrame) -> Iterator[tuple[int, dict]]:
    """(data row number counting from 1 after the header, row as a dict) for each row."""
    # Column lists zipped into dicts: to_dict("records") boxes every cell one by one, which
    # took most of the parse time for 100,000 rows.
    columns = list(frame.columns)
    values = [frame[column].tolist() for column in columns]
    for number, cells in enumerate(zip(*values, strict=True), start=1):
        yield number, dict(zip(columns, cells, strict=True))


def read_html(data: bytes):
    """The page as an lxml HTML tree (a forgiving parser, as browsers are); empty is refused."""
    text = decode_text(data)
    if not text.strip():
        raise ImportFormatError("the file is empty")
    try:
        return lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise ImportFormatError(f"the HTML cannot be read: {exc}") from None


# No DTDs, no entity expansion, no network: a list file is data, never instructions to fetch.
_XML_PARSER_OPTIONS = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "huge_tree": False,
    "remove_blank_text": True,
}


def read_xml(data: bytes, root: str, what: str):
    """The document element of an XML file, which must be `root`; errors name line and column."""
    if not data.strip():
        raise ImportFormatError("the file is empty")
    parser = etree.XMLParser(**_XML_PARSER_OPTIONS)
    try:
        document = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (0, 0)
        raise ImportFormatError(
            f"the XML is malformed: {exc.msg} at line {line}, column {column}"
        ) from None
    if etree.QName(document).localname != root:
        raise ImportFormatError(
            f"the XML's root element is <{etree.QName(document).localname}>, not <{root}> "
            f"(not {what})"
        )
    return document


def text_of(element) -> str:
    """An element's whole text with runs of white space collapsed; "" for a missing element."""
    if element is None:
        return ""
    return " ".join("".join(element.itertext()).split())


def note_add(options: dict, sentence: str) -> None:
    """Tell the person importing something about this file (see Importer)."""
    notes = options.get("notes")
    if isinstance(notes, list) and sentence not in notes:
        notes.append(sentence)


# Formal names some publishers use that ISO's short names (django-countries) do not include.
FORMAL_COUNTRY_NAMES = {
    "people's republic of china": "CN",
    "democratic people's republic of korea": "KP",
    "islamic republic of iran": "IR",
}
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})


def country_code(text: str) -> str:
    """The ISO 3166 code for a country name as a publisher writes it, whatever the apostrophe
    ("People\u2019s Republic of China", "Russia", "Iran"); "" when the name is not recognised."""
    from django_countries import countries

    name = " ".join((text or "").split()).strip(" .;,").translate(_APOSTROPHES)
    if not name:
        return ""
    if len(name) == 2 and name.isalpha() and name.upper() in countries:
        return name.upper()
    return FORMAL_COUNTRY_NAMES.get(name.casefold()) or countries.by_name(name) or ""


_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    return _SLUG.sub("-", (text or "").casefold()).strip("-")
