"""The refresh interval is set in the watchlist admin; the last check shows there, read-only."""

import datetime as dt

import pytest
from django.urls import reverse

from assessments.models import AuditEvent, Watchlist


@pytest.fixture
def staff(client, admin_user):
    client.force_login(admin_user)
    return client


def change_form(watchlist, **overrides):
    data = {
        "name": watchlist.name,
        "publisher": "",
        "licence": "",
        "homepage": "",
        "format": watchlist.format,
        "default_risk_level": "listed",
        "legal_effect": "none",
        "is_active": "on",
        "source_url": "https://lists.example.org/internal.csv",
        "refresh_interval": "6:00:00",
        "versions-TOTAL_FORMS": "0",
        "versions-INITIAL_FORMS": "0",
        "versions-MIN_NUM_FORMS": "0",
        "versions-MAX_NUM_FORMS": "1000",
        # Sent by a tampering client: read-only fields must ignore it.
        "last_check_outcome": "unchanged",
    }
    return {**data, **overrides}


def test_an_admin_sets_the_refresh_interval_and_the_change_is_audited(staff):
    watchlist = Watchlist.objects.create(name="Internal", format="csv")
    url = reverse("admin:assessments_watchlist_change", args=[watchlist.pk])
    response = staff.post(url, change_form(watchlist))
    assert response.status_code == 302
    watchlist.refresh_from_db()
    assert watchlist.refresh_interval == dt.timedelta(hours=6)
    assert watchlist.last_check_outcome == ""
    event = AuditEvent.objects.get(action="watchlist.changed")
    assert (
        event.changes["refresh_interval"] == "P0DT06H00M00S"
    )  # ISO 8601, as DjangoJSONEncoder writes it


def test_the_admin_refuses_an_interval_without_a_url_or_under_fifteen_minutes(staff):
    watchlist = Watchlist.objects.create(name="Internal", format="csv")
    url = reverse("admin:assessments_watchlist_change", args=[watchlist.pk])
    response = staff.post(url, change_form(watchlist, source_url=""))
    assert response.status_code == 200
    assert "Give the source URL to refresh the list from." in response.content.decode()
    response = staff.post(url, change_form(watchlist, refresh_interval="0:05:00"))
    assert "greater than or equal to 0:15:00" in response.content.decode()
    watchlist.refresh_from_db()
    assert watchlist.refresh_interval is None


def test_the_list_and_the_form_show_the_last_check(staff):
    Watchlist.objects.create(
        name="Internal",
        format="csv",
        source_url="https://lists.example.org/internal.csv",
        refresh_interval=dt.timedelta(hours=6),
        last_checked_at=dt.datetime(2026, 11, 29, 9, 0, tzinfo=dt.UTC),
        last_check_outcome=Watchlist.CheckOutcome.FAILED,
        last_check_message="https://lists.example.org/internal.csv answered HTTP 503",
    )
    html = staff.get(reverse("admin:assessments_watchlist_changelist")).content.decode()
    assert "Failed, 29 Nov 2026 09:00" in html
    watchlist = Watchlist.objects.get()
    html = staff.get(
        reverse("admin:assessments_watchlist_change", args=[watchlist.pk])
    ).content.decode()
    assert "Automatic refresh" in html and "answered HTTP 503" in html
