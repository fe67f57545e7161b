"""An item's own admin page publishes, archives and marks it reviewed, and previews its body."""

from guidance.models import GuidanceItem, Status


def test_the_change_page_publishes_archives_and_marks_reviewed_with_buttons(
    client, admin_user, make_item
):
    item = make_item("Visiting researchers", status=Status.DRAFT)
    client.force_login(admin_user)
    page = client.get(f"/admin/guidance/guidanceitem/{item.pk}/change/").content.decode()
    publish = f"/admin/guidance/guidanceitem/{item.pk}/lifecycle/publish/"
    assert f'action="{publish}"' in page
    assert "Preview the body (not saved)" in page
    assert client.get(publish).status_code == 404  # a GET changes nothing
    response = client.post(publish)
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == Status.PUBLISHED
    page = client.get(f"/admin/guidance/guidanceitem/{item.pk}/change/").content.decode()
    assert f'action="{publish}"' not in page  # already published
    client.post(f"/admin/guidance/guidanceitem/{item.pk}/lifecycle/archive/")
    item.refresh_from_db()
    assert item.status == Status.ARCHIVED
    before = item.review_by
    client.post(f"/admin/guidance/guidanceitem/{item.pk}/lifecycle/mark-reviewed/")
    item.refresh_from_db()
    assert item.review_by > before
    assert (
        client.post(f"/admin/guidance/guidanceitem/{item.pk}/lifecycle/delete/").status_code == 404
    )


def test_the_preview_renders_the_typed_body_sanitised_and_saves_nothing(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        "/admin/guidance/guidanceitem/preview/",
        {"title": "Draft", "body": "Ask about **export control**.\n\n<script>alert(1)</script>"},
    )
    body = response.content.decode()
    assert "<strong>export control</strong>" in body
    assert "<script>alert(1)</script>" not in body
    assert not GuidanceItem.objects.exists()
