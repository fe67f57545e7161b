from django.urls import reverse

from assessments.models import Sector
from guidance.models import Kind, Topic


def test_the_list_filters_by_facets_and_shows_counts(client, reviewer, make_item):
    export = make_item("Export licences", kind=Kind.NOTE, risk_areas=["export_control"])
    export.sectors.add(Sector.objects.get(code="defence"))
    topic = Topic.objects.create(name="Advisers", slug="advisers")
    adviser = make_item("NPSA", kind=Kind.CONTACT, source_organisation="npsa")
    adviser.topics.add(topic)
    client.force_login(reviewer)
    url = reverse("guidance:list")

    def titles(**params):
        hits = client.get(url, params).context["page"].object_list
        return sorted(hit.item.title for hit in hits)

    assert titles() == ["Export licences", "NPSA"]
    assert titles(kind="contact") == ["NPSA"]
    assert titles(topic="advisers") == ["NPSA"]
    assert titles(risk="export_control") == ["Export licences"]
    assert titles(sector="defence") == ["Export licences"]
    assert titles(source="npsa") == ["NPSA"]
    assert titles(q="licences", kind="note") == ["Export licences"]
    page = client.get(url).content.decode()
    assert 'Contact or adviser</a> <span class="text-body-secondary">(1)' in page


def test_the_list_shows_highlighted_snippets(client, reviewer, make_item):
    make_item("Travel", body="Use a clean laptop when travelling.")
    client.force_login(reviewer)
    page = client.get(reverse("guidance:list"), {"q": "laptop"}).content.decode()
    assert "<mark>laptop</mark>" in page


def test_an_item_page_renders_the_body_and_lists_related_items(client, reviewer, make_item):
    topic = Topic.objects.create(name="Travel", slug="travel")
    item = make_item("Travel safety", body="Use a **clean** laptop. <script>x()</script>")
    related = make_item("Phones abroad")
    unrelated = make_item("Export control")
    item.topics.add(topic)
    related.topics.add(topic)
    client.force_login(reviewer)
    page = client.get(item.get_absolute_url()).content.decode()
    assert "<strong>clean</strong>" in page
    assert "<script>x()</script>" not in page
    assert "Related guidance" in page
    assert related.get_absolute_url() in page
    assert unrelated.get_absolute_url() not in page


def test_an_unknown_filter_value_is_ignored_not_an_error(client, reviewer, make_item):
    make_item("Anything")
    client.force_login(reviewer)
    response = client.get(reverse("guidance:list"), {"kind": "poem", "sector": "nowhere"})
    assert response.status_code == 200
