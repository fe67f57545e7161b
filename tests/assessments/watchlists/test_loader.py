"""The shared loader: versions, diff counts, atomic activation, failures that change nothing."""

import json
from pathlib import Path

import pytest

from assessments.models import AuditEvent, RiskLevel, Watchlist, WatchlistEntry, WatchlistVersion
from assessments.watchlists.entries import entry_fingerprint
from assessments.watchlists.importers import Importer
from assessments.watchlists.loader import (
    WatchlistImportError,
    watchlist_import,
    watchlist_version_activate,
)

FIXTURES = Path(__file__).parent / "fixtures"
HEADER = "id,name,aliases,country,risk_level,categories,notes,source_url\n"


@pytest.fixture
def watchlist(db):
    return Watchlist.objects.create(name="Internal list", format="csv")


def run(watchlist, text, **kwargs):
    return watchlist_import(
        watchlist=watchlist,
        data=text.encode() if isinstance(text, str) else text,
        source="list.csv",
        importer=kwargs.pop("importer", "csv"),
        **kwargs,
    )


def test_the_fingerprint_covers_screening_fields_and_ignores_their_order():
    row = {
        "name": "A",
        "aliases": ["x", "y"],
        "country": "CN",
        "risk_level": "high",
        "categories": ["b", "a"],
    }
    same = {**row, "aliases": ["y", "x"], "categories": ["a", "b"], "notes": "ignored"}
    assert entry_fingerprint(row) == entry_fingerprint(same)
    assert len(entry_fingerprint(row)) == 64
    for field, value in [
        ("name", "B"),
        ("aliases", ["x"]),
        ("country", "RU"),
        ("risk_level", "low"),
        ("categories", ["a"]),
    ]:
        assert entry_fingerprint({**row, field: value}) != entry_fingerprint(row), field


def test_an_import_creates_an_active_version_with_its_entries(watchlist, admin_user):
    result = run(watchlist, (FIXTURES / "ukcn.csv").read_bytes(), actor=admin_user)
    version = result.version
    assert version.status == WatchlistVersion.Status.ACTIVE
    assert (version.number, version.entry_count, version.added_count) == (1, 3, 3)
    assert version.created_by == admin_user and version.importer == "csv"
    zju = version.entries.get(external_id="zju")
    assert zju.risk_level == RiskLevel.LISTED  # the list's default
    assert zju.fingerprint == entry_fingerprint(zju)
    assert set(AuditEvent.objects.values_list("action", flat=True)) == {
        "watchlist.imported",
        "watchlist.version_activated",
    }


def test_the_diff_counts_added_removed_and_changed_entries(watchlist):
    run(watchlist, HEADER + "a,Alpha,,CN,high,,,\nb,Beta,,CN,high,,,\nc,Gamma,,CN,high,,,\n")
    result = run(
        watchlist,
        HEADER + "a,Alpha,,CN,high,,a note only,\nb,Beta,,CN,very high,,,\nd,Delta,,,,,,\n",
    )
    assert (result.added, result.removed, result.changed) == (1, 1, 1)
    assert result.rows_read == 3
    first, second = WatchlistVersion.objects.order_by("number")
    assert first.status == WatchlistVersion.Status.SUPERSEDED
    assert second.status == WatchlistVersion.Status.ACTIVE
    assert first.entries.count() == 3  # a superseded version keeps its entries
    assert "1 added, 1 removed, 1 changed" in result.summary()


def test_identical_bytes_create_no_new_version(watchlist):
    data = (FIXTURES / "ukcn.csv").read_bytes()
    first = run(watchlist, data)
    again = run(watchlist, data)
    assert again.unchanged_file and again.version == first.version
    assert WatchlistVersion.objects.count() == 1
    assert "no new version" in again.summary()


def test_a_dry_run_reports_the_diff_and_saves_nothing(watchlist):
    run(watchlist, HEADER + "a,Alpha,,,,,,\n")
    events = AuditEvent.objects.count()
    result = run(watchlist, HEADER + "a,Alpha,,,,,,\nb,Beta,,,,,,\n", dry_run=True)
    assert (result.added, result.version, result.dry_run) == (1, None, True)
    assert WatchlistVersion.objects.count() == 1 and WatchlistEntry.objects.count() == 1
    assert AuditEvent.objects.count() == events


