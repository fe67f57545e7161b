"""Canada's Named Research Organizations page: names grouped under country headings, each with
its "Known alias(es)"; a table with name, country and alias columns is read too."""

import re
from html.parser import HTMLParser

from . import importer_register
from .base import Importer, ImportFormatError, decode_text

PAGE_URL = (
    "https://science.gc.ca/site/science/en/safeguarding-your-research/guidelines-and-tools-"
    "implement-research-security/sensitive-technology-research-and-affiliations-concern/"
    "named-research-organizations"
)
# The countries the list has named so far, with the spellings the page uses.
COUNTRIES = {
    "china": "CN",
    "people's republic of china": "CN",
    "iran": "IR",
    "islamic republic of iran": "IR",
    "russia": "RU",
    "russian federation": "RU",
    "north korea": "KP",
    "democratic people's republic of korea": "KP",
}
_ALIAS_MARK = re.compile(r"known\s+alias(?:\(es\)|es)?\s*:?", re.IGNORECASE)
_SPACE = re.compile(r"\s+")
_SLUG = re.compile(r"[^a-z0-9]+")
_BLOCK = {"p", "div", "br", "li", "ul", "ol", "tr", "td", "th", "dt", "dd"}


class _Node:
    def __init__(self, tag: str, parent: "_Node | None"):
        self.tag, self.parent, self.children = tag, parent, []

    def text(self) -> str:
        parts = []
        for child in self.children:
            if isinstance(child, str):
                parts.append(child)
            else:
                inner = child.text()
                parts.append(f"\n{inner}\n" if child.tag in _BLOCK else inner)
        return "".join(parts)

    def find(self, *tags: str):
        for child in self.children:
            if isinstance(child, _Node):
                if child.tag in tags:
                    yield child
                yield from child.find(*tags)


class _TreeBuilder(HTMLParser):
    VOID = {"br", "img", "hr", "meta", "link", "input", "wbr", "source"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = _Node("#root", None)
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        node = _Node(tag, self.current)
        self.current.children.append(node)
        if tag not in self.VOID:
            self.current = node

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        if self.current.tag not in ("script", "style"):
            self.current.children.append(data)


def _clean(text: str) -> str:
    return _SPACE.sub(" ", text).strip(" .;,\u00a0")


def _aliases(text: str) -> list[str]:
    return [_clean(part) for part in re.split(r"[;\n]", text) if _clean(part)]


def _country(text: str) -> str | None:
    return COUNTRIES.get(_clean(text).casefold())


def _entry(text: str, country: str, where: str) -> dict:
    parts = _ALIAS_MARK.split(text, maxsplit=1)
    head, tail = parts[0], parts[1] if len(parts) > 1 else ""
    lines = [line for line in head.splitlines() if line.strip()]
    name = _clean(lines[0]) if lines else ""
    return {
        "line": where,
        "external_id": f"{country.lower()}-{_SLUG.sub('-', name.casefold()).strip('-')}",
        "name": name,
        "aliases": _aliases(tail),
        "country": country,
        "risk_level": "",
        "categories": ["Named Research Organization"],
        "notes": "",
        "source_url": PAGE_URL,
        "raw": {"name": name, "country": country, "text": _clean(text)},
    }


def _from_tables(root: _Node):
    for table in root.find("table"):
        rows = list(table.find("tr"))
        if not rows:
            continue
        header = [_clean(cell.text()).casefold() for cell in rows[0].find("th", "td")]
        if "country" not in header:
            continue
        name_at = next((i for i, h in enumerate(header) if "name" in h or "organi" in h), 0)
        country_at = header.index("country")
        alias_at = next((i for i, h in enumerate(header) if "alias" in h), None)
        for number, row in enumerate(rows[1:], start=1):
            cells = [cell.text() for cell in row.find("td", "th")]
            if len(cells) <= max(name_at, country_at):
                continue
            country = _country(cells[country_at]) or ""
            text = cells[name_at]
            if alias_at is not None and alias_at < len(cells):
                text += "\nKnown aliases: " + cells[alias_at]
            yield _entry(text, country, f"table row {number}")


def _from_sections(root: _Node):
    country = None
    number = 0
    for node in root.find("h1", "h2", "h3", "h4", "li"):
        if node.tag != "li":
            heading_country = _country(node.text())
            if heading_country or node.tag in ("h1", "h2"):
                country = heading_country
            continue
        # Entries are top-level list items under a country heading; nested items are aliases.
        if country is None or _inside(node, "li") or _inside(node, "nav"):
            continue
        number += 1
        yield _entry(node.text(), country, f"entry {number}")


def _inside(node: _Node, tag: str) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.tag == tag:
            return True
        parent = parent.parent
    return False


@importer_register
class CanadaNroImporter(Importer):
    """The Named Research Organizations page: each listed organisation with its country (from
    the heading above it) and its known aliases."""

    name = "ca-nro"
    label = "Canada: Named Research Organizations (HTML page)"
    formats = ("html",)
    version = "1"

    def parse(self, data: bytes, options: dict):
        text = decode_text(data)
        if not text.strip():
            raise ImportFormatError("the file is empty")
        builder = _TreeBuilder()
        builder.feed(text)
        builder.close()
        rows = list(_from_tables(builder.root)) or list(_from_sections(builder.root))
        if not rows:
            raise ImportFormatError(
                "no organisations found: expected lists under country headings "
                "(China, Iran, Russia, ...) or a table with a Country column"
            )
        return rows
