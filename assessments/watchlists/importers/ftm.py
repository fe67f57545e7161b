"""FollowTheMoney entities, one JSON object per line, as OpenSanctions publishes its datasets."""

import json

from . import importer_register
from .base import TOO_DEEP, Importer, ImportFormatError, decode_lines

ORGANISATION_SCHEMATA = frozenset({"Organization", "Company", "LegalEntity", "PublicBody"})
# Listed individuals: kept with kind "person", screened against the people on requests.
PERSON_SCHEMATA = frozenset({"Person"})


def _first_country(values: list) -> str:
    # FtM also uses longer codes for places without an ISO code (e.g. "suhh"); those are dropped.
    for value in values:
        text = str(value).strip()
        if len(text) == 2 and text.isalpha():
            return text.upper()
    return ""


@importer_register
class FtmImporter(Importer):
    """Organization, Company, LegalEntity and PublicBody entities, and Person entities (kind
    "person", for screening people), with name, alias, weakAlias, country and topics; other
    schemata (vessels, addresses...) are skipped."""

    name = "ftm"
    label = "FollowTheMoney entities (JSON lines, OpenSanctions)"
    formats = ("json", "jsonl", "ftm.json")
    version = "2"

    def parse(self, data: bytes, options: dict):
        if not data.strip():
            raise ImportFormatError("the file is empty")
        for number, line in decode_lines(data):
            if not line.strip():
                continue
            try:
                entity = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ImportFormatError(
                    f"line {number}: not valid JSON ({exc.msg} at column {exc.colno})"
                ) from None
            except RecursionError:
                raise ImportFormatError(f"line {number}: {TOO_DEEP}") from None
            if not isinstance(entity, dict):
                raise ImportFormatError(f"line {number}: not a JSON object")
            schema = entity.get("schema")
            if schema not in ORGANISATION_SCHEMATA and schema not in PERSON_SCHEMATA:
                continue
            person = schema in PERSON_SCHEMATA
            properties = entity.get("properties") or {}
            names = list(properties.get("name") or [])
            name = names[0] if names else entity.get("caption", "")
            source_urls = properties.get("sourceUrl") or properties.get("website") or []
            yield {
                "line": f"line {number}",
                "external_id": entity.get("id", ""),
                "name": name,
                "aliases": names[1:]
                + list(properties.get("alias") or [])
                + list(properties.get("weakAlias") or []),
                "country": _first_country(
                    list(properties.get("nationality") or [])
                    + list(properties.get("citizenship") or [])
                    + list(properties.get("country") or [])
                    + list(properties.get("jurisdiction") or [])
                ),
                "kind": "person" if person else "organisation",
                "risk_level": "",
                "categories": list(properties.get("topics") or []),
                "notes": "\n".join(properties.get("notes") or []),
                "source_url": source_urls[0] if source_urls else "",
                "raw": entity,
                "raw_json": line,  # the record as published; saves encoding it again
            }
