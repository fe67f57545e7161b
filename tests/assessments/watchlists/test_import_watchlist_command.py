"""`manage.py import_watchlist`: one summary line, and one clear error line on any bad input."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from assessments.models import Watchlist, WatchlistEntry, WatchlistVersion

FIXTURES = Path(__file__).parent / "fixtures"


def import_file(tmp_path, content: bytes, *, fmt="csv", name="data.csv", **options):
    path = tmp_path / name
    path.write_bytes(content)
    return call_command("import_watchlist", str(path), format=fmt, list_name="Internal", **options)


@pytest.fixture
def active(db, tmp_path, capsys):
    call_command("import_watchlist", str(FIXTURES / "ukcn.csv"), format="csv", list_name="Internal")
    capsys.readouterr()
    version = WatchlistVersion.objects.get(status="active")
    return version, sorted(version.entries.values_list("id", "fingerprint"))


def test_it_creates_the_list_and_prints_one_summary_line(db, capsys):
    call_command(
        "import_watchlist",
        str(FIXTURES / "aspi_tracker.csv"),
        format="aspi",
        list_name="ASPI tracker",
        publisher="ASPI",
        blocking=True,
        default_risk="high",
    )
    watchlist = Watchlist.objects.get(name="ASPI tracker")
    assert (watchlist.publisher, watchlist.blocking, watchlist.default_risk_level) == (
        "ASPI",
        True,
        "high",
    )
    version = watchlist.versions.get()
    out = capsys.readouterr().out.strip().splitlines()
    assert out == [
        f"ASPI tracker: 3 rows read, 3 added, 0 removed, 0 changed; version v1 (id {version.pk}) is active"
    ]


def test_a_column_mapping_is_applied(db, capsys):
    call_command(
        "import_watchlist",
        str(FIXTURES / "mapped.csv"),
        format="csv",
        list_name="Mapped",
        map="id=Reference,name=Title,aliases=Also known as,country=Nation",
        separator=";",
    )
    entry = WatchlistEntry.objects.get(external_id="A-1")
    assert entry.aliases == ["哈尔滨工业大学", "HIT"]


def test_a_dry_run_of_a_new_list_saves_nothing(db, capsys):
    call_command(
        "import_watchlist", str(FIXTURES / "ukcn.csv"), format="csv", list_name="New", dry_run=True
    )
    assert "dry run, 3 rows read, 3 added" in capsys.readouterr().out
    assert not Watchlist.objects.exists()


def test_progress_is_reported_on_large_files(db, tmp_path, capsys):
    rows = "".join(f"{i},Institute {i},,,,,,\n" for i in range(25000))
    import_file(
        tmp_path,
        ("id,name,aliases,country,risk_level,categories,notes,source_url\n" + rows).encode(),
    )
    err = capsys.readouterr().err
    assert "parsing: 10000 rows" in err and "writing: 25000 rows" in err


BAD_INPUTS = [
    (
        "wrong encoding",
        "csv",
        "id,name\n1,Universit\xe9 de Test\n".encode("latin-1"),
        "not UTF-8 text",
    ),
    ("missing column", "csv", b"id,title\n1,Alpha\n", "missing required column 'name'"),
    ("malformed JSON", "aspi", b'{"values": [{"value": "A"', "the JSON is malformed"),
    ("malformed JSON lines", "ftm", b'{"id": "a", "schema": "Company"\n', "line 1: not valid JSON"),
    ("empty", "csv", b"", "the file is empty"),
    ("header only", "csv", b"id,name\n", "the file holds no entries"),
    ("row without a name", "csv", b"id,name\n1,Alpha\n2,\n", "row 2: the entry has no name"),
]


@pytest.mark.parametrize(
    ("problem", "fmt", "content", "message"), BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS]
)
def test_bad_input_fails_with_one_line_and_changes_nothing(
    active, tmp_path, problem, fmt, content, message
):
    version, entries = active
    with pytest.raises(CommandError, match=message) as caught:
        import_file(tmp_path, content, fmt=fmt)
    assert "\n" not in str(caught.value)
    version.refresh_from_db()
    assert version.status == WatchlistVersion.Status.ACTIVE
    assert sorted(version.entries.values_list("id", "fingerprint")) == entries
    assert WatchlistVersion.objects.filter(status="failed").count() == 1


def test_a_file_over_the_size_cap_fails_and_changes_nothing(active, tmp_path, settings):
    version, entries = active
    settings.WATCHLIST_MAX_BYTES = 100
    with pytest.raises(CommandError, match="too large"):
        import_file(tmp_path, (FIXTURES / "aspi_tracker.csv").read_bytes(), fmt="aspi")
    version.refresh_from_db()
    assert version.status == "active"
    assert sorted(version.entries.values_list("id", "fingerprint")) == entries


def test_unknown_formats_missing_files_and_users_are_one_line_errors(db, tmp_path):
    with pytest.raises(CommandError, match="unknown format 'xml'"):
        call_command("import_watchlist", "x.xml", format="xml", list_name="L")
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_watchlist", str(tmp_path / "gone.csv"), format="csv", list_name="L")
    with pytest.raises(CommandError, match="no user called 'nobody'"):
        call_command("import_watchlist", "x.csv", format="csv", list_name="L", actor="nobody")
    with pytest.raises(CommandError, match="only https URLs may be fetched"):
        call_command("import_watchlist", "http://example.org/x.csv", format="csv", list_name="L")


@pytest.mark.parametrize(
    ("fmt", "name", "content"),
    [
        ("aspi", "deep.json", b'{"values": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"),
        ("ftm", "deep.json", b"[" * 50_000 + b"]" * 50_000 + b"\n"),
    ],
)
def test_a_deeply_nested_json_file_is_one_error_line(db, tmp_path, fmt, name, content):
    with pytest.raises(CommandError) as failure:
        import_file(tmp_path, content, fmt=fmt, name=name)
    message = str(failure.value)
    assert "nested too deeply" in message
    assert "\n" not in message
