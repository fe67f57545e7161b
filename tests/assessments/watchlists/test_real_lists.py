"""The real lists shipped in assessments/data/lists, imported through `manage.py import_watchlist`.

Counts and names below were read off the files themselves (see PROVENANCE.md there).
"""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from assessments.models import Watchlist, WatchlistEntry

LISTS = Path(__file__).resolve().parents[3] / "assessments" / "data" / "lists"


def run_import(capsys, filename: str, fmt: str, list_name: str) -> str:
    call_command("import_watchlist", str(LISTS / filename), format=fmt, list_name=list_name)
    return capsys.readouterr().out


def entries(list_name: str) -> dict[str, WatchlistEntry]:
    watchlist = Watchlist.objects.get(name=list_name)
    version = watchlist.versions.get(status="active")
    return {entry.name: entry for entry in version.entries.all()}


def test_canada_nro_page_as_published(db, capsys):
    out = run_import(capsys, "canada-named-research-organizations.html", "ca-nro", "Canada NRO")
    assert "103 rows read, 103 added" in out
    found = entries("Canada NRO")
    assert len(found) == 103
    countries = sorted(entry.country for entry in found.values())
    assert (countries.count("CN"), countries.count("IR"), countries.count("RU")) == (85, 12, 6)
    # "People\u2019s Republic of China" (a curly apostrophe), and three aliases split on ";".
    xian = found["Air Force Xi\u2019an Flight Academy"]
    assert xian.country == "CN"
    assert xian.aliases == [
        "PLA Air Force Xi'an Flight Academy",
        "Air Force Xi'an Flight Academy",
        "Xi'an Flying College of PLA Air Force",
    ]
    assert found["Aerospace Research Institute"].country == "IR"
    assert found["Aerospace Research Institute"].aliases == ["ARI"]
    kharkevich = found[
        "A.A. Kharkevich Institute for Information Transmission Problems, IITP, "
        "Russian Academy of Sciences"
    ]
    assert (kharkevich.country, kharkevich.aliases) == ("RU", [])


def test_canada_nro_with_an_unknown_country_fails_naming_it(db, tmp_path):
    page = (LISTS / "canada-named-research-organizations.html").read_text(encoding="utf-8")
    path = tmp_path / "nro.html"
    path.write_text(page.replace("(Iran)", "(Persia)", 1), encoding="utf-8")
    with pytest.raises(CommandError, match=r"Aerospace Research Institute\): country 'Persia'"):
        call_command("import_watchlist", str(path), format="ca-nro", list_name="Canada NRO")


def test_canada_nro_page_in_another_shape_fails_saying_what_it_looked_for(db, tmp_path):
    path = tmp_path / "nro.html"
    path.write_text("<html><body><ul><li>Academy of Military Science</li></ul></body></html>")
    with pytest.raises(CommandError, match=r"no organisations found: expected entries written"):
        call_command("import_watchlist", str(path), format="ca-nro", list_name="Canada NRO")


def test_aspi_tracker_as_its_misp_galaxy_copy(db, capsys):
    out = run_import(capsys, "aspi-china-defence-universities.misp.json", "aspi", "ASPI")
    assert "159 rows read, 159 added" in out
    # The file has no rating: the summary says so, and which level the entries took.
    assert "carries no risk rating" in out
    assert "all 159 entries take the list's default (Listed)" in out
    found = entries("ASPI")
    assert len(found) == 159
    nudt = found["National University of Defense Technology"]
    assert nudt.external_id == "77afede7-a852-4e25-882f-8caf83f066e1"
    assert nudt.country == "CN"
    assert nudt.risk_level == "listed"
    # The Chinese name from `value` (also in meta.aliases: kept once) and the former name.
    assert nudt.aliases == [
        "中国人民解放军国防科技大学",
        "NUDT",
        "Changsha Institute of Technology",
        "National Key Laboratory for Parallel and Distributed Processing",
        "并行与分布处理国家重点实验室",
        "Hunan Guofang Kei University",
    ]
    assert nudt.categories == ["Military"]
    assert "Supervising agencies: Central Military Commission (CMC)." in nudt.notes
    assert "Topics: Aeronautical and astronautical science and technology;" in nudt.notes
    assert nudt.source_url == (
        "https://unitracker.aspi.org.au/universities/national-university-of-defense-technology"
    )
    assert {entry.country for entry in found.values()} == {"CN"}
