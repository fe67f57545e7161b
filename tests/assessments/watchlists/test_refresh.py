"""Scheduled watchlist refresh: a list served by a local HTTP server that changes between runs."""

import datetime as dt
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ValidationError

from assessments.models import (
    AuditEvent,
    Notification,
    NotificationKind,
    Organisation,
    Partner,
    PartnershipRequest,
    RequestStatus,
    ScreeningAlert,
    Watchlist,
    WatchlistImport,
    WatchlistVersion,
)
from assessments.scheduling import JOBS, scheduled_jobs_run
from assessments.screening import service
from assessments.watchlists import refresh
from assessments.watchlists.refresh import (
    watchlist_refresh,
    watchlists_due_for_refresh,
    watchlists_refresh_due,
)
from tests.assessments.notifications.conftest import frozen_clock, london

HEADER = b"id,name,aliases,country,risk_level,categories,notes,source_url\n"
V1 = HEADER + b"nudt,National University of Defense Technology,NUDT,CN,very_high,Military,,\n"
V2 = V1 + b"heu,Harbin Engineering University,HEU,CN,very_high,Seven Sons,,\n"
NOW = london(2026, 11, 29, 10, 5)
HOUR = dt.timedelta(hours=1)
Outcome = Watchlist.CheckOutcome


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        self.server.hits.append(self.path)
        body = self.server.files.get(self.path)
        if body is None:
            self.send_response(404)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.files, httpd.hits = {}, []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    httpd.url = f"http://127.0.0.1:{httpd.server_port}"
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(autouse=True)
def allowed(settings):
    settings.WATCHLIST_ALLOW_HTTP = True
    settings.WATCHLIST_ALLOWED_PRIVATE_HOSTS = ["127.0.0.1"]


@pytest.fixture(autouse=True)
def fresh_index_cache():
    # Ids repeat across rolled-back tests: the screening index cache must not leak between them.
    service._cache.update(version_ids=None, index=None)
    yield
    service._cache.update(version_ids=None, index=None)


@pytest.fixture
def make_list(db, server):
    def make(name="Internal list", path="/list.csv", interval=HOUR, **fields):
        return Watchlist.objects.create(
            name=name,
            format="csv",
            source_url=f"{server.url}{path}",
            refresh_interval=interval,
            **fields,
        )

    return make


@pytest.fixture
def open_request(requester, engineering, reviewer):
    """A request under review by `reviewer` whose partner is on no list yet."""
    request = PartnershipRequest.objects.create(
        reference="PR-2026-0001",
        title="Joint centre for marine engineering",
        summary="Hull design with a partner university.",
        lead_academic="Dr Ada Lovelace",
        collaboration_type="joint_centre",
        work_location="both",
        status=RequestStatus.UNDER_REVIEW,
        department=engineering,
        created_by=requester,
        reviewer=reviewer,
    )
    partner = Organisation.objects.create(name="Harbin Engineering University", country="CN")
    Partner.objects.create(request=request, organisation=partner)
    return request


def run_refresh(moment, capture):
    with capture(execute=True), frozen_clock(moment):
        (result,) = scheduled_jobs_run(only=["refresh_watchlists"])
    return result


def test_refresh_is_a_registered_job_every_fifteen_minutes():
    (job,) = [job for job in JOBS if job.name == "refresh_watchlists"]
    assert job.every == dt.timedelta(minutes=15)


