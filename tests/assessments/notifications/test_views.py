"""The notifications page, mark-as-read, and the unread count in the navigation."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.models import Notification
from assessments.notifications import notify_request_submitted, notify_rescreening_alert


@pytest.fixture
def two_unread(make_request, requester, engineering, reviewer):
    request_ = make_request(requester, engineering, title="Quantum sensing exchange")
    notify_request_submitted(request=request_)
    notify_rescreening_alert(request=request_, summary="Potential match: Example Institute")
    return request_


def test_the_list_shows_the_users_own_notifications_only(
    client, two_unread, second_reviewer, reviewer
):
    client.force_login(reviewer)
    page = client.get("/notifications/").content.decode()
    assert "Quantum sensing exchange" in page
    assert "Potential match: Example Institute" in page
    client.force_login(second_reviewer)
    assert "Quantum sensing exchange" not in client.get("/notifications/").content.decode()


def test_the_navigation_shows_the_unread_count_in_one_query(client, two_unread, reviewer):
    client.force_login(reviewer)
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/").content.decode()
    assert 'id="unread-count">2<' in page
    assert sum("assessments_notification" in q["sql"] for q in queries.captured_queries) == 1


def test_no_badge_when_everything_is_read(client, two_unread, reviewer):
    Notification.objects.update(read_at="2026-11-29T10:00Z")
    client.force_login(reviewer)
    assert "unread-count" not in client.get("/").content.decode()


def test_marking_one_as_read_leaves_the_others_unread(client, two_unread, reviewer):
    client.force_login(reviewer)
    first, second = Notification.objects.filter(recipient=reviewer).order_by("id")
    response = client.post("/notifications/read/", {"id": first.pk})
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.is_read and not second.is_read
    unread_page = client.get("/notifications/?unread=1").content.decode()
    assert "submitted for review" not in unread_page
    assert "Re-screening alert" in unread_page


def test_mark_all_as_read_and_the_unread_filter(client, two_unread, reviewer):
    client.force_login(reviewer)
    client.post("/notifications/read/")
    assert not Notification.objects.filter(read_at__isnull=True).exists()
    assert (
        "You have no unread notifications."
        in client.get("/notifications/?unread=1").content.decode()
    )


def test_a_user_cannot_mark_someone_elses_notification_read(
    client, two_unread, reviewer, second_reviewer
):
    theirs = Notification.objects.filter(recipient=reviewer).first()
    client.force_login(second_reviewer)
    client.post("/notifications/read/", {"id": theirs.pk})
    client.post("/notifications/read/")
    theirs.refresh_from_db()
    assert not theirs.is_read
    assert client.get(f"/notifications/{theirs.pk}/open/").status_code == 404


def test_opening_a_notification_marks_it_read_and_goes_to_its_page(client, two_unread, reviewer):
    notification = Notification.objects.filter(recipient=reviewer).first()
    client.force_login(reviewer)
    response = client.get(f"/notifications/{notification.pk}/open/")
    assert response.status_code == 302
    assert response["Location"] == f"/requests/{two_unread.reference}/"
    notification.refresh_from_db()
    assert notification.is_read


def test_an_external_link_is_never_followed_from_the_open_view(client, reviewer):
    notification = Notification.objects.create(
        recipient=reviewer,
        kind="guidance_review_due",
        event_key="x",
        title="t",
        body="b",
        link="https://evil.example.com/",
        created_at="2026-11-29T10:00Z",
        email_status="sent",
    )
    client.force_login(reviewer)
    response = client.get(f"/notifications/{notification.pk}/open/")
    assert response["Location"] == "/notifications/"


def test_a_bad_id_marks_nothing_and_answers_400(client, two_unread, reviewer):
    client.force_login(reviewer)
    for bad in ("abc", "123456789012345678901234567890", str(2**63), "²", "-1"):
        response = client.post("/notifications/read/", {"id": bad})
        assert response.status_code == 400, bad
    assert Notification.objects.filter(read_at__isnull=True).count() == 2


def test_the_pages_need_a_login(client):
    assert client.get("/notifications/").status_code == 302
    assert client.get("/notifications/preferences/").status_code == 302