def test_a_failed_import_is_recorded_and_leaves_the_active_version_alone(watchlist):
    good = run(watchlist, HEADER + "a,Alpha,,,,,,\n").version
    with pytest.raises(WatchlistImportError, match="row 2: the entry has no name") as caught:
        run(watchlist, HEADER + "b,Beta,,,,,,\nc,,,,,,,\n")
    failed = caught.value.version
    assert failed.status == WatchlistVersion.Status.FAILED
    assert "row 2: the entry has no name" in failed.error
    assert failed.entries.count() == 0
    good.refresh_from_db()
    assert good.status == WatchlistVersion.Status.ACTIVE
    assert list(good.entries.values_list("name", flat=True)) == ["Alpha"]
    assert AuditEvent.objects.filter(action="watchlist.import_failed").count() == 1


def test_duplicate_ids_bad_countries_and_risk_levels_are_named(watchlist):
    cases = [
        (HEADER + "a,Alpha,,,,,,\na,Again,,,,,,\n", "row 2: id 'a' already used by row 1"),
        (HEADER + "a,Alpha,,China,,,,\n", "row 1: country 'CHINA' is not a two-letter"),
        (HEADER + "a,Alpha,,,severe,,,\n", "row 1: risk level 'severe' is not one of"),
    ]
    for text, message in cases:
        with pytest.raises(WatchlistImportError, match=message):
            run(watchlist, text)


def test_activation_supersedes_the_old_version_before_activating_the_new(watchlist, admin_user):
    old = run(watchlist, HEADER + "a,Alpha,,,,,,\n").version
    new = WatchlistVersion.objects.create(
        watchlist=watchlist,
        number=9,
        source="x",
        sha256="0" * 64,
        importer="csv",
        importer_version="1",
    )
    watchlist_version_activate(version=new, actor=admin_user)
    old.refresh_from_db()
    assert (old.status, new.status) == ("superseded", "active")
    event = AuditEvent.objects.filter(action="watchlist.version_activated").last()
    assert event.changes == {"superseded_versions": [1], "active_version": 9}


@pytest.mark.parametrize(
    ("fmt", "fixture", "entries"),
    [
        ("csv", "ukcn.csv", 3),
        ("aspi", "aspi_tracker.csv", 3),
        ("aspi", "aspi_galaxy.json", 2),
        ("ftm", "opensanctions.ftm.json", 4),  # three organisations and one person
        ("csl", "csl.csv", 3),
        ("csl", "csl.json", 1),
        ("ca-nro", "ca_nro.html", 4),
    ],
)
def test_each_format_imports_its_fixture(watchlist, fmt, fixture, entries):
    result = run(watchlist, (FIXTURES / fixture).read_bytes(), importer=fmt)
    assert result.version.entries.count() == entries
    assert all(entry.country for entry in result.version.entries.all())


def test_aspi_risk_labels_become_risk_levels(watchlist):
    version = run(watchlist, (FIXTURES / "aspi_tracker.csv").read_bytes(), importer="aspi").version
    levels = dict(version.entries.values_list("name", "risk_level"))
    assert levels["National University of Defense Technology"] == RiskLevel.VERY_HIGH
    assert levels["Tsinghua University"] == RiskLevel.HIGH


def test_entries_read_back_with_their_lists_and_raw_record(watchlist):
    fixture = (FIXTURES / "opensanctions.ftm.json").read_bytes()
    version = run(watchlist, fixture, importer="ftm").version
    bit = version.entries.get(external_id="NK-aaa111")
    assert bit.aliases == ["北京理工大学", "BIT", "Beijing Polytechnic"]
    assert bit.categories == ["export.control"]
    assert bit.raw["properties"]["alias"] == ["BIT"]
    assert bit.fingerprint == entry_fingerprint(bit)


def test_a_record_of_the_wrong_shape_is_named_not_a_crash(watchlist):
    data = b'{"values": [{"value": "Alpha University", "meta": ["not", "an", "object"]}]}'
    with pytest.raises(WatchlistImportError, match=r"values\[0\]: 'meta' is not an object"):
        run(watchlist, data, importer="aspi")


class CarelessImporter(Importer):
    """A plug-in that trusts its input: the loader still names the record, not a crash."""

    name = "careless"
    label = "Test importer"
    formats = ("json",)

    def parse(self, data, options):
        for record in json.loads(data):
            yield {"external_id": record["id"], "name": record["meta"].get("name")}


def test_a_plug_in_tripping_on_a_record_is_named_not_a_crash(watchlist, settings):
    settings.UKCN_WATCHLIST_IMPORTERS = [f"{__name__}.CarelessImporter"]
    data = b'[{"id": "a", "meta": {"name": "Alpha"}}, {"id": "b", "meta": ["x"]}]'
    with pytest.raises(
        WatchlistImportError, match=r"record 2: unexpected structure \(AttributeError"
    ):
        run(watchlist, data, importer="careless")
