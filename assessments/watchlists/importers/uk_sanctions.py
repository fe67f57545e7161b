"""The UK Sanctions List (FCDO), the single official list of UK sanctions designations since
28 January 2026, in its published XML (`<Designations>`) or 58-column CSV form.

Entities and individuals become entries (individuals as people: kept for screening people,
not screened against partner organisations); ships are skipped and counted. Every name with
its parts and name type, the non-Latin-script names, the regime, the designation and
last-updated dates (as published, placeholders such as dd/mm/1945 included) and the unique id
(e.g. RUS0001) are kept. The format is described in assessments/data/lists/
uk-sanctions-list.FORMAT.md.
"""

import re
from collections import defaultdict
from datetime import date

from . import importer_register
from .base import (
    Importer,
    ImportFormatError,
    country_code,
    frame_records,
    note_add,
    read_csv,
    read_xml,
    require_columns,
)

PUBLICATION_URL = "https://www.gov.uk/government/publications/the-uk-sanctions-list"
NAME_PARTS = ("Name1", "Name2", "Name3", "Name4", "Name5", "Name6")
CSV_NAME_PARTS = ("Name 1", "Name 2", "Name 3", "Name 4", "Name 5", "Name 6")
CSV_REQUIRED = (
    "Last Updated",
    "Unique ID",
    *CSV_NAME_PARTS,
    "Name type",
    "Regime Name",
    "Designation Type",
    "Date Designated",
)
KINDS = {"entity": "organisation", "individual": "person"}
_DATE = re.compile(r"^(?P<day>\d{2}|dd)/(?P<month>\d{2}|mm)/(?P<year>\d{4}|\d{2}yy|yyyy)$")


def date_read(text: str) -> dict:
    """A published dd/mm/yyyy date: the text as written, and the ISO date when it is whole.

    Unknown parts are written as placeholders (dd/mm/1945, dd/09/1958, 00/00/1975,
    15/08/19yy): the text is kept, `iso` is None and `year` is the year when it is known.
    """
    text = " ".join((text or "").split())
    match = _DATE.match(text)
    if not match:
        return {"text": text, "iso": None, "year": None}
    day, month, year = match.group("day"), match.group("month"), match.group("year")
    known_year = int(year) if year.isdigit() else None
    try:
        iso = date(known_year, int(month), int(day)).isoformat() if known_year else None
    except ValueError:  # 00/00/1975, dd/mm/1945: a placeholder, not a date
        iso = None
    return {"text": text, "iso": iso, "year": known_year}


def _clean(text) -> str:
    return " ".join(str(text or "").split())


def _name(parts: list[str]) -> str:
    return " ".join(part for part in (_clean(p) for p in parts) if part)


def _element_dict(element):
    """An XML element as plain data: text for a leaf, {child: value or [values]} otherwise."""
    children = list(element)
    if not children:
        return (element.text or "").strip()
    result: dict = {}
    for child in children:
        value = _element_dict(child)
        if child.tag in result:
            if not isinstance(result[child.tag], list):
                result[child.tag] = [result[child.tag]]
            result[child.tag].append(value)
        else:
            result[child.tag] = value
    return result


def _row(designation: dict, where: str) -> dict:
    """One entry from a designation read from either form."""
    unique_id = designation["unique_id"]
    if not unique_id:
        raise ImportFormatError(f"{where}: the designation has no unique id")
    names = [name for name in designation["names"] if name["name"]]
    primary = [name for name in names if name["type"].casefold() == "primary name"]
    if not names:
        raise ImportFormatError(f"{where} ({unique_id}): the designation has no name")
    main = (primary or names)[0]
    aliases = [name["name"] for name in names if name is not main]
    aliases += [name["name"] for name in designation["non_latin"] if name["name"]]
    kind = KINDS[designation["type"].casefold()]
    countries = designation["nationalities"] if kind == "person" else []
    countries = countries + designation["address_countries"]
    country = next((code for code in map(country_code, countries) if code), "")
    designated = date_read(designation["designated"])
    updated = date_read(designation["last_updated"])
    sanctions = [item for item in map(_clean, designation["sanctions"].split("|")) if item]
    notes = [
        f"UK Sanctions List {unique_id} ({designation['type']}), "
        f"{designation['regime']}; designated {designated['text'] or 'date not given'}, "
        f"last updated {updated['text'] or 'date not given'}.",
    ]
    if sanctions:
        notes.append(f"Sanctions imposed: {', '.join(sanctions)}.")
    if designation["other"]:
        notes.append(designation["other"])
    return {
        "line": where,
        "external_id": unique_id,
        "name": main["name"],
        "aliases": aliases,
        "country": country,
        "risk_level": "",
        "categories": [designation["regime"], *sanctions] if designation["regime"] else sanctions,
        "notes": "\n".join(notes),
        "source_url": PUBLICATION_URL,
        "kind": kind,
        "raw": {
            "unique_id": unique_id,
            "designation_type": designation["type"],
            "regime": designation["regime"],
            "date_designated": designated,
            "last_updated": updated,
            "names": names,
            "non_latin_names": designation["non_latin"],
            "record": designation["record"],
        },
    }


def _rows(designations, options: dict, generated: str = ""):
    """Entries for the designations, ships counted and skipped, with notes for the summary."""
    ships = 0
    unknown: list[str] = []
    for where, designation in designations:
        kind = designation["type"].casefold()
        if kind == "ship":
            ships += 1
            continue
        if kind not in KINDS:
            unknown.append(f"{where}: {designation['type']!r}")
            continue
        yield _row(designation, where)
    if unknown:
        raise ImportFormatError(
            "designation type is not Individual, Entity or Ship: " + "; ".join(unknown[:5])
        )
    if generated:
        note_add(options, f"List generated {generated}.")
    if ships:
        note_add(options, f"{ships} ship{'s' if ships != 1 else ''} skipped (not organisations).")


