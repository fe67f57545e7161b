"""The real lists shipped in assessments/data/lists, imported through `manage.py import_watchlist`.

Counts and names below were read off the files themselves (see PROVENANCE.md there).
"""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from assessments.models import LegalEffect, Watchlist, WatchlistEntry
from assessments.watchlists.diff import watchlist_version_diff
from assessments.watchlists.importers.uk_sanctions import date_read

LISTS = Path(__file__).resolve().parents[3] / "assessments" / "data" / "lists"
FIXTURES = Path(__file__).parent / "fixtures"


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


def test_us_1260h_csv_as_shipped(db, capsys):
    out = run_import(capsys, "us-dod-1260h-chinese-military-companies.csv", "us-1260h", "1260H")
    # 397 rows, one per company per edition of the list: 227 companies, 18 of them delisted.
    assert "209 rows read, 209 added" in out
    assert "18 companies delisted (every listing has an end date) left out." in out
    found = entries("1260H")
    assert len(found) == 209
    cetc = found["CETC Cyberspace Security Technology Co., Ltd."]
    assert "Chen Du Westone Information Industry Co., Ltd." in cetc.aliases  # previous name
    assert cetc.country == "CN"
    assert "indirectly owned by SASAC" in cetc.notes
    xian = found["AVIC Xi\u2019an Aircraft Industry Group Company Ltd."]
    assert "Xi\u2019an Aircraft Industry Group Co., Ltd." in xian.aliases  # previous name
    assert "AVIC Xi\u2019an" in xian.aliases  # alias
    assert xian.notes.startswith("Parent: Aviation Industry Corporation of China, Ltd.")
    qihoo = found["360 Security Technology Inc."]
    assert qihoo.aliases == ["Qihoo 360"]
    assert qihoo.source_url.startswith("https://media.defense.gov/2026/Jun/08/")
    # Delisted: every listing of Megvii has an end date.
    assert "Beijing Megvii Technology Co., Ltd." not in found


def test_uk_sanctions_list_xml_excerpts_as_successive_versions(db, capsys):
    out = run_import(capsys, "uk-sanctions-list.sample.xml", "uk-sanctions", "UK Sanctions List")
    assert "29 rows read, 29 added" in out
    assert "List generated 10/06/2026. 1 ship skipped (not organisations)." in out
    watchlist = Watchlist.objects.get(name="UK Sanctions List")
    # The format's defaults: a sanctions list is prohibited unless licensed, and blocks.
    assert watchlist.legal_effect == LegalEffect.PROHIBITED_UNLESS_LICENSED
    assert watchlist.blocking is True
    assert watchlist.publisher == "Foreign, Commonwealth & Development Office (FCDO)"
    first = entries("UK Sanctions List")
    kinds = [entry.kind for entry in first.values()]
    assert (kinds.count("organisation"), kinds.count("person")) == (6, 23)
    kiselyov = first["Dmitry Konstantinovich Kiselyov"]
    assert kiselyov.external_id == "RUS0001"
    assert kiselyov.kind == "person"
    assert kiselyov.country == "RU"
    assert "Dmitrii Konstantinovich Kiselev" in kiselyov.aliases
    assert kiselyov.categories[0] == "The Russia (Sanctions) (EU Exit) Regulations 2019"
    assert kiselyov.raw["date_designated"] == {
        "text": "31/12/2020",
        "iso": "2020-12-31",
        "year": 2020,
    }
    exchange = first["HAJI KHAIRULLAH HAJI SATTAR MONEY EXCHANGE"]
    assert (exchange.external_id, exchange.kind, exchange.country) == (
        "AFG0001",
        "organisation",
        "AF",
    )
    assert "حاجی خيرالله و حاجی ستار صرافی" in exchange.aliases  # the Arabic-script name
    assert exchange.raw["names"][0]["parts"]["Name6"] == exchange.name
    assert exchange.raw["names"][1]["type"] == "Alias"

    out = run_import(
        capsys, "uk-sanctions-list.sample.2026-09-07.xml", "uk-sanctions", "UK Sanctions List"
    )
    assert "9 rows read, 9 added, 29 removed, 0 changed; version v2" in out
    assert "List generated 07/09/2026. 2 ships skipped (not organisations)." in out
    first_version, second_version = watchlist.versions.order_by("number")
    diff = watchlist_version_diff(old=first_version, new=second_version)
    assert (diff.added_count, diff.removed_count, diff.changed_count) == (9, 29, 0)
    kazakov = next(entry for entry in diff.added if entry.external_id == "BEL0174")
    assert kazakov.name == "Pavel Ivanovich KAZAKOV"
    assert kazakov.aliases == [
        "Pavel Ivanavich KAZAKOU",
        "Павел Іванавіч Казакоў",
        "Павел Иванович Казаков",
    ]
    assert [n["language"] for n in kazakov.raw["non_latin_names"]] == ["Belarusian", "Russian"]