def test_a_list_served_locally_is_imported_checked_then_reimported_and_rescreened(
    server, make_list, open_request, reviewer, requester, django_capture_on_commit_callbacks
):
    watchlist = make_list()
    server.files["/list.csv"] = V1

    first = run_refresh(NOW, django_capture_on_commit_callbacks)
    assert first.outcome == "done"
    assert first.summary == "1 watchlist(s) checked: 1 new version(s), 0 unchanged, 0 failed"
    watchlist.refresh_from_db()
    assert watchlist.last_checked_at == NOW
    assert watchlist.last_check_outcome == Outcome.IMPORTED
    v1 = WatchlistVersion.objects.get(watchlist=watchlist, status=WatchlistVersion.Status.ACTIVE)
    assert (v1.number, v1.entry_count, v1.source) == (1, 1, watchlist.source_url)
    assert not ScreeningAlert.objects.exists()

    # An hour later the same bytes: recorded as checked, audited, no new version.
    second = run_refresh(NOW + HOUR, django_capture_on_commit_callbacks)
    assert second.summary == "1 watchlist(s) checked: 0 new version(s), 1 unchanged, 0 failed"
    watchlist.refresh_from_db()
    assert watchlist.last_checked_at == NOW + HOUR
    assert watchlist.last_check_outcome == Outcome.UNCHANGED
    assert "identical to the active version v1" in watchlist.last_check_message
    assert watchlist.versions.count() == 1
    checked = AuditEvent.objects.get(action="watchlist.checked_unchanged")
    assert checked.object_id == str(watchlist.pk)
    assert checked.changes == {
        "outcome": "unchanged",
        "source_url": watchlist.source_url,
        "version": 1,
    }

    # The publisher adds the partner: the next run imports v2 and re-screening raises an alert.
    server.files["/list.csv"] = V2
    third = run_refresh(NOW + 2 * HOUR, django_capture_on_commit_callbacks)
    assert third.summary == "1 watchlist(s) checked: 1 new version(s), 0 unchanged, 0 failed"
    statuses = dict(watchlist.versions.values_list("number", "status"))
    assert statuses == {1: "superseded", 2: "active"}
    assert watchlist.versions.get(number=2).added_count == 1
    alert = ScreeningAlert.objects.get(request=open_request)
    assert alert.kind == ScreeningAlert.Kind.NEW_MATCH
    assert "Harbin Engineering University" in alert.message
    told = Notification.objects.filter(kind=NotificationKind.RESCREENING_ALERT)
    assert set(told.values_list("recipient__username", flat=True)) == {reviewer.username}
    assert AuditEvent.objects.filter(action="watchlist.refreshed").count() == 2
    assert server.hits == ["/list.csv"] * 3


def test_a_list_is_not_fetched_again_before_its_interval_has_passed(
    server, make_list, django_capture_on_commit_callbacks
):
    watchlist = make_list()
    server.files["/list.csv"] = V1
    run_refresh(NOW, django_capture_on_commit_callbacks)
    early = run_refresh(NOW + dt.timedelta(minutes=45), django_capture_on_commit_callbacks)
    assert early.summary == "0 watchlist(s) checked: 0 new version(s), 0 unchanged, 0 failed"
    assert server.hits == ["/list.csv"]
    assert watchlists_due_for_refresh(now=NOW + HOUR) == [watchlist]


def test_lists_without_an_interval_a_url_or_activity_are_never_fetched(server, make_list):
    make_list("No interval", interval=None)
    make_list("Inactive", is_active=False)
    Watchlist.objects.create(name="No URL", format="csv", refresh_interval=HOUR)
    assert watchlists_refresh_due(now=NOW) == []
    assert server.hits == []


def test_a_failing_url_is_recorded_and_does_not_stop_the_other_lists(
    server, make_list, django_capture_on_commit_callbacks
):
    broken = make_list("A broken link", path="/moved.csv")
    working = make_list("B working list")
    server.files["/list.csv"] = V1

    result = run_refresh(NOW, django_capture_on_commit_callbacks)

    assert result.summary == "2 watchlist(s) checked: 1 new version(s), 0 unchanged, 1 failed"
    broken.refresh_from_db()
    assert broken.last_check_outcome == Outcome.FAILED
    assert broken.last_checked_at == NOW
    assert broken.last_check_message == f"{server.url}/moved.csv answered HTTP 404"
    assert not broken.versions.exists()
    event = AuditEvent.objects.get(action="watchlist.refresh_failed")
    assert event.object_id == str(broken.pk)
    assert "answered HTTP 404" in event.summary
    assert working.versions.get().status == WatchlistVersion.Status.ACTIVE


