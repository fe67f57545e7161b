"""ukcn's own CSV columns, or any CSV read through a column mapping."""

from . import importer_register
from .base import Importer, ImportFormatError, frame_records, read_csv, require_columns, split_list

FIELDS = ("id", "name", "aliases", "country", "risk_level", "categories", "notes", "source_url")
LIST_FIELDS = ("aliases", "categories")


def mapping_parse(text: str) -> dict[str, str]:
    """Read `name=Title,aliases=Also known as` into {"name": "Title", "aliases": "Also known as"}."""
    mapping = {}
    for pair in (text or "").split(","):
        if not pair.strip():
            continue
        field, sep, column = pair.partition("=")
        field, column = field.strip(), column.strip()
        if not sep or not column:
            raise ImportFormatError(f"column mapping {pair.strip()!r} is not field=Column")
        if field == "external_id":
            field = "id"
        if field not in FIELDS:
            raise ImportFormatError(
                f"column mapping names unknown field {field!r} (fields: {', '.join(FIELDS)})"
            )
        mapping[field] = column
    return mapping


@importer_register
class UkcnCsvImporter(Importer):
    """Columns id,name,aliases,country,risk_level,categories,notes,source_url; lists split by |.

    Options: "mapping" {field: column} for other CSVs, "separator" for the list fields.
    """

    name = "csv"
    label = "CSV (ukcn columns or a column mapping)"
    formats = ("csv",)
    version = "1"

    def parse(self, data: bytes, options: dict):
        mapping = {field: field for field in FIELDS}
        mapping.update(options.get("mapping") or {})
        separator = options.get("separator") or "|"
        frame = read_csv(data)
        require_columns(frame, [mapping["name"]])
        columns = {field: column for field, column in mapping.items() if column in frame.columns}
        for number, record in frame_records(frame):
            row = {field: record[column] for field, column in columns.items()}
            yield {
                "line": f"row {number}",
                "external_id": row.get("id", ""),
                "name": row.get("name", ""),
                "aliases": split_list(row.get("aliases", ""), separator),
                "country": row.get("country", ""),
                "risk_level": row.get("risk_level", ""),
                "categories": split_list(row.get("categories", ""), separator),
                "notes": row.get("notes", ""),
                "source_url": row.get("source_url", ""),
                "raw": record,
            }
