import datetime

from django.urls import reverse
from django.utils import timezone

from assessments.models import AuditEvent
from guidance.models import GuidanceItem, Status
from guidance.services import guidance_mark_reviewed

YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)


def test_readers_see_may_be_out_of_date_on_an_item_past_review(client, reviewer, make_item):
    stale = make_item("Stale note", review_by=YESTERDAY)
    fresh = make_item("Fresh note")
    client.force_login(reviewer)
    assert "May be out of date" in client.get(stale.get_absolute_url()).content.decode()
    assert "May be out of date" not in client.get(fresh.get_absolute_url()).content.decode()
    listing = client.get(reverse("guidance:list")).content.decode()
    assert listing.count("may be out of date") == 1


def test_editors_get_the_list_of_items_due_for_review(client, guidance_editor, reviewer, make_item):
    make_item("Stale note", review_by=YESTERDAY)
    make_item("Stale draft", review_by=YESTERDAY, status=Status.DRAFT)
    make_item("Fresh note")
    make_item("Stale but archived", review_by=YESTERDAY, status=Status.ARCHIVED)
    client.force_login(guidance_editor)
    page = client.get(reverse("guidance:review_due")).content.decode()
    assert "Stale note" in page
    assert "Stale draft" in page
    assert "Fresh note" not in page
    assert "Stale but archived" not in page
    client.force_login(reviewer)
    assert client.get(reverse("guidance:review_due")).status_code == 403


def test_the_admin_filters_overdue_items(client, staff_editor, make_item):
    make_item("Stale note", review_by=YESTERDAY)
    make_item("Fresh note")
    client.force_login(staff_editor)
    page = client.get(
        reverse("admin:guidance_guidanceitem_changelist"), {"review": "overdue"}
    ).content.decode()
    assert "Stale note" in page
    assert "Fresh note" not in page


def test_marking_reviewed_sets_a_new_review_date_and_audits_it(client, staff_editor, make_item):
    stale = make_item("Stale note", review_by=YESTERDAY)
    client.force_login(staff_editor)
    client.post(
        reverse("admin:guidance_guidanceitem_changelist"),
        {"action": "mark_reviewed", "_selected_action": [stale.pk]},
    )
    stale.refresh_from_db()
    assert stale.review_by == timezone.localdate() + datetime.timedelta(days=365)
    assert not stale.is_overdue
    assert AuditEvent.objects.filter(action="guidance.review", object_id=str(stale.pk)).exists()


def test_mark_reviewed_accepts_a_chosen_date(guidance_editor, make_item):
    item = make_item("Note", review_by=YESTERDAY)
    chosen = timezone.localdate() + datetime.timedelta(days=90)
    guidance_mark_reviewed(
        items=GuidanceItem.objects.all(), actor=guidance_editor, review_by=chosen
    )
    item.refresh_from_db()
    assert item.review_by == chosen


def test_history_records_who_changed_what_and_shows_any_earlier_version(
    client, staff_editor, make_item
):
    item = make_item("Original title", body="Original body.")
    client.force_login(staff_editor)
    change_url = reverse("admin:guidance_guidanceitem_change", args=[item.pk])
    form = client.get(change_url).context["adminform"].form
    data = {key: value for key, value in form.initial.items() if value is not None}
    data.update(
        title="Revised title",
        body="Revised body.",
        countries="",
        review_by=item.review_by.isoformat(),
        share_with_peers="on",
    )
    data.pop("topics", None), data.pop("sectors", None), data.pop("checklist_items", None)
    data.pop("watchlists", None)
    response = client.post(change_url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors

    records = list(item.history.order_by("history_id"))
    assert len(records) == 2
    assert records[1].history_user == staff_editor
    assert records[1].history_change_reason == "guidance.change"

    history = client.get(reverse("guidance:history", args=[item.slug])).content.decode()
    assert "editor" in history
    assert "title" in history and "body" in history
    earlier = client.get(reverse("guidance:version", args=[item.slug, records[0].history_id]))
    assert "Original title" in earlier.content.decode()
    assert "Original body." in earlier.content.decode()


def test_readers_cannot_see_history_but_auditors_can(client, reviewer, auditor, make_item):
    item = make_item("Note")
    url = reverse("guidance:history", args=[item.slug])
    client.force_login(reviewer)
    assert client.get(url).status_code == 404
    client.force_login(auditor)
    assert client.get(url).status_code == 200