def test_a_bad_file_fails_the_refresh_and_leaves_the_active_version_untouched(
    server, make_list, django_capture_on_commit_callbacks
):
    watchlist = make_list()
    server.files["/list.csv"] = V1
    run_refresh(NOW, django_capture_on_commit_callbacks)
    server.files["/list.csv"] = HEADER + b"x1,,,CN,high,,,\n"

    run_refresh(NOW + HOUR, django_capture_on_commit_callbacks)

    watchlist.refresh_from_db()
    assert watchlist.last_check_outcome == Outcome.FAILED
    assert "no name" in watchlist.last_check_message
    active = watchlist.versions.get(status=WatchlistVersion.Status.ACTIVE)
    assert (active.number, active.entry_count) == (1, 1)
    assert watchlist.versions.get(number=2).status == WatchlistVersion.Status.FAILED
    assert AuditEvent.objects.filter(action="watchlist.refresh_failed").count() == 1

    # The same bad bytes next time: still failed, but no second failed version piles up.
    run_refresh(NOW + 2 * HOUR, django_capture_on_commit_callbacks)
    watchlist.refresh_from_db()
    assert watchlist.last_check_message.startswith("unchanged since the failed import v2: ")
    assert watchlist.versions.count() == 2
    assert AuditEvent.objects.filter(action="watchlist.refresh_failed").count() == 2


def test_a_crash_in_one_list_is_recorded_and_the_next_list_still_refreshes(
    server, make_list, monkeypatch
):
    first = make_list("A list", path="/a.csv")
    second = make_list("B list", path="/b.csv")
    server.files["/a.csv"] = server.files["/b.csv"] = V1
    real_import = refresh.watchlist_import

    def crash_on_first(*, watchlist, **kwargs):
        if watchlist.pk == first.pk:
            raise RuntimeError("importer bug")
        return real_import(watchlist=watchlist, **kwargs)

    monkeypatch.setattr(refresh, "watchlist_import", crash_on_first)
    results = watchlists_refresh_due(now=NOW)
    assert [(r.watchlist.name, r.outcome) for r in results] == [
        ("A list", Outcome.FAILED),
        ("B list", Outcome.IMPORTED),
    ]
    assert results[0].message == "the refresh crashed (RuntimeError)"
    assert second.versions.get().status == WatchlistVersion.Status.ACTIVE


def test_a_list_another_run_started_checking_is_left_to_it(server, make_list):
    watchlist = make_list()
    server.files["/list.csv"] = V1
    stale = Watchlist.objects.get(pk=watchlist.pk)
    Watchlist.objects.filter(pk=watchlist.pk).update(last_checked_at=NOW)  # the other host
    assert watchlist_refresh(watchlist=stale, now=NOW) is None
    assert server.hits == []


def test_a_refresh_interval_needs_a_source_url_and_at_least_fifteen_minutes(db):
    watchlist = Watchlist(name="Internal", format="csv", refresh_interval=HOUR)
    with pytest.raises(ValidationError) as missing:
        watchlist.full_clean()
    assert "source_url" in missing.value.message_dict
    watchlist.source_url = "https://lists.example.org/internal.csv"
    watchlist.refresh_interval = dt.timedelta(minutes=5)
    with pytest.raises(ValidationError) as short:
        watchlist.full_clean()
    assert "refresh_interval" in short.value.message_dict


def test_a_mapped_csv_is_refreshed_with_the_mapping_of_its_last_admin_import(server, make_list):
    watchlist = make_list()
    WatchlistImport.objects.create(
        watchlist=watchlist,
        source=watchlist.source_url,
        url=watchlist.source_url,
        importer="csv",
        options={"mapping": {"id": "Ref", "name": "Title"}},
        status=WatchlistImport.Status.SUCCEEDED,
    )
    server.files["/list.csv"] = b"Ref,Title\nheu,Harbin Engineering University\n"
    (result,) = watchlists_refresh_due(now=NOW)
    assert result.outcome == Outcome.IMPORTED
    entry = result.version.entries.get()
    assert (entry.external_id, entry.name) == ("heu", "Harbin Engineering University")
