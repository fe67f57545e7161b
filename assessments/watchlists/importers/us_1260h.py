"""The US Department of Defense's Section 1260H list of "Chinese military companies", as the
CSV OpenSanctions' crawler keeps (`Name, Clean Name, Alias, Previous Name, Parent Name, Note,
Start date, End date, Source Url`).

The CSV has one row per company per edition of the list (2021, 2022, 2024, 2025, 2026): rows
are grouped by the company's clean name. Aliases and previous names become aliases, the
parent company a note; a company whose every row has an end date has been delisted and is
left out (counted in the import summary).
"""

from collections import defaultdict

from . import importer_register
from .base import (
    Importer,
    frame_records,
    note_add,
    read_csv,
    require_columns,
    slug,
    split_list,
)

COLUMNS = (
    "Name",
    "Clean Name",
    "Alias",
    "Previous Name",
    "Parent Name",
    "Note",
    "Start date",
    "End date",
    "Source Url",
)
LIST_URL = "https://www.defense.gov/News/Releases/"
CATEGORY = "Section 1260H: Chinese military company"


def _first_seen(values) -> list[str]:
    return list(dict.fromkeys(value for value in values if value))


def _company(key: str, rows: list[tuple[int, dict]]) -> dict:
    # Latest edition last: its spelling of the name, parent and note are the current ones.
    rows = sorted(rows, key=lambda pair: (pair[1]["Start date"], pair[0]))
    latest = rows[-1][1]
    name = latest["Clean Name"].strip() or latest["Name"].strip()
    aliases = _first_seen(
        [record["Clean Name"].strip() for _, record in rows]
        + [alias for _, record in rows for alias in split_list(record["Alias"], ";")]
        + [alias for _, record in rows for alias in split_list(record["Previous Name"], ";")]
    )
    parents = _first_seen(record["Parent Name"].strip() for _, record in reversed(rows))
    notes = []
    if parents:
        notes.append(f"Parent: {parents[0]}.")
    listed = sorted({record["Start date"] for _, record in rows if record["Start date"]})
    if listed:
        notes.append(f"Listed {', '.join(listed)}.")
    if latest["Note"].strip():
        notes.append(latest["Note"].strip())
    urls = _first_seen(record["Source Url"].strip() for _, record in reversed(rows))
    return {
        "line": f"row {rows[0][0]}",
        "external_id": key,
        "name": name,
        "aliases": [alias for alias in aliases if alias != name],
        # The list is, by statute, of Chinese military companies; it gives no country column.
        "country": "CN",
        "risk_level": "",
        "categories": [CATEGORY],
        "notes": " ".join(notes),
        "source_url": urls[0] if urls else LIST_URL,
        "raw": {
            "parents": parents,
            "rows": [record for _, record in rows],
        },
    }


@importer_register
class Us1260hImporter(Importer):
    """One entry per company still on the list, with every name it has been listed under."""

    name = "us-1260h"
    label = "US DoD Section 1260H Chinese military companies (CSV)"
    formats = ("csv",)
    version = "1"
    list_defaults = {
        "publisher": "US Department of Defense (via OpenSanctions)",
        "licence": "US government work (public domain); OpenSanctions curation",
        "homepage": "https://www.opensanctions.org/datasets/us_dod_chinese_milcorps/",
    }

    def parse(self, data: bytes, options: dict):
        frame = read_csv(data)
        require_columns(frame, COLUMNS)
        companies: dict[str, list[tuple[int, dict]]] = defaultdict(list)
        for number, record in frame_records(frame):
            name = record["Clean Name"].strip() or record["Name"].strip()
            companies[slug(name) or f"row-{number}"].append((number, record))
        delisted = 0
        for key, rows in companies.items():
            if all(record["End date"].strip() for _, record in rows):
                delisted += 1
                continue
            yield _company(key, rows)
        if delisted:
            note_add(
                options,
                f"{delisted} compan{'ies' if delisted != 1 else 'y'} delisted (every listing "
                "has an end date) left out.",
            )