def test_the_designation_in_both_excerpts_is_the_same_ship(db):
    """DPR0075 ("Petrel 8") is in both editions; it is a ship, so neither version holds it."""
    first = (LISTS / "uk-sanctions-list.sample.xml").read_text(encoding="utf-8")
    second = (LISTS / "uk-sanctions-list.sample.2026-09-07.xml").read_text(encoding="utf-8")
    assert "<UniqueID>DPR0075</UniqueID>" in first and "<UniqueID>DPR0075</UniqueID>" in second
    assert not WatchlistEntry.objects.filter(external_id="DPR0075").exists()


def test_uk_sanctions_list_csv_constructed_from_the_format_description(db, capsys):
    call_command(
        "import_watchlist",
        str(FIXTURES / "uk_sanctions_list.CONSTRUCTED.csv"),
        format="uk-sanctions",
        list_name="UK Sanctions List (CSV)",
    )
    out = capsys.readouterr().out
    assert "3 rows read, 3 added" in out
    assert "List generated 07-Sep-2026. 1 ship skipped (not organisations)." in out
    found = entries("UK Sanctions List (CSV)")
    stupino = found["JSC STUPINO METALLURGICAL COMPANY"]
    assert stupino.external_id == "RUS3379"
    assert stupino.country == "RU"
    assert "Акционерное общество СМК" in stupino.aliases
    assert stupino.raw["date_designated"]["iso"] == "2026-02-24"
    kazakov = found["Pavel Ivanovich KAZAKOV"]
    assert kazakov.kind == "person"
    assert kazakov.aliases == [
        "Pavel Ivanavich KAZAKOU",
        "Павел Іванавіч Казакоў",
        "Павел Иванович Казаков",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("29/06/2012", {"text": "29/06/2012", "iso": "2012-06-29", "year": 2012}),
        ("dd/mm/1945", {"text": "dd/mm/1945", "iso": None, "year": 1945}),
        ("00/00/1975", {"text": "00/00/1975", "iso": None, "year": 1975}),
        ("15/08/19yy", {"text": "15/08/19yy", "iso": None, "year": None}),
        ("", {"text": "", "iso": None, "year": None}),
    ],
)
def test_uk_dates_keep_placeholders_as_written(text, expected):
    assert date_read(text) == expected


def test_a_uk_file_of_another_shape_is_refused_naming_what_was_expected(db, tmp_path):
    path = tmp_path / "list.xml"
    path.write_text("<?xml version='1.0'?><FinancialSanctionsTargets/>")
    with pytest.raises(
        CommandError, match=r"root element is <FinancialSanctionsTargets>, not <Designations>"
    ):
        call_command("import_watchlist", str(path), format="uk-sanctions", list_name="UK")
    path = tmp_path / "list.csv"
    path.write_text("Name 6,Name 1\nX,Y\n")
    with pytest.raises(CommandError, match=r"no header line starting 'Last Updated,Unique ID'"):
        call_command("import_watchlist", str(path), format="uk-sanctions", list_name="UK")


def test_the_admin_shows_the_legal_effect(admin_user, client, capsys):
    run_import(capsys, "uk-sanctions-list.sample.xml", "uk-sanctions", "UK Sanctions List")
    client.force_login(admin_user)
    page = client.get("/admin/assessments/watchlist/")
    assert b"Prohibited unless licensed" in page.content
    watchlist = Watchlist.objects.get(name="UK Sanctions List")
    form = client.get(f"/admin/assessments/watchlist/{watchlist.pk}/change/")
    assert b'<option value="prohibited_unless_licensed" selected>' in form.content


def test_the_admin_shows_the_diff_between_the_two_uk_editions(admin_user, client, capsys):
    run_import(capsys, "uk-sanctions-list.sample.xml", "uk-sanctions", "UK Sanctions List")
    run_import(
        capsys, "uk-sanctions-list.sample.2026-09-07.xml", "uk-sanctions", "UK Sanctions List"
    )
    watchlist = Watchlist.objects.get(name="UK Sanctions List")
    client.force_login(admin_user)
    page = client.get(f"/admin/assessments/watchlist/{watchlist.pk}/diff/").content.decode()
    assert "v1 → v2: 9 added, 29 removed, 0 changed" in page
    assert "JSC STUPINO METALLURGICAL COMPANY" in page  # added
    assert "Dmitry Konstantinovich Kiselyov" in page  # removed
