"""Each built-in importer reads its fixture, written in the real format's shape."""

from pathlib import Path

import pytest

from assessments.watchlists.importers import (
    Importer,
    ImportFormatError,
    importer_get,
    importers_available,
)
from assessments.watchlists.importers.aspi import name_split
from assessments.watchlists.importers.ukcn_csv import mapping_parse

FIXTURES = Path(__file__).parent / "fixtures"


def parse(fmt, fixture, **options):
    return list(importer_get(fmt).parse((FIXTURES / fixture).read_bytes(), options))


def by_name(rows):
    return {row["name"]: row for row in rows}


def test_the_registry_holds_every_built_in_format():
    assert {"csv", "aspi", "ftm", "csl", "ca-nro"} <= set(importers_available())
    for importer in importers_available().values():
        assert importer.formats and importer.version and importer.label


def test_an_unknown_format_is_refused_with_the_known_ones_listed():
    with pytest.raises(ImportFormatError, match=r"unknown format 'xls'.*aspi, ca-nro, csl, csv"):
        importer_get("xls")


class ReversedNames(Importer):
    name = "reversed"
    label = "Test importer"
    formats = ("txt",)

    def parse(self, data, options):
        for line in data.decode().splitlines():
            yield {"external_id": line, "name": line[::-1]}


def test_an_importer_named_in_the_setting_is_added_without_changing_ukcn(settings):
    settings.UKCN_WATCHLIST_IMPORTERS = [f"{__name__}.ReversedNames"]
    assert importer_get("reversed").parse(b"abc", {}).__next__()["name"] == "cba"


def test_importers_declared_as_entry_points_are_loaded(monkeypatch, settings):
    from assessments.watchlists import importers as registry

    class FakeEntryPoint:
        name = "reversed"

        def load(self):
            return ReversedNames

    monkeypatch.setattr(
        registry,
        "entry_points",
        lambda group: [FakeEntryPoint()] if group == "ukcn.watchlist_importers" else [],
    )
    settings.UKCN_WATCHLIST_IMPORTERS = []  # resets the loaded registry
    assert isinstance(importer_get("reversed"), ReversedNames)
    settings.UKCN_WATCHLIST_IMPORTERS = ["builtins.object"]
    with pytest.raises(TypeError, match="not a named Importer"):
        importer_get("csv")


def test_csv_reads_ukcn_columns_with_pipe_separated_lists():
    rows = by_name(parse("csv", "ukcn.csv"))
    nudt = rows["National University of Defense Technology"]
    assert nudt["external_id"] == "nudt"
    assert nudt["aliases"] == ["国防科技大学", "NUDT"]
    assert nudt["categories"] == ["Military", "PLA"]
    assert nudt["risk_level"] == "very_high"
    assert nudt["raw"]["id"] == "nudt"
    assert rows["Zhejiang University"]["risk_level"] == ""


def test_csv_reads_other_columns_through_a_mapping():
    mapping = mapping_parse("id=Reference,name=Title,aliases=Also known as,country=Nation")
    rows = parse("csv", "mapped.csv", mapping=mapping, separator=";")
    assert rows[0]["external_id"] == "A-1"
    assert rows[0]["name"] == "Harbin Institute of Technology"
    assert rows[0]["aliases"] == ["哈尔滨工业大学", "HIT"]
    assert rows[1]["country"] == "CN"


def test_a_mapping_to_an_unknown_field_is_refused():
    with pytest.raises(ImportFormatError, match="unknown field 'title'"):
        mapping_parse("title=Title")
    with pytest.raises(ImportFormatError, match="not field=Column"):
        mapping_parse("name")


def test_csv_without_a_name_column_names_the_missing_column():
    with pytest.raises(ImportFormatError, match="missing required column 'name'"):
        list(importer_get("csv").parse(b"id,title\n1,Foo\n", {}))


def test_a_chinese_name_in_brackets_is_split_from_the_english_one():
    assert name_split("Beihang University (北京航空航天大学)") == (
        "Beihang University",
        "北京航空航天大学",
    )
    assert name_split("Academy of Military Science \uff08军事科学院\uff09") == (
        "Academy of Military Science",
        "军事科学院",
    )
    assert name_split("Aero Engine Corporation (AECC)") == ("Aero Engine Corporation (AECC)", "")


def test_aspi_reads_the_tracker_csv():
    rows = by_name(parse("aspi", "aspi_tracker.csv"))
    heu = rows["Harbin Engineering University"]
    assert heu["aliases"] == ["哈尔滨工程大学", "HEU", "哈工程"]
    assert heu["risk_level"] == "Very high risk"
    assert heu["categories"] == [
        "Civilian",
        "Seven Sons of National Defence",
        "Secret",
        "US Entity List",
    ]
    assert heu["country"] == "CN"
    assert heu["external_id"] == "harbin-engineering-university"
    assert rows["Tsinghua University"]["risk_level"] == "High risk"


