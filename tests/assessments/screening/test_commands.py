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
