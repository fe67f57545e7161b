import csv
import io
import json
import tracemalloc
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from assessments.reports.cells import neutralise, stream_csv, stream_json, write_xlsx

PAYLOADS = [
    '=HYPERLINK("http://evil.example","click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_text_that_would_run_as_a_formula_is_quoted(payload):
    assert neutralise(payload) == "'" + payload


def test_numbers_and_plain_text_are_left_alone():
    assert neutralise(-12.5) == -12.5
    assert neutralise(Decimal("-3")) == Decimal("-3")
    assert neutralise("Tsinghua University 清华大学") == "Tsinghua University 清华大学"
    assert neutralise(None) == ""


def test_csv_starts_with_a_bom_and_neutralises_every_cell():
    text = "".join(stream_csv(["name", "note"], [[p, "ok"] for p in PAYLOADS]))
    assert text.startswith("\ufeffname,note")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert [row[0] for row in rows[1:]] == ["'" + p for p in PAYLOADS]


def test_json_stream_is_one_valid_document():
    text = "".join(stream_json("requests", ({"n": i} for i in range(3)), {"generated": "now"}))
    assert json.loads(text) == {"generated": "now", "requests": [{"n": 0}, {"n": 1}, {"n": 2}]}
    assert json.loads("".join(stream_json("rows", iter([])))) == {"rows": []}


def test_xlsx_cells_are_neutralised_and_sheets_named(tmp_path):
    path = tmp_path / "out.xlsx"
    write_xlsx(path, [("Requests", ["name"], [[p] for p in PAYLOADS]), ("Partners", ["x"], [])])
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["Requests", "Partners"]
    values = [row[0].value for row in workbook["Requests"].iter_rows(min_row=2)]
    # XML turns a carriage return into a line feed on reading; the leading quote is what counts.
    assert all(value.startswith("'") for value in values)
    assert values[:5] == ["'" + p for p in PAYLOADS[:5]]


def test_csv_streaming_memory_does_not_grow_with_row_count():
    def peak(count):
        tracemalloc.start()
        for _ in stream_csv(["a", "b"], ([i, "x" * 50] for i in range(count))):
            pass
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return top

    assert peak(50_000) < 2 * peak(1_000) + 64_000


def test_xlsx_keeps_types_bold_headings_and_drops_what_xml_cannot_carry(tmp_path):
    import datetime as dt
    from decimal import Decimal

    path = tmp_path / "types.xlsx"
    rows = [
        ["Tsinghua 清华 & <Co>", 3, Decimal("12.50"), True, dt.date(2026, 3, 1)],
        ["bell\x07", -2.5, None, False, dt.datetime(2026, 3, 1, 14, 5, 9)],
    ]
    write_xlsx(path, [('Sheet "one"', ["a", "b", "c", "d", "e"], rows)])
    workbook = load_workbook(path)
    sheet = workbook['Sheet "one"']
    assert sheet["A1"].font.b and not sheet["A2"].font.b
    assert list(sheet.values)[1:] == [
        ("Tsinghua 清华 & <Co>", 3, 12.5, True, dt.datetime(2026, 3, 1)),
        ("bell", -2.5, None, False, dt.datetime(2026, 3, 1, 14, 5, 9)),
    ]