def test_aspi_reads_the_misp_galaxy_json_copy():
    rows = by_name(parse("aspi", "aspi_galaxy.json"))
    beihang = rows["Beihang University"]
    assert beihang["aliases"] == ["北京航空航天大学", "BUAA", "北航"]
    assert beihang["categories"] == ["Civilian", "Seven Sons of National Defence"]
    assert beihang["external_id"] == "6a1e7d3e-1111-4a11-9a11-000000000002"
    assert beihang["source_url"].endswith("/beihang-university")
    assert beihang["raw"]["meta"]["aliases"] == ["BUAA", "北航"]


def test_ftm_reads_organisations_and_people():
    rows = by_name(parse("ftm", "opensanctions.ftm.json"))
    assert set(rows) == {
        "Beijing Institute of Technology",
        "Example Dual Use Co Ltd",
        "Example Ministry Institute",
        "Someone Listed",
    }
    assert rows["Someone Listed"]["kind"] == "person"
    assert rows["Someone Listed"]["country"] == "CN"
    assert rows["Beijing Institute of Technology"]["kind"] == "organisation"
    bit = rows["Beijing Institute of Technology"]
    assert bit["aliases"] == ["北京理工大学", "BIT", "Beijing Polytechnic"]
    assert bit["country"] == "CN"
    assert bit["categories"] == ["export.control"]
    assert bit["external_id"] == "NK-aaa111"
    assert rows["Example Dual Use Co Ltd"]["country"] == "RU"
    assert rows["Example Ministry Institute"]["country"] == "IR"


def test_ftm_names_the_line_of_malformed_json():
    data = (FIXTURES / "opensanctions.ftm.json").read_bytes() + b'{"id": "x", "schema": \n'
    with pytest.raises(ImportFormatError, match="line 5: not valid JSON"):
        list(importer_get("ftm").parse(data, {}))


def test_csl_reads_the_29_column_csv_and_skips_individuals():
    rows = by_name(parse("csl", "csl.csv"))
    assert set(rows) == {
        "Harbin Institute of Technology",
        "Sichuan University",
        "Example Aerospace Industries Organization",
    }
    hit = rows["Harbin Institute of Technology"]
    assert hit["aliases"] == ["HIT", "Harbin Gongye Daxue"]
    assert hit["country"] == "CN"
    assert hit["categories"][0] == "Entity List (EL) - Bureau of Industry and Security"
    assert len(hit["raw"]) == 29
    aio = rows["Example Aerospace Industries Organization"]
    assert aio["categories"][1:] == ["IRAN", "NPWMD"]
    assert aio["country"] == "IR"


def test_csl_reads_the_json_results():
    rows = parse("csl", "csl.json")
    assert [row["name"] for row in rows] == ["Harbin Institute of Technology"]
    assert rows[0]["aliases"] == ["HIT", "Harbin Gongye Daxue"]
    assert rows[0]["country"] == "CN"


def test_ca_nro_reads_names_countries_and_known_aliases():
    rows = by_name(parse("ca-nro", "ca_nro.html"))
    assert set(rows) == {
        "Academy of Military Medical Sciences",
        "National University of Defense Technology",
        "Example Iranian Research Institute",
        "Example Russian Defence Laboratory",
    }
    amms = rows["Academy of Military Medical Sciences"]
    assert amms["aliases"] == ["AMMS", "军事医学科学院", "PLA Academy of Military Medical Sciences"]
    assert amms["country"] == "CN"
    assert rows["Example Iranian Research Institute"]["aliases"] == [
        "EIRI",
        "Example Institute for Research",
    ]
    assert rows["Example Iranian Research Institute"]["country"] == "IR"
    assert rows["Example Russian Defence Laboratory"]["aliases"] == []


def test_ca_nro_reads_a_table_with_a_country_column():
    html = (
        "<table><tr><th>Name</th><th>Country</th><th>Known alias(es)</th></tr>"
        "<tr><td>Academy of Military Medical Sciences</td><td>China</td><td>AMMS; 军事医学科学院</td></tr>"
        "</table>"
    ).encode()
    [row] = importer_get("ca-nro").parse(html, {})
    assert (row["name"], row["country"], row["aliases"]) == (
        "Academy of Military Medical Sciences",
        "CN",
        ["AMMS", "军事医学科学院"],
    )


def test_ca_nro_refuses_a_page_without_the_list():
    with pytest.raises(ImportFormatError, match="no organisations found"):
        importer_get("ca-nro").parse(b"<html><body><p>Moved.</p></body></html>", {})


def test_an_importer_without_parse_cannot_be_made():
    class Unfinished(Importer):
        name = "unfinished"

    with pytest.raises(TypeError, match="parse"):
        Unfinished()
