"""Writing spreadsheet cells safely and streaming tabular exports without holding them in memory."""

import csv
import json
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder

# A cell starting with one of these is read as a formula by Excel, LibreOffice or Sheets.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
UTF8_BOM = "\ufeff"


def neutralise(value):
    """Make a cell value safe for a spreadsheet: text that would run as a formula gets a leading quote.

    Numbers stay numbers (a negative amount is data, not a formula); only text is changed.
    """
    if value is None:
        return ""
    if isinstance(value, bool | int | float | Decimal | date | datetime):
        return value
    text = str(value)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


class _Echo:
    """A file-like object whose write returns what it is given, for streaming csv.writer output."""

    def write(self, value):
        return value


def stream_csv(header: list[str], rows: Iterable[Iterable]) -> Iterator[str]:
    """Yield a CSV export line by line: UTF-8 BOM first so Excel reads the encoding right."""
    writer = csv.writer(_Echo())
    yield UTF8_BOM + writer.writerow(header)
    for row in rows:
        yield writer.writerow([neutralise(value) for value in row])


def stream_json(key: str, rows: Iterable[dict], meta: dict | None = None) -> Iterator[str]:
    """Yield a JSON document `{...meta, key: [rows]}` one row at a time."""
    encoder = DjangoJSONEncoder(ensure_ascii=False)
    head = dict(meta or {})
    opening = encoder.encode(head)[:-1]
    yield (opening + ", " if head else "{") + encoder.encode(key) + ": ["
    first = True
    for row in rows:
        yield ("" if first else ",\n") + encoder.encode(row)
        first = False
    yield "]}\n"


def write_xlsx(path_or_file, sheets: Iterable[tuple[str, list[str], Iterable[Iterable]]]) -> None:
    """Write sheets of (title, header, rows) with openpyxl's write-only mode (constant memory)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title=title[:31])
        header_cells = []
        for name in header:
            cell = WriteOnlyCell(sheet, value=name)
            cell.font = bold
            header_cells.append(cell)
        sheet.append(header_cells)
        for row in rows:
            sheet.append([_xlsx_value(value) for value in row])
    workbook.save(path_or_file)


def _xlsx_value(value):
    value = neutralise(value)
    if isinstance(value, datetime) and value.tzinfo is not None:
        # Excel has no time zones: write local wall-clock time, as the office reads it.
        from django.utils import timezone

        return timezone.localtime(value).replace(tzinfo=None)
    return value


def to_json_text(value) -> str:
    return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)
