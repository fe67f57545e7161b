"""Sharing: the feed, bundles between two instances, syncing from a peer over HTTP."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from assessments.models import ChecklistItem, Sector
from guidance.feed import FEED_FORMAT_VERSION, feed_document, guidance_import
from guidance.models import GuidanceItem, Status, SyncConflict, Topic
from guidance.services import conflict_resolve


@pytest.fixture
def shared_items(make_item):
    checklist = ChecklistItem.objects.create(
        ref_id="GP-07", group="mitigation", question="Were open sources checked?"
    )
    first = make_item(
        "Open-source checks",
        body="Search **news** and [lists](https://example.org/lists).",
        factors=["watchlist_match"],
        risk_areas=["reputation"],
        countries=["CN"],
        audience=["central_office"],
    )
    first.topics.add(Topic.objects.create(name="Due diligence", slug="due-diligence"))
    first.sectors.add(Sector.objects.get(code="defence"))
    first.checklist_items.add(checklist)
    second = make_item("Travel safety", body="Use a clean laptop.")
    make_item("Internal draft", status=Status.DRAFT)
    make_item("Internal only", share_with_peers=False)
    return first, second


# --- the feed ------------------------------------------------------------------------------


def test_the_feed_refuses_anonymous_readers_without_a_token(client, settings, shared_items):
    settings.GUIDANCE_FEED_TOKENS = ["peer-token-1"]
    for url in (reverse("guidance:feed_json"), reverse("guidance:feed_atom")):
        assert client.get(url).status_code == 401
        assert client.get(url, headers={"authorization": "Bearer wrong"}).status_code == 401
        assert client.get(url, {"token": ""}).status_code == 401


def test_the_feed_accepts_a_peer_token_in_the_header_or_the_query(client, settings, shared_items):
    settings.GUIDANCE_FEED_TOKENS = ["peer-token-1", "peer-token-2"]
    url = reverse("guidance:feed_json")
    assert client.get(url, headers={"authorization": "Bearer peer-token-2"}).status_code == 200
    assert client.get(reverse("guidance:feed_atom"), {"token": "peer-token-1"}).status_code == 200


def test_the_json_feed_lists_only_published_shareable_items_with_a_format_version(
    client, reviewer, shared_items
):
    client.force_login(reviewer)
    document = client.get(reverse("guidance:feed_json")).json()
    assert document["format"] == "ukcn-guidance"
    assert document["format_version"] == FEED_FORMAT_VERSION
    titles = sorted(item["title"] for item in document["items"])
    assert titles == ["Open-source checks", "Travel safety"]
    first = next(item for item in document["items"] if item["title"] == "Open-source checks")
    assert first["checklist_items"] == ["GP-07"]
    assert first["sectors"] == ["defence"]
    assert first["topics"] == ["Due diligence"]
    assert first["source_institution"] == "Test University"


def test_the_atom_feed_lists_published_items(client, reviewer, shared_items):
    client.force_login(reviewer)
    response = client.get(reverse("guidance:feed_atom"))
    assert response["Content-Type"] == "application/atom+xml"
    body = response.content.decode()
    assert "<title>Open-source checks</title>" in body
    assert "Internal draft" not in body
    assert "Internal only" not in body


# --- two instances -------------------------------------------------------------------------


def _become_another_instance(settings, name="Peer University"):
    """Phase two of a round trip: empty guidance tables and a different institution name.

    One test database stands in for two instances: everything the first instance wrote is
    removed before the second imports, so only the bundle carries content across.
    """
    SyncConflict.objects.all().delete()
    GuidanceItem.objects.all().delete()
    Topic.objects.all().delete()
    settings.GUIDANCE_INSTITUTION = name


def test_a_bundle_round_trips_between_two_instances(tmp_path, settings, shared_items, capsys):
    bundle = tmp_path / "bundle.json"
    call_command("export_guidance", str(bundle))
    exported = json.loads(bundle.read_text())
    _become_another_instance(settings)

    call_command("import_guidance", str(bundle))
    assert "2 created" in capsys.readouterr().out
    imported = {item.title: item for item in GuidanceItem.objects.all()}
    assert set(imported) == {"Open-source checks", "Travel safety"}
    first = imported["Open-source checks"]
    assert first.source_institution == "Test University"  # the source institution is kept
    assert first.status == Status.PUBLISHED
    assert list(first.checklist_items.values_list("ref_id", flat=True)) == ["GP-07"]
    assert list(first.sectors.values_list("code", flat=True)) == ["defence"]
    assert first.factors == ["watchlist_match"]
    again = feed_document()
    for before, after in zip(exported["items"], again["items"], strict=True):
        for key in ("ref_id", "source_institution", "title", "body", "topics", "checklist_items"):
            assert before[key] == after[key]

    history_rows = GuidanceItem.history.count()
    call_command("import_guidance", str(bundle))
    assert "0 created, 0 updated, 2 unchanged" in capsys.readouterr().out
    assert GuidanceItem.history.count() == history_rows  # a re-import writes nothing


def test_a_local_edit_is_reported_as_a_conflict_never_overwritten(tmp_path, settings, shared_items):
    document = feed_document()
    _become_another_instance(settings)
    guidance_import(document=document, origin="https://a.example/guidance/feed.json")
    edited = GuidanceItem.objects.get(title="Travel safety")
    edited.body = "Our own advice on laptops."
    edited.save()

    # The first institution then changes both items.
    for item in document["items"]:
        item["body"] += "\n\nUpdated upstream."
    report = guidance_import(document=document, origin="https://a.example/guidance/feed.json")

    assert report.conflicts == ["Test University/T-0002"]
    assert len(report.updated) == 1
    edited.refresh_from_db()
    assert edited.body == "Our own advice on laptops."
    conflict = SyncConflict.objects.get()
    assert conflict.item == edited
    assert conflict.resolution == SyncConflict.Resolution.OPEN
    untouched = GuidanceItem.objects.get(title="Open-source checks")
    assert untouched.body.endswith("Updated upstream.")

    again = guidance_import(document=document, origin="https://a.example/guidance/feed.json")
    assert again.conflicts == ["Test University/T-0002"]
    assert SyncConflict.objects.count() == 1  # listed once, however often it is synced


def test_an_editor_resolves_a_conflict_by_taking_the_incoming_version(
    settings, shared_items, guidance_editor
):
    document = feed_document()
    _become_another_instance(settings)
    guidance_import(document=document, origin="peer")
    item = GuidanceItem.objects.get(title="Travel safety")
    item.title = "Travel safety (local)"
    item.save()
    for raw in document["items"]:
        raw["body"] = "New upstream advice."
    guidance_import(document=document, origin="peer")

    conflict_resolve(conflict=SyncConflict.objects.get(), actor=guidance_editor, take_incoming=True)
    item.refresh_from_db()
    assert item.title == "Travel safety"
    assert item.body == "New upstream advice."
    assert guidance_import(document=document, origin="peer").conflicts == []


def test_keeping_the_local_version_stops_the_same_conflict_coming_back(
    settings, shared_items, guidance_editor
):
    document = feed_document()
    _become_another_instance(settings)
    guidance_import(document=document, origin="peer")
    item = GuidanceItem.objects.get(title="Travel safety")
    item.body = "Ours."
    item.save()
    for raw in document["items"]:
        raw["body"] = "Theirs."
    guidance_import(document=document, origin="peer")
    conflict_resolve(
        conflict=SyncConflict.objects.get(), actor=guidance_editor, take_incoming=False
    )
    report = guidance_import(document=document, origin="peer")
    assert report.conflicts == []
    item.refresh_from_db()
    assert item.body == "Ours."


def test_items_written_here_are_never_overwritten_by_an_import(shared_items):
    document = feed_document()
    for raw in document["items"]:
        raw["title"] = "Hijacked"
    report = guidance_import(document=document, origin="peer")
    assert len(report.skipped) == 2
    assert not GuidanceItem.objects.filter(title="Hijacked").exists()


def test_imports_sanitise_everything_they_bring_in(settings, db):
    document = {
        "format": "ukcn-guidance",
        "format_version": 1,
        "items": [
            {
                "ref_id": "X-1",
                "source_institution": "Peer <b>University</b>",
                "title": "<img src=x onerror=alert(1)>Safe title",
                "summary": "<script>alert(1)</script>Summary",
                "body": "Text <script>alert(1)</script> <a href='javascript:x' onclick='y()'>l</a>",
                "kind": "note",
                "external_url": "javascript:alert(1)",
                "factors": ["dual_use", "made_up_factor"],
            }
        ],
    }
    report = guidance_import(document=document, origin="peer")
    item = GuidanceItem.objects.get()
    assert item.title == "Safe title"
    assert item.summary == "Summary"
    assert item.source_institution == "Peer University"
    assert "<" not in item.body.replace("&lt;", "")
    assert "alert" not in item.body
    assert item.external_url == ""
    assert item.factors == ["dual_use"]
    assert any("made_up_factor" in warning for warning in report.warnings)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"format": "something-else"}, "Not a ukcn guidance feed"),
        ({"format": "ukcn-guidance", "format_version": 99, "items": []}, "not supported"),
        ({"format": "ukcn-guidance", "format_version": 1, "items": "x"}, "no list of items"),
    ],
)
def test_a_bad_bundle_fails_with_one_line_and_changes_nothing(tmp_path, db, document, message):
    bundle = tmp_path / "bad.json"
    bundle.write_text(json.dumps(document))
    with pytest.raises(CommandError, match=message):
        call_command("import_guidance", str(bundle))
    assert not GuidanceItem.objects.exists()


def test_one_bad_item_stops_the_whole_import(tmp_path, db):
    good = {"ref_id": "A", "source_institution": "P", "title": "Good", "kind": "note"}
    bad = {"ref_id": "B", "source_institution": "P", "title": "Bad", "kind": "poem"}
    bundle = tmp_path / "mixed.json"
    bundle.write_text(
        json.dumps({"format": "ukcn-guidance", "format_version": 1, "items": [good, bad]})
    )
    with pytest.raises(CommandError, match="unknown kind"):
        call_command("import_guidance", str(bundle))
    assert not GuidanceItem.objects.exists()


def test_import_guidance_reports_a_missing_or_broken_file(tmp_path, db):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_guidance", str(tmp_path / "absent.json"))
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    with pytest.raises(CommandError, match="is not JSON"):
        call_command("import_guidance", str(broken))


# --- syncing from a peer over real HTTP ----------------------------------------------------


@pytest.fixture
def peer_server():
    """A peer instance's feed served by http.server on 127.0.0.1, in a thread."""
    state = {"body": b"{}", "status": 200, "seen_auth": []}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            state["seen_auth"].append(self.headers.get("Authorization"))
            self.send_response(state["status"])
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(state["body"])))
            self.end_headers()
            self.wfile.write(state["body"])

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state["url"] = f"http://127.0.0.1:{server.server_port}/guidance/feed.json"
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def peer_allowed(settings):
    """The local peer named in the private-hosts allow-list, plain http allowed."""
    settings.WATCHLIST_ALLOW_HTTP = True
    settings.WATCHLIST_ALLOWED_PRIVATE_HOSTS = ["127.0.0.1"]
    return settings


