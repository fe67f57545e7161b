"""Writing spreadsheet cells safely and streaming tabular exports without holding them in memory."""

import csv
import json
import re
import zipfile
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal
from xml.sax.saxutils import escape

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


# The parts of a minimal workbook (SpreadsheetML): what Excel, LibreOffice, Sheets and openpyxl
# need to open it. Styles: 0 plain, 1 bold (headings), 2 date and time, 3 date.
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_STYLES = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{_MAIN}">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm:ss"/>'
    '<numFmt numFmtId="165" formatCode="yyyy-mm-dd"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
    "</cellStyles></styleSheet>"
)
_EPOCH = datetime(1899, 12, 30)
# Characters XML 1.0 cannot carry at all: dropped from text cells.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: str) -> str:
    return escape(_NOT_XML.sub("", value))


def _cell(ref: str, value, style: int = 0) -> str:
    """One cell's XML, or "" for an empty one."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float | Decimal):
        return f'<c r="{ref}"><v>{value}</v></c>'
    if isinstance(value, datetime):
        serial = (value.replace(tzinfo=None) - _EPOCH).total_seconds() / 86400
        return f'<c r="{ref}" s="2"><v>{serial!r}</v></c>'
    if isinstance(value, date):
        return f'<c r="{ref}" s="3"><v>{(value - _EPOCH.date()).days}</v></c>'
    style_attribute = f' s="{style}"' if style else ""
    return (
        f'<c r="{ref}" t="inlineStr"{style_attribute}><is><t xml:space="preserve">'
        f"{_text(str(value))}</t></is></c>"
    )


def _sheet_write(part, header: list[str], rows: Iterable[Iterable]) -> None:
    from openpyxl.utils import get_column_letter

    letters: list[str] = []

    def refs(width: int, number: int) -> list[str]:
        while len(letters) < width:
            letters.append(get_column_letter(len(letters) + 1))
        return [f"{letter}{number}" for letter in letters[:width]]

    part.write(
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_MAIN}">'
        "<sheetData>".encode()
    )
    cells = "".join(
        _cell(ref, name, 1) for ref, name in zip(refs(len(header), 1), header, strict=True)
    )
    part.write(f'<row r="1">{cells}</row>'.encode())
    chunk = []
    for number, row in enumerate(rows, 2):
        values = [_xlsx_value(value) for value in row]
        cells = "".join(
            _cell(ref, value) for ref, value in zip(refs(len(values), number), values, strict=True)
        )
        chunk.append(f'<row r="{number}">{cells}</row>')
        if len(chunk) >= 500:
            part.write("".join(chunk).encode())
            chunk = []
    part.write(("".join(chunk) + "</sheetData></worksheet>").encode())


def write_xlsx(path_or_file, sheets: Iterable[tuple[str, list[str], Iterable[Iterable]]]) -> None:
    """Write sheets of (title, header, rows) as an XLSX workbook in constant memory.

    Each sheet's XML streams straight into the zip, rows as they come, with text inline: no
    cell objects (openpyxl's write-only mode spent two thirds of a 10,000-request export
    building and serialising one object per cell)."""
    with zipfile.ZipFile(
        path_or_file, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6
    ) as zf:
        titles = []
        for index, (title, header, rows) in enumerate(sheets, 1):
            titles.append(title[:31])
            with zf.open(f"xl/worksheets/sheet{index}.xml", "w", force_zip64=True) as part:
                _sheet_write(part, header, rows)
        numbers = range(1, len(titles) + 1)
        zf.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            + "".join(
                f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/'
                'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                for n in numbers
            )
            + "</Types>",
        )
        zf.writestr(
            "_rels/.rels",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Relationships xmlns="{_PACKAGE_RELS}"><Relationship Id="rId1" '
            f'Type="{_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        zf.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<workbook xmlns="{_MAIN}" xmlns:r="{_RELS}"><sheets>'
            + "".join(
                f'<sheet name="{escape(title, {chr(34): "&quot;"})}" sheetId="{n}" r:id="rId{n}"/>'
                for n, title in zip(numbers, titles, strict=True)
            )
            + "</sheets></workbook>",
        )
        zf.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Relationships xmlns="{_PACKAGE_RELS}">'
            + "".join(
                f'<Relationship Id="rId{n}" Type="{_RELS}/worksheet" '
                f'Target="worksheets/sheet{n}.xml"/>'
                for n in numbers
            )
            + f'<Relationship Id="rId{len(titles) + 1}" Type="{_RELS}/styles" '
            'Target="styles.xml"/></Relationships>',
        )
        zf.writestr("xl/styles.xml", _STYLES)


def _xlsx_value(value):
    value = neutralise(value)
    if isinstance(value, datetime) and value.tzinfo is not None:
        # Excel has no time zones: write local wall-clock time, as the office reads it.
        from django.utils import timezone

        return timezone.localtime(value).replace(tzinfo=None)
    return value


def to_json_text(value) -> str:
    return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)
