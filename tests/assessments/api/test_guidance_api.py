"""Published guidance over the API; drafts and archived items stay with the editors."""

import datetime

import pytest
from django.utils import timezone

from assessments.models import Sector
from guidance.models import GuidanceItem, Status, Topic

URL = "/api/v1/guidance/"


@pytest.fixture
def make_item(db):
    counter = iter(range(1, 1000))

    def make(title, *, status=Status.PUBLISHED, body="Some text.", **extra):
        number = next(counter)
        return GuidanceItem.objects.create(
            ref_id=f"T-{number:04d}",
            source_institution="Test University",
            slug=f"item-{number}",
            summary=f"Summary of {title}",
            review_by=timezone.localdate() + datetime.timedelta(days=30),
            title=title,
            status=status,
            body=body,
            **extra,
        )

    return make


@pytest.mark.parametrize("role", ["requester", "guidance_editor", "auditor"])
def test_everyone_reads_only_published_items(client, request, role, make_item, bearer):
    make_item("Export control basics")
    draft = make_item("Unfinished draft", status=Status.DRAFT)
    archived = make_item("Old advice", status=Status.ARCHIVED)
    headers = bearer(request.getfixturevalue(role))
    body = client.get(URL, headers=headers).json()
    assert [item["title"] for item in body["results"]] == ["Export control basics"]
    assert client.get(f"{URL}{draft.slug}/", headers=headers).status_code == 404
    assert client.get(f"{URL}{archived.slug}/", headers=headers).status_code == 404


def test_an_item_reads_with_its_body_topics_and_sectors(client, requester, make_item, bearer):
    item = make_item("Staff travel", body="# Before you go\n\nRead this.", risk_areas=["safety"])
    item.topics.add(Topic.objects.create(slug="travel", name="Travel"))
    item.sectors.add(Sector.objects.get(code="defence"))
    body = client.get(f"{URL}{item.slug}/", headers=bearer(requester)).json()
    assert body["body"].startswith("# Before you go")
    assert body["topics"] == ["travel"] and body["sectors"] == ["defence"]
    assert body["risk_areas"] == ["safety"]
    assert body["url"].endswith(f"/guidance/{item.slug}/")


def test_the_list_searches_and_filters(client, requester, make_item, bearer):
    travel = make_item("Staff travel", body="Phones and laptops abroad.", risk_areas=["safety"])
    make_item("Export control basics", body="Licences for dual-use items.", kind="checklist_help")
    make_item("Secret draft about laptops", status=Status.DRAFT)
    travel.sectors.add(Sector.objects.get(code="energy"))
    headers = bearer(requester)

    def titles(query):
        response = client.get(f"{URL}?{query}", headers=headers)
        assert response.status_code == 200, response.json()
        return [item["title"] for item in response.json()["results"]]

    assert titles("q=laptops") == ["Staff travel"]
    assert titles("kind=checklist_help") == ["Export control basics"]
    assert titles("risk=safety") == ["Staff travel"]
    assert titles("sector=energy") == ["Staff travel"]


@pytest.mark.parametrize(
    "query,field", [("sector=warp-drives", "sector"), ("topic=a-b", "topic"), ("kind=", "kind")]
)
def test_a_bad_filter_value_is_a_400(client, requester, bearer, query, field):
    response = client.get(f"{URL}?{query}", headers=bearer(requester))
    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_a_nul_in_a_filter_is_a_400_before_the_view(client, requester, bearer):
    response = client.get(f"{URL}?topic=a%00b", headers=bearer(requester))
    assert response.status_code == 400
    assert "NUL" in response.json()["error"]


def test_guidance_needs_authentication(client, make_item):
    make_item("Export control basics")
    assert client.get(URL).status_code == 401
