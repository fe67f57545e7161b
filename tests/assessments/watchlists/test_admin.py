"""The watchlist admin: import by upload or URL as a background task, versions, diff, search."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from assessments.models import Watchlist, WatchlistImport, WatchlistVersion
from assessments.watchlists.loader import watchlist_import

FIXTURES = Path(__file__).parent / "fixtures"
HEADER = "id,name,aliases,country,risk_level,categories,notes,source_url\n"


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def watchlist(db):
    return Watchlist.objects.create(name="ASPI tracker", format="aspi")


@pytest.fixture
def staff(client, admin_user):
    client.force_login(admin_user)
    return client


def test_an_uploaded_file_is_imported_by_a_task_with_its_progress_recorded(
    staff, watchlist, immediate_tasks
):
    upload = SimpleUploadedFile("tracker.csv", (FIXTURES / "aspi_tracker.csv").read_bytes())
    response = staff.post(
        reverse("admin:assessments_watchlist_import", args=[watchlist.pk]),
        {"file": upload, "format": "aspi", "mapping": ""},
    )
    job = WatchlistImport.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("admin:assessments_watchlistimport_change", args=[job.pk])
    assert job.status == WatchlistImport.Status.SUCCEEDED
    assert (job.stage, job.data, job.task_id != "") == ("done", None, True)
    assert job.version.status == WatchlistVersion.Status.ACTIVE
    assert job.version.entries.count() == 3
    page = staff.get(response.url)
    assert "3 rows read, 3 added" in page.content.decode()


def test_a_failed_background_import_shows_its_error(staff, watchlist, immediate_tasks):
    upload = SimpleUploadedFile("bad.csv", b"Title,Risk\n,High risk\n")
    staff.post(
        reverse("admin:assessments_watchlist_import", args=[watchlist.pk]),
        {"file": upload, "format": "aspi"},
    )
    job = WatchlistImport.objects.get()
    assert job.status == WatchlistImport.Status.FAILED
    assert "row 1: the entry has no name" in job.message


def test_the_database_backend_queues_the_import_until_db_worker_runs_it(
    staff, watchlist, monkeypatch
):
    # The worker drops connections that are not in autocommit; inside this test's wrapping
    # transaction that would be every connection, so the check is switched off here.
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )
    upload = SimpleUploadedFile("tracker.csv", (FIXTURES / "aspi_tracker.csv").read_bytes())
    staff.post(
        reverse("admin:assessments_watchlist_import", args=[watchlist.pk]),
        {"file": upload, "format": "aspi"},
    )
    job = WatchlistImport.objects.get()
    assert job.status == WatchlistImport.Status.QUEUED and job.task_id
    assert not WatchlistVersion.objects.exists()
    from django_tasks_db.models import DBTaskResult

    assert DBTaskResult.objects.get(id=job.task_id).task_path.endswith("watchlist_import_run")
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    job.refresh_from_db()
    assert job.status == WatchlistImport.Status.SUCCEEDED
    assert job.version.entries.count() == 3


def test_the_import_form_wants_exactly_one_source(staff, watchlist):
    url = reverse("admin:assessments_watchlist_import", args=[watchlist.pk])
    response = staff.post(url, {"format": "aspi"})
    assert "Upload a file or give a URL" in response.content.decode()
    response = staff.post(
        url, {"format": "csv", "url": "https://example.org/x.csv", "mapping": "title=T"}
    )
    assert "unknown field" in response.content.decode()
    assert not WatchlistImport.objects.exists()


def test_the_diff_page_lists_added_removed_and_changed_entries(staff, db):
    watchlist = Watchlist.objects.create(name="Internal", format="csv")
    for text in (
        HEADER + "a,Alpha,,CN,high,,,\nb,Beta,,CN,high,,,\n",
        HEADER + "a,Alpha,,CN,low,,,\nc,Gamma Institute,,,,,,\n",
    ):
        watchlist_import(watchlist=watchlist, data=text.encode(), source="x.csv", importer="csv")
    page = staff.get(reverse("admin:assessments_watchlist_diff", args=[watchlist.pk]))
    html = page.content.decode()
    assert "v1 → v2: 1 added, 1 removed, 1 changed" in html
    assert "Gamma Institute" in html and "Beta" in html
    assert "Very high" not in html and "Low" in html


def test_entries_are_searchable_by_chinese_alias(staff, db):
    watchlist = Watchlist.objects.create(name="Internal", format="csv")
    watchlist_import(
        watchlist=watchlist,
        data=(FIXTURES / "ukcn.csv").read_bytes(),
        source="x.csv",
        importer="csv",
    )
    page = staff.get(reverse("admin:assessments_watchlistentry_changelist"), {"q": "北京航空"})
    html = page.content.decode()
    assert "Beihang University" in html and "Zhejiang" not in html


def test_version_and_watchlist_pages_render(staff, db):
    watchlist = Watchlist.objects.create(name="Internal", format="csv")
    result = watchlist_import(
        watchlist=watchlist,
        data=(FIXTURES / "ukcn.csv").read_bytes(),
        source="x.csv",
        importer="csv",
    )
    assert (
        staff.get(reverse("admin:assessments_watchlist_change", args=[watchlist.pk])).status_code
        == 200
    )
    assert staff.get(reverse("admin:assessments_watchlistversion_changelist")).status_code == 200
    entries = staff.get(
        reverse("admin:assessments_watchlistentry_changelist"),
        {"version__id__exact": result.version.pk},
    )
    assert entries.status_code == 200 and "Zhejiang University" in entries.content.decode()
    assert (
        staff.get(reverse("admin:assessments_watchlist_import", args=[watchlist.pk])).status_code
        == 200
    )


def test_changing_a_watchlist_in_the_admin_is_audited(staff, db):
    from assessments.models import AuditEvent

    watchlist = Watchlist.objects.create(name="Internal", format="csv")
    staff.post(
        reverse("admin:assessments_watchlist_change", args=[watchlist.pk]),
        {
            "name": "Internal",
            "format": "csv",
            "default_risk_level": "high",
            "legal_effect": "none",
            "is_active": "on",
            "versions-TOTAL_FORMS": "0",
            "versions-INITIAL_FORMS": "0",
        },
    )
    watchlist.refresh_from_db()
    assert watchlist.default_risk_level == "high"
    event = AuditEvent.objects.get(action="watchlist.changed")
    assert event.changes == {"default_risk_level": "high"}


def test_staff_without_watchlist_permissions_cannot_import_or_compare(client, make_user, watchlist):
    clerk = make_user("clerk", is_staff=True)
    client.force_login(clerk)
    assert (
        client.get(reverse("admin:assessments_watchlist_import", args=[watchlist.pk])).status_code
        == 403
    )
    assert (
        client.get(reverse("admin:assessments_watchlist_diff", args=[watchlist.pk])).status_code
        == 403
    )


def test_an_upload_over_the_size_cap_is_a_form_error(staff, watchlist, settings):
    settings.WATCHLIST_MAX_BYTES = 10
    upload = SimpleUploadedFile("tracker.csv", (FIXTURES / "aspi_tracker.csv").read_bytes())
    response = staff.post(
        reverse("admin:assessments_watchlist_import", args=[watchlist.pk]),
        {"file": upload, "format": "aspi"},
    )
    assert "The file is too large" in response.content.decode()
    assert not WatchlistImport.objects.exists()