def test_sync_guidance_imports_a_peers_feed_over_http(
    peer_server, peer_allowed, shared_items, capsys
):
    peer_server["body"] = json.dumps(feed_document()).encode()
    _become_another_instance(peer_allowed)
    call_command("sync_guidance", peer_server["url"])
    assert "2 created" in capsys.readouterr().out
    assert set(GuidanceItem.objects.values_list("source_institution", flat=True)) == {
        "Test University"
    }
    call_command("sync_guidance", peer_server["url"])
    assert "2 unchanged" in capsys.readouterr().out


def test_sync_guidance_never_sends_the_token_over_plain_http(peer_server, peer_allowed, db):
    with pytest.raises(CommandError, match="a token is only ever sent over https"):
        call_command("sync_guidance", peer_server["url"], "--token", "peer-token-1")
    assert peer_server["seen_auth"] == []  # nothing was sent at all


def test_sync_guidance_refuses_a_local_peer_not_named_in_the_allow_list(peer_server, settings, db):
    settings.WATCHLIST_ALLOW_HTTP = True
    with pytest.raises(CommandError, match=r"resolves to the internal address 127\.0\.0\.1"):
        call_command("sync_guidance", peer_server["url"])
    assert peer_server["seen_auth"] == []


def test_sync_guidance_explains_http_errors_and_non_json(peer_server, peer_allowed, db):
    peer_server["status"] = 401
    with pytest.raises(CommandError, match="401"):
        call_command("sync_guidance", peer_server["url"])
    peer_server["status"], peer_server["body"] = 200, b"<html>login</html>"
    with pytest.raises(CommandError, match="did not return JSON"):
        call_command("sync_guidance", peer_server["url"])
    with pytest.raises(CommandError, match="not an http"):
        call_command("sync_guidance", "file:///etc/passwd")
    assert not GuidanceItem.objects.exists()


