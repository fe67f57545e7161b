from django.http import HttpRequest
from django.urls import reverse

from assessments.models import AuditEvent
from guidance.models import GuidanceItem, Status
from tests.conftest import PASSWORD

ADD_URL = reverse("admin:guidance_guidanceitem_add")
CHANGELIST_URL = reverse("admin:guidance_guidanceitem_changelist")


def _form(**overrides):
    data = {
        "title": "Visiting researchers",
        "slug": "visiting-researchers",
        "ref_id": "G-VISIT",
        "summary": "What to check before hosting visitors.",
        "body": "Check **export control** first.",
        "kind": "note",
        "source_organisation": "institution",
        "review_by": "2030-01-01",
        "share_with_peers": "on",
        "countries": "cn, GB",
        "factors": ["lab_access"],
        "audience": ["academics"],
    }
    return {**data, **overrides}


def test_a_guidance_editor_creates_a_draft_in_the_admin_and_it_is_audited(client, staff_editor):
    client.force_login(staff_editor)
    response = client.post(ADD_URL, _form())
    assert response.status_code == 302, response.content.decode()[:2000]
    item = GuidanceItem.objects.get(ref_id="G-VISIT")
    assert item.status == Status.DRAFT
    assert item.owner == staff_editor
    assert item.countries == ["CN", "GB"]
    assert item.factors == ["lab_access"]
    assert AuditEvent.objects.filter(action="guidance.create", object_id=str(item.pk)).exists()


def test_the_admin_refuses_unknown_country_codes(client, staff_editor):
    client.force_login(staff_editor)
    response = client.post(ADD_URL, _form(countries="China"))
    assert response.status_code == 200
    assert "two-letter ISO codes" in response.content.decode()
    assert not GuidanceItem.objects.exists()


def test_reviewers_and_requesters_cannot_curate_guidance(client, make_user, reviewer, requester):
    for user in (reviewer, requester):
        user.is_staff = True  # even with admin access they hold no guidance permissions
        user.save()
        client.force_login(user)
        assert client.get(ADD_URL).status_code == 403
        assert client.post(ADD_URL, _form()).status_code == 403
    assert not GuidanceItem.objects.exists()


def test_an_editor_who_is_not_staff_cannot_use_the_admin(client, guidance_editor):
    client.force_login(guidance_editor)
    response = client.get(ADD_URL)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_an_editor_publishes_and_archives_with_bulk_actions(client, staff_editor, make_item):
    first = make_item("First", status=Status.DRAFT)
    second = make_item("Second", status=Status.DRAFT)
    client.force_login(staff_editor)
    ids = [first.pk, second.pk]
    client.post(CHANGELIST_URL, {"action": "publish", "_selected_action": ids})
    assert set(GuidanceItem.objects.values_list("status", flat=True)) == {Status.PUBLISHED}
    assert AuditEvent.objects.filter(action="guidance.publish").count() == 2
    client.post(CHANGELIST_URL, {"action": "archive", "_selected_action": [first.pk]})
    first.refresh_from_db()
    assert first.status == Status.ARCHIVED


def test_an_editor_cannot_delete_guidance_but_an_admin_can(
    client, staff_editor, admin_user, make_item
):
    item = make_item("Keep me")
    delete_url = reverse("admin:guidance_guidanceitem_delete", args=[item.pk])
    client.force_login(staff_editor)
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    client.force_login(admin_user)
    client.post(delete_url, {"post": "yes"})
    assert not GuidanceItem.objects.filter(pk=item.pk).exists()
    assert AuditEvent.objects.filter(action="guidance.delete", object_id=str(item.pk)).exists()


def test_the_change_form_previews_the_rendered_body_safely(client, staff_editor, make_item):
    item = make_item("Preview", body="**Bold** <script>alert(1)</script>")
    client.force_login(staff_editor)
    page = client.get(
        reverse("admin:guidance_guidanceitem_change", args=[item.pk])
    ).content.decode()
    assert "<strong>Bold</strong>" in page
    assert "<script>alert(1)</script>" not in page.split("guidance-preview", 1)[1][:500]


def test_the_checklist_item_field_uses_autocomplete(client, staff_editor):
    client.force_login(staff_editor)
    page = client.get(ADD_URL).content.decode()
    assert 'name="checklist_items"' in page
    assert "admin-autocomplete" in page


def test_readers_see_only_published_guidance(client, reviewer, make_item):
    make_item("Published note")
    make_item("Draft note", status=Status.DRAFT)
    make_item("Archived note", status=Status.ARCHIVED)
    client.force_login(reviewer)
    page = client.get(reverse("guidance:list")).content.decode()
    assert "Published note" in page
    assert "Draft note" not in page
    assert "Archived note" not in page


def test_readers_get_404_for_a_draft_page_and_editors_see_it(
    client, reviewer, guidance_editor, make_item
):
    draft = make_item("Draft note", status=Status.DRAFT)
    client.force_login(reviewer)
    assert client.get(draft.get_absolute_url()).status_code == 404
    client.force_login(guidance_editor)
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 200
    assert "readers cannot see it" in response.content.decode()


def test_editors_see_drafts_in_the_list_and_search(client, guidance_editor, make_item):
    make_item("Draft export note", status=Status.DRAFT)
    client.force_login(guidance_editor)
    page = client.get(reverse("guidance:list"), {"q": "export"}).content.decode()
    assert "Draft export note" in page


def test_guidance_needs_login(client, make_item):
    item = make_item("Published note")
    response = client.get(item.get_absolute_url())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_nav_shows_guidance_to_every_logged_in_user(client, requester):
    client.login(request=HttpRequest(), username=requester.username, password=PASSWORD)
    page = client.get(reverse("dashboard")).content.decode()
    assert f'href="{reverse("guidance:list")}"' in page


def test_the_admin_refuses_a_reference_id_already_in_use(client, staff_editor, settings, make_item):
    make_item("Existing", ref_id="G-VISIT", source_institution=settings.GUIDANCE_INSTITUTION)
    client.force_login(staff_editor)
    response = client.post(ADD_URL, _form(slug="another-slug"))
    assert response.status_code == 200
    assert "Another item already uses this reference id." in response.content.decode()
    assert GuidanceItem.objects.count() == 1
