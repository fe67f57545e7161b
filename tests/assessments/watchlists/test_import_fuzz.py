"""Fuzzing the importers (through the loader) with random and damaged files.

Whatever the bytes, an import either succeeds or raises the loader's one clear error, and a
failed import leaves the active version and every entry as they were.
"""

from pathlib import Path

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessments.models import Watchlist, WatchlistEntry, WatchlistVersion
from assessments.watchlists.loader import WatchlistImportError, watchlist_import

FIXTURES = Path(__file__).parent / "fixtures"
LISTS = Path(__file__).resolve().parents[3] / "assessments" / "data" / "lists"
# Each built-in format with a valid file of its own kind.
SAMPLES = {
    "aspi": ["aspi_galaxy.json", "aspi_tracker.csv"],
    "ca-nro": ["ca_nro.html", str(LISTS / "canada-named-research-organizations.html")],
    "csl": ["csl.csv", "csl.json"],
    "ftm": ["opensanctions.ftm.json"],
    "csv": ["ukcn.csv"],
    # The real files shipped with ukcn (an absolute path replaces FIXTURES in the join).
    "uk-sanctions": [
        str(LISTS / "uk-sanctions-list.sample.2026-09-07.xml"),
        "uk_sanctions_list.CONSTRUCTED.csv",
    ],
    "us-1260h": [str(LISTS / "us-dod-1260h-chinese-military-companies.csv")],
}
FORMATS = sorted(SAMPLES)
FUZZ = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,  # the same examples every run: `make test` stays reproducible
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@st.composite
def damaged(draw, original: bytes) -> bytes:
    """A valid file cut short, with bytes flipped, junk spliced in, or lines shuffled."""
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["truncate", "flip", "splice", "drop_line", "dup_line"]))
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        if kind == "truncate":
            del data[at:]
        elif kind == "flip":
            data[at] = draw(st.integers(0, 255))
        elif kind == "splice":
            junk = draw(
                st.one_of(
                    st.binary(max_size=16),
                    st.sampled_from(
                        [b'"', b",", b"\n", b"{", b"]", b"\x00", b"\xff\xfe", b"<td>", b"\r"]
                    ),
                    st.text(max_size=8).map(lambda text: text.encode("utf-8")),
                )
            )
            data[at:at] = junk
        else:
            lines = bytes(data).split(b"\n")
            line = draw(st.integers(0, len(lines) - 1))
            if kind == "drop_line":
                del lines[line]
            else:
                lines.insert(line, lines[line])
            data = bytearray(b"\n".join(lines))
    return bytes(data)


def snapshot(watchlist):
    active = WatchlistVersion.objects.filter(watchlist=watchlist, status="active").first()
    return (
        active.pk if active else None,
        active.entries.count() if active else 0,
        WatchlistEntry.objects.count(),
        WatchlistVersion.objects.exclude(status="failed").count(),
    )


def import_or_fail_cleanly(watchlist, fmt, data):
    """Import inside a savepoint rolled back afterwards, so each example starts alike."""
    with transaction.atomic():
        imported = _import_or_fail_cleanly(watchlist, fmt, data)
        transaction.set_rollback(True)
    return imported


def _import_or_fail_cleanly(watchlist, fmt, data):
    before = snapshot(watchlist)
    try:
        watchlist_import(watchlist=watchlist, data=data, source="fuzz", importer=fmt)
    except WatchlistImportError as exc:
        assert str(exc).strip(), "an import error must say what went wrong"
        assert "Traceback" not in str(exc)
        assert snapshot(watchlist) == before, "a failed import changed the watchlist"
        return False
    after = snapshot(watchlist)
    if after[0] != before[0]:
        # A new version went live: it holds exactly the entries it says it read.
        version = WatchlistVersion.objects.get(pk=after[0])
        assert version.entries.count() == version.entry_count
    return True


@pytest.fixture
def watchlist_with_active_version(db):
    made = {}

    def make(fmt):
        # Hypothesis calls this once per example; the list is built once per test.
        if fmt not in made:
            watchlist = Watchlist.objects.create(name=f"Fuzzed {fmt}", format=fmt)
            sample = (FIXTURES / SAMPLES[fmt][0]).read_bytes()
            watchlist_import(watchlist=watchlist, data=sample, source="sample", importer=fmt)
            made[fmt] = watchlist
        return made[fmt]

    return make


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_sample_file_imports(watchlist_with_active_version, fmt):
    watchlist = watchlist_with_active_version(fmt)
    for name in SAMPLES[fmt][1:]:
        assert import_or_fail_cleanly(watchlist, fmt, (FIXTURES / name).read_bytes())
    assert snapshot(watchlist)[1] > 0


@pytest.mark.parametrize("fmt", FORMATS)
@FUZZ
@given(data=st.binary(max_size=2048))
def test_random_bytes_never_crash_an_import_nor_half_write_one(
    watchlist_with_active_version, fmt, data
):
    watchlist = watchlist_with_active_version(fmt)
    import_or_fail_cleanly(watchlist, fmt, data)


@pytest.mark.parametrize("fmt", FORMATS)
@FUZZ
@given(choice=st.data())
def test_damaged_files_never_crash_an_import_nor_half_write_one(
    watchlist_with_active_version, fmt, choice
):
    watchlist = watchlist_with_active_version(fmt)
    sample = choice.draw(st.sampled_from(SAMPLES[fmt]))
    data = choice.draw(damaged((FIXTURES / sample).read_bytes()))
    import_or_fail_cleanly(watchlist, fmt, data)


@FUZZ
@given(text=st.text(max_size=300))
def test_random_text_in_a_ukcn_csv_row_never_crashes_an_import(db, text):
    watchlist, _ = Watchlist.objects.get_or_create(name="Fuzzed rows", format="csv")
    header = "id,name,aliases,country,risk_level,categories,notes,source_url\n"
    import_or_fail_cleanly(
        watchlist, "csv", (header + f"X1,{text},,CN,high,,,\n").encode("utf-8", "surrogatepass")
    )


def test_a_nul_character_in_an_entry_is_refused_with_a_clear_error(db):
    watchlist = Watchlist.objects.create(name="With a NUL", format="csv")
    header = "id,name,aliases,country,risk_level,categories,notes,source_url\n"
    data = (header + "X1,Harbin\x00 Institute,,CN,high,,,\n").encode()
    with pytest.raises(WatchlistImportError, match="NUL character"):
        watchlist_import(watchlist=watchlist, data=data, source="nul.csv", importer="csv")
    assert not WatchlistEntry.objects.filter(version__watchlist=watchlist).exists()
    failed = WatchlistVersion.objects.get(watchlist=watchlist)
    assert failed.status == "failed" and "NUL" in failed.error