def _xml_designations(document):
    for number, element in enumerate(document.iter("Designation"), start=1):
        where = f"designation {number}"

        def text(path: str, node=element) -> str:
            found = node.find(path)
            return _clean(found.text) if found is not None else ""

        names = []
        for name in element.iterfind("Names/Name"):
            parts = [text(part, name) for part in NAME_PARTS]
            names.append(
                {
                    "name": _name(parts),
                    "parts": dict(zip(NAME_PARTS, parts, strict=True)),
                    "type": text("NameType", name),
                    "alias_strength": text("AliasStrength", name),
                }
            )
        non_latin = [
            {
                "name": text("NameNonLatinScript", name),
                "script": text("NonLatinScriptType", name),
                "language": text("NonLatinScriptLanguage", name),
            }
            for name in element.iterfind("NonLatinNames/NonLatinName")
        ]
        yield (
            where,
            {
                "unique_id": text("UniqueID"),
                "type": text("IndividualEntityShip"),
                "names": names,
                "non_latin": non_latin,
                "regime": text("RegimeName"),
                "designated": text("DateDesignated"),
                "last_updated": text("LastUpdated"),
                "sanctions": text("SanctionsImposed"),
                "other": text("OtherInformation"),
                "address_countries": [
                    _clean(c.text) for c in element.iterfind("Addresses/Address/AddressCountry")
                ],
                "nationalities": [
                    _clean(c.text)
                    for c in element.iterfind(
                        "IndividualDetails/Individual/Nationalities/Nationality"
                    )
                ],
                "record": _element_dict(element),
            },
        )


def _unique(values) -> list:
    seen: dict = {}
    for value in values:
        key = repr(value)
        if value and key not in seen:
            seen[key] = value
    return list(seen.values())


def _csv_designations(frame):
    """The CSV writes one row per combination of a designation's repeated values: rows are
    grouped by Unique ID and each repeated value kept once."""
    groups: dict[str, list[tuple[int, dict]]] = defaultdict(list)
    for number, record in frame_records(frame):
        groups[_clean(record["Unique ID"])].append((number, record))
    for unique_id, rows in groups.items():
        first_number, first = rows[0]
        where = f"row {first_number}"
        names = _unique(
            {
                "name": _name([record[part] for part in CSV_NAME_PARTS]),
                "parts": dict(
                    zip(NAME_PARTS, [_clean(record[p]) for p in CSV_NAME_PARTS], strict=True)
                ),
                "type": _clean(record["Name type"]),
                "alias_strength": _clean(record.get("Alias strength", "")),
            }
            for _, record in rows
        )
        non_latin = _unique(
            {
                "name": _clean(record.get("Name non-latin script", "")),
                "script": _clean(record.get("Non-latin script type", "")),
                "language": _clean(record.get("Non-latin script language", "")),
            }
            for _, record in rows
            if _clean(record.get("Name non-latin script", ""))
        )
        yield (
            where,
            {
                "unique_id": unique_id,
                "type": _clean(first["Designation Type"]),
                "names": names,
                "non_latin": non_latin,
                "regime": _clean(first["Regime Name"]),
                "designated": _clean(first["Date Designated"]),
                "last_updated": _clean(first["Last Updated"]),
                "sanctions": _clean(first.get("Sanctions Imposed", "")),
                "other": _clean(first.get("Other Information", "")),
                "address_countries": _unique(
                    _clean(record.get("Address Country", "")) for _, record in rows
                ),
                "nationalities": _unique(
                    _clean(record.get("Nationality(/ies)", "")) for _, record in rows
                ),
                "record": {
                    column: _unique(record[column] for _, record in rows)
                    for column in frame.columns
                },
            },
        )


@importer_register
class UkSanctionsImporter(Importer):
    """The FCDO's UK Sanctions List, XML or CSV, as published."""

    name = "uk-sanctions"
    label = "UK Sanctions List, FCDO (XML or CSV)"
    formats = ("xml", "csv")
    version = "1"
    # A list imported with this format is a sanctions list: dealing with a designated person
    # is prohibited unless licensed, so a confirmed match blocks.
    list_defaults = {
        "publisher": "Foreign, Commonwealth & Development Office (FCDO)",
        "licence": "Open Government Licence v3.0",
        "homepage": PUBLICATION_URL,
        "legal_effect": "prohibited_unless_licensed",
        "blocking": True,
    }

    def parse(self, data: bytes, options: dict):
        if data.lstrip().lstrip(b"\xef\xbb\xbf")[:1] == b"<":
            document = read_xml(data, "Designations", "the UK Sanctions List XML")
            generated = document.find("DateGenerated")
            if document.find("Designation") is None:
                raise ImportFormatError("the XML has no <Designation> elements")
            return _rows(
                _xml_designations(document),
                options,
                _clean(generated.text) if generated is not None else "",
            )
        frame = read_csv(data, header_starts="Last Updated,Unique ID")
        require_columns(frame, CSV_REQUIRED)
        report = data.decode("utf-8-sig", errors="replace").split("\n", 1)[0].strip()
        generated = report.split(":", 1)[1].strip() if report.startswith("Report Date:") else ""
        return _rows(_csv_designations(frame), options, generated)