def test_sync_guidance_refuses_deeply_nested_json_in_one_line(peer_server, peer_allowed, db):
    peer_server["body"] = b"[" * 50_000 + b"]" * 50_000
    with pytest.raises(CommandError, match="nested more than 100 levels deep"):
        call_command("sync_guidance", peer_server["url"])
    assert not GuidanceItem.objects.exists()


def test_import_guidance_refuses_a_deeply_nested_bundle_in_one_line(tmp_path, db):
    bundle = tmp_path / "deep.json"
    bundle.write_text('{"format": "ukcn-guidance", "items": ' + "[" * 50_000 + "]" * 50_000 + "}")
    with pytest.raises(CommandError, match=r"deep\.json was refused: The JSON is nested more"):
        call_command("import_guidance", str(bundle))


def test_an_imported_item_edited_here_is_not_passed_on_under_its_sources_name(
    settings, shared_items
):
    document = feed_document()
    _become_another_instance(settings)
    guidance_import(document=document, origin="peer")
    item = GuidanceItem.objects.get(title="Travel safety")
    item.body = "Our own advice."
    item.save()
    assert [raw["title"] for raw in feed_document()["items"]] == ["Open-source checks"]


def test_editors_resolve_conflicts_from_the_admin_list(client, settings, shared_items, make_user):
    document = feed_document()
    _become_another_instance(settings)
    guidance_import(document=document, origin="https://a.example/guidance/feed.json")
    item = GuidanceItem.objects.get(title="Travel safety")
    item.body = "Ours."
    item.save()
    for raw in document["items"]:
        raw["body"] = "Theirs."
    guidance_import(document=document, origin="https://a.example/guidance/feed.json")
    editor = make_user("editor2", "guidance editor", is_staff=True)
    client.force_login(editor)
    changelist = reverse("admin:guidance_syncconflict_changelist")
    page = client.get(changelist, {"resolution__exact": "open"}).content.decode()
    assert "Travel safety" in page
    conflict = SyncConflict.objects.get()
    detail = client.get(reverse("admin:guidance_syncconflict_change", args=[conflict.pk]))
    assert "Theirs." in detail.content.decode() and "Ours." in detail.content.decode()
    client.post(changelist, {"action": "take_incoming", "_selected_action": [conflict.pk]})
    conflict.refresh_from_db()
    item.refresh_from_db()
    assert conflict.resolution == SyncConflict.Resolution.TOOK_INCOMING
    assert conflict.resolved_by == editor
    assert item.body == "Theirs."
