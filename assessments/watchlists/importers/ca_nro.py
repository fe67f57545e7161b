"""Canada's Named Research Organizations page, read with lxml's HTML parser.

The published page (science.gc.ca, dated 2024-04-18) groups entries under alphabetical
headings, each entry written `<li><strong>NAME</strong> (COUNTRY)<p>Known alias(es): A; B</p></li>`.
Lists under country headings (no country in brackets) and a table with a Country column are
read too; a page in none of these shapes is refused, saying what was looked for.
"""

import re

from . import importer_register
from .base import Importer, ImportFormatError, country_code, read_html, text_of

PAGE_URL = (
    "https://science.gc.ca/site/science/en/safeguarding-your-research/guidelines-and-tools-"
    "implement-research-security/sensitive-technology-research-and-affiliations-concern/"
    "named-research-organizations"
)
EXPECTED_SHAPES = (
    "expected entries written <li><strong>NAME</strong> (COUNTRY)</li> (under alphabetical "
    "headings), lists under country headings (China, Iran, Russia, ...), or a table with a "
    "Country column"
)
_ALIAS_MARK = re.compile(r"^\s*known\s+alias(?:\(es\)|es)?\s*:?", re.IGNORECASE)
_BRACKETED = re.compile(r"^\((?P<country>[^()]+)\)")
_SLUG = re.compile(r"[^a-z0-9]+")


def _clean(text: str) -> str:
    return " ".join((text or "").split()).strip(" .;,")


def _split_aliases(text: str) -> list[str]:
    return [_clean(part) for part in re.split(r"[;\n]", text) if _clean(part)]


def _row(*, name: str, country: str, aliases: list[str], where: str, text: str) -> dict:
    return {
        "line": where,
        "external_id": f"{country.lower()}-{_SLUG.sub('-', name.casefold()).strip('-')}",
        "name": name,
        "aliases": aliases,
        "country": country,
        "risk_level": "",
        "categories": ["Named Research Organization"],
        "notes": "",
        "source_url": PAGE_URL,
        "raw": {"name": name, "country": country, "text": text},
    }


def _inside(element, *tags: str) -> bool:
    return any(ancestor.tag in tags for ancestor in element.iterancestors())


def _entry_from_item(item, heading_country: str, number: int) -> dict | None:
    """One `<li>` whose first child is `<strong>NAME</strong>`; None for any other item."""
    strong = item.find("strong")
    if strong is None or item.index(strong) != 0 or _clean(item.text or ""):
        return None
    name = _clean(text_of(strong))
    where = f"entry {number} ({name})"
    bracketed = _BRACKETED.match(_clean(strong.tail or ""))
    if bracketed:
        written = bracketed.group("country")
        country = country_code(written)
        if not country:
            raise ImportFormatError(f"{where}: country {_clean(written)!r} is not recognised")
    elif heading_country:
        country = heading_country
    else:
        raise ImportFormatError(
            f"{where}: no country, neither in brackets after the name nor in a heading above"
        )
    aliases: list[str] = []
    for paragraph in item.findall("p"):
        text = text_of(paragraph)
        if _ALIAS_MARK.match(text):
            aliases += _split_aliases(_ALIAS_MARK.sub("", text))
    for nested in item.findall("ul") + item.findall("ol"):
        aliases += [_clean(text_of(li)) for li in nested.findall("li") if _clean(text_of(li))]
    return _row(name=name, country=country, aliases=aliases, where=where, text=text_of(item))


def _from_items(document) -> list[dict]:
    rows: list[dict] = []
    heading_country = ""
    for element in document.iter("h1", "h2", "h3", "h4", "li"):
        if element.tag != "li":
            # A heading naming a country sets it; any other h1/h2 (an alphabetical letter,
            # "Date modified") clears it, so an entry never takes a country from far above.
            found = country_code(text_of(element))
            if found or element.tag in ("h1", "h2"):
                heading_country = found
            continue
        if _inside(element, "li", "nav", "header", "footer"):
            continue
        row = _entry_from_item(element, heading_country, len(rows) + 1)
        if row:
            rows.append(row)
    return rows


def _from_tables(document) -> list[dict]:
    rows: list[dict] = []
    for table in document.iter("table"):
        lines = list(table.iter("tr"))
        if not lines:
            continue
        header = [_clean(text_of(cell)).casefold() for cell in lines[0] if cell.tag in ("th", "td")]
        if "country" not in header:
            continue
        name_at = next((i for i, h in enumerate(header) if "name" in h or "organi" in h), 0)
        country_at = header.index("country")
        alias_at = next((i for i, h in enumerate(header) if "alias" in h), None)
        for number, line in enumerate(lines[1:], start=1):
            cells = [text_of(cell) for cell in line if cell.tag in ("th", "td")]
            if len(cells) <= max(name_at, country_at):
                continue
            name = _clean(cells[name_at])
            country = country_code(cells[country_at])
            where = f"table row {number} ({name})"
            if not country:
                raise ImportFormatError(
                    f"{where}: country {_clean(cells[country_at])!r} is not recognised"
                )
            aliases = (
                _split_aliases(cells[alias_at])
                if alias_at is not None and alias_at < len(cells)
                else []
            )
            rows.append(
                _row(name=name, country=country, aliases=aliases, where=where, text=" ".join(cells))
            )
    return rows


@importer_register
class CanadaNroImporter(Importer):
    """The Named Research Organizations page: each listed organisation with its country and
    its known aliases."""

    name = "ca-nro"
    label = "Canada: Named Research Organizations (HTML page)"
    formats = ("html",)
    version = "2"

    def parse(self, data: bytes, options: dict):
        document = read_html(data)
        rows = _from_tables(document) or _from_items(document)
        if not rows:
            raise ImportFormatError(f"no organisations found: {EXPECTED_SHAPES}")
        return rows
