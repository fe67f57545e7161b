from playwright.sync_api import expect

from assessments.models import PartnershipRequest
from assessments.notifications import notify_request_submitted, notify_rescreening_alert


def test_a_reviewer_sees_the_unread_count_reads_everything_and_picks_a_digest(
    login, page, live_server, reviewer, requester, engineering
):
    request_ = PartnershipRequest.objects.create(
        reference="PR-2026-0007",
        title="Quantum sensing exchange",
        summary="Visiting researchers in quantum sensing.",
        lead_academic="Dr Ada Lovelace",
        department=engineering,
        created_by=requester,
        collaboration_type="visiting",
        work_location="uk",
        status="submitted",
    )
    notify_request_submitted(request=request_)
    notify_rescreening_alert(request=request_, summary="Potential match: Example Institute")

    login(reviewer)
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Notifications 2 unread")).to_be_visible()
    nav.get_by_role("link", name="Notifications").click()
    expect(page.get_by_role("heading", name="Notifications", level=1)).to_be_visible()
    expect(page.get_by_text("Potential match: Example Institute")).to_be_visible()

    page.get_by_role("button", name="Mark all as read").click()
    expect(page.get_by_text("2 notifications marked as read.")).to_be_visible()
    expect(nav.get_by_role("link", name="Notifications", exact=True)).to_be_visible()

    page.get_by_role("link", name="Preferences").click()
    page.get_by_role("group", name="Re-screening finds a new or changed match").get_by_label(
        "In a daily digest"
    ).check()
    page.get_by_role("button", name="Save preferences").click()
    expect(page.get_by_text("Preferences saved.")).to_be_visible()
