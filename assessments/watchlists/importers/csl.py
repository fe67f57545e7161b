"""The US Consolidated Screening List, in its own CSV (29 columns) and JSON (`results[]`) forms."""

from . import importer_register
from .base import (
    Importer,
    ImportFormatError,
    frame_records,
    read_csv,
    read_json_list,
    require_columns,
    split_list,
)

# People and vessels are screened elsewhere; partners are organisations.
SKIPPED_TYPES = frozenset({"individual", "vessel", "aircraft"})


def _country_from_address(address: str) -> str:
    # The CSV writes each address as "street, city, state, postal code, country code".
    last = address.rsplit(",", 1)[-1].strip()
    return last.upper() if len(last) == 2 and last.isalpha() else ""


@importer_register
class CslImporter(Importer):
    """Entities from the CSL (people and vessels skipped): alt_names split by "; " into aliases,
    source and programmes as categories, country from the first address."""

    name = "csl"
    label = "US Consolidated Screening List (CSV or JSON)"
    formats = ("csv", "json")
    version = "1"

    def parse(self, data: bytes, options: dict):
        if data.lstrip()[:1] in (b"{", b"["):
            return self._parse_json(data)
        return self._parse_csv(data)

    def _parse_csv(self, data: bytes):
        frame = read_csv(data)
        require_columns(frame, ["name", "source", "type"])
        for number, record in frame_records(frame):
            if record["type"].strip().casefold() in SKIPPED_TYPES:
                continue
            addresses = split_list(record.get("addresses", ""), ";")
            yield {
                "line": f"row {number}",
                "external_id": record.get("_id") or record.get("entity_number") or "",
                "name": record["name"],
                "aliases": split_list(record.get("alt_names", ""), ";"),
                "country": _country_from_address(addresses[0]) if addresses else "",
                "risk_level": "",
                "categories": [record["source"], *split_list(record.get("programs", ""), ";")],
                "notes": record.get("remarks", ""),
                "source_url": record.get("source_information_url")
                or record.get("source_list_url", ""),
                "raw": record,
            }

    def _parse_json(self, data: bytes):
        results = read_json_list(data, "results", "a CSL search result")
        for number, result in enumerate(results):
            if not isinstance(result, dict):
                raise ImportFormatError(f"results[{number}]: not an object")
            if str(result.get("type") or "").casefold() in SKIPPED_TYPES:
                continue
            addresses = result.get("addresses") or []
            country = addresses[0].get("country", "") if addresses else ""
            yield {
                "line": f"results[{number}]",
                "external_id": result.get("id") or result.get("entity_number") or "",
                "name": result.get("name", ""),
                "aliases": list(result.get("alt_names") or []),
                "country": country if len(country or "") == 2 else "",
                "risk_level": "",
                "categories": [result.get("source", ""), *(result.get("programs") or [])],
                "notes": result.get("remarks") or "",
                "source_url": result.get("source_information_url")
                or result.get("source_list_url")
                or "",
                "raw": result,
            }
