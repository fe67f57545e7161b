import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from assessments.models import ScreeningAlert

from .conftest import make_version


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_screen_json_prints_exactly_one_object(aspi):
    output = run("screen", "北京航空航天大学", "--country", "cn", "--json")
    assert output.count("\n") <= 1
    result = json.loads(output)
    assert result["query"] == "北京航空航天大学"
    (match,) = result["matches"]
    assert match["entry_id"] == "beihang"
    assert match["list"] == "ASPI tracker" and match["list_version"] == 1
    assert match["matched_name"] == "北京航空航天大学"
    assert set(match) == {
        "list",
        "list_version",
        "entry_id",
        "name",
        "matched_name",
        "score",
        "risk_level",
        "source_risk_level",
        "risk_set_by_office",
        "categories",
        "explanation",
    }


def test_screen_json_prints_an_empty_list_when_nothing_matches(aspi):
    assert json.loads(run("screen", "University of Edinburgh", "--json")) == {
        "query": "University of Edinburgh",
        "matches": [],
    }


def test_screen_prints_readable_lines_without_json(aspi):
    output = run("screen", "NUDT")
    assert "National University of Defense Technology" in output
    assert "very_high" in output
    assert "No potential match" in run("screen", "University of Oxford")


@pytest.mark.parametrize(
    ("args", "message"), [(["  "], "Give a name"), (["HIT", "--country", "China"], "two-letter")]
)
def test_screen_rejects_bad_input_with_one_line(aspi, args, message):
    with pytest.raises(CommandError, match=message):
        run("screen", *args)


def test_rescreen_reports_what_it_found(aspi, make_request, watchlist_rows):
    make_request("Beihang University")
    make_version(aspi, [r for r in watchlist_rows if r["id"] != "beihang"], 2)
    assert "0 new potential match(es)" in run("rescreen")
    make_version(aspi, watchlist_rows, 3)
    assert "Re-screened 1 request(s): 1 new potential match(es), 1 alert(s) raised." in run(
        "rescreen"
    )
    assert ScreeningAlert.objects.count() == 1


def run_with_err(*args, stdin: str | None = None) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    if stdin is None:
        call_command(*args, stdout=out, stderr=err)
    else:
        import sys

        saved = sys.stdin
        sys.stdin = StringIO(stdin)
        try:
            call_command(*args, stdout=out, stderr=err)
        finally:
            sys.stdin = saved
    return out.getvalue(), err.getvalue()


def test_screen_file_prints_one_json_object_per_row(aspi, tmp_path):
    names = tmp_path / "names.csv"
    names.write_text(
        "organisation,cc\n北京航空航天大學,CN\nUniversity of Edinburgh,GB\n"
        '"School of Automation, Beihang University, Beijing 100191, China",\n',
        "utf-8",
    )
    out, _ = run_with_err(
        "screen", "--file", str(names), "--name-column", "organisation", "--country-column", "cc"
    )
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line["query"] for line in lines] == [
        "北京航空航天大學",
        "University of Edinburgh",
        "School of Automation, Beihang University, Beijing 100191, China",
    ]
    assert lines[0]["matches"][0]["entry_id"] == "beihang"
    assert "partner country CN" in lines[0]["matches"][0]["explanation"]
    assert lines[1]["matches"] == []
    assert lines[2]["matches"][0]["entry_id"] == "beihang"
    assert "institution part 'Beihang University'" in lines[2]["matches"][0]["explanation"]
    # The same shape as a single --json screen.
    assert lines[0] == json.loads(run("screen", "北京航空航天大學", "--country", "CN", "--json"))


def test_screen_file_reads_stdin_and_reports_progress(aspi):
    rows = "name\n" + "NUDT\n" * 100
    out, err = run_with_err("screen", "--file", "-", stdin=rows)
    assert len(out.splitlines()) == 100
    assert "screened 100 names" in err


@pytest.mark.parametrize(
    ("content", "extra", "message"),
    [
        ("title\nX\n", [], "no column 'name'"),
        ("name\nX\n", ["--country-column", "cc"], "no column 'cc'"),
        ("name,cc\nX,China\n", ["--country-column", "cc"], "two-letter"),
    ],
)
def test_screen_file_rejects_bad_files_with_one_line(aspi, tmp_path, content, extra, message):
    names = tmp_path / "names.csv"
    names.write_text(content, "utf-8")
    with pytest.raises(CommandError, match=message):
        run("screen", "--file", str(names), *extra)


def test_screen_file_that_does_not_exist_is_one_line(aspi, tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        run("screen", "--file", str(tmp_path / "missing.csv"))
