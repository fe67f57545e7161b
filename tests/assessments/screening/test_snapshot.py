"""The screening index is built when a version activates and shared as a snapshot file."""

from io import StringIO

import pytest
from django.core.management import call_command

from assessments.screening import service, snapshot

from .conftest import make_version


def _forget():
    """As a fresh worker starts: nothing held in memory."""
    service._cache.update(version_ids=None, index=None)


def _no_building(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the index was built instead of loaded")

    monkeypatch.setattr(service, "_build_index", refuse)


def test_activation_builds_the_index_and_writes_its_snapshot(aspi, watchlist_rows, settings):
    version = make_version(aspi, watchlist_rows, 2)
    service.rescreen_after_activation(version)
    files = list(settings.SCREENING_INDEX_DIR.glob("index-*.pickle"))
    assert [f.name for f in files] == [snapshot.snapshot_path(service._index_key()).name]


def test_another_worker_loads_the_snapshot_instead_of_building(aspi, monkeypatch):
    service.prepare_screening_index()
    _forget()
    _no_building(monkeypatch)
    (match,) = service.screen_name("Harbin Inst. of Technology")["matches"]
    assert match["entry_id"] == "hit"


def test_a_new_version_is_not_served_from_an_old_snapshot(aspi, watchlist_rows):
    service.prepare_screening_index()
    rows = [r for r in watchlist_rows if r["id"] != "hit"]
    make_version(aspi, rows, 2)
    assert service.screen_name("Harbin Institute of Technology")["matches"] == []


def test_the_master_preloads_the_newest_snapshot_without_the_database(
    aspi, monkeypatch, django_assert_num_queries
):
    service.prepare_screening_index()
    key = service._index_key()
    _forget()
    snapshot._held.update(path=None, mtime=None)
    with django_assert_num_queries(0):
        assert service.preload_screening_index() is True
        assert service.preload_screening_index() is False  # already held: not read again
    assert service._cache["version_ids"] == key
    _no_building(monkeypatch)
    assert service.screen_name("Beihang University")["matches"]


def test_a_damaged_snapshot_is_ignored_and_rebuilt(aspi, settings):
    path = snapshot.snapshot_path(service._index_key())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"not a pickle")
    assert service.screen_name("Beihang University")["matches"]
    assert snapshot.load(service._index_key()) is not None  # written again, whole


def test_old_snapshots_are_pruned(aspi, watchlist_rows, settings):
    for number in range(2, 2 + snapshot.KEEP + 3):
        make_version(aspi, watchlist_rows, number)
        service.prepare_screening_index()
    assert len(list(settings.SCREENING_INDEX_DIR.glob("index-*.pickle"))) == snapshot.KEEP + 1


def test_the_command_builds_the_index(aspi):
    out = StringIO()
    call_command("screening_index", stdout=out)
    assert "Screening index ready:" in out.getvalue()
    assert snapshot.load(service._index_key()) is not None


@pytest.mark.django_db
def test_with_no_lists_the_index_is_empty():
    assert len(service.screening_index()) == 0


def test_an_unwritable_snapshot_directory_does_not_stop_screening(aspi, settings, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    settings.SCREENING_INDEX_DIR = blocker / "screening-index"
    assert service.screen_name("Beihang University")["matches"]


def test_a_snapshot_written_by_other_code_is_not_read(aspi, monkeypatch):
    service.prepare_screening_index()
    key = service._index_key()
    monkeypatch.setattr(snapshot, "_FORMAT", "other code")
    assert snapshot.load(key) is None
