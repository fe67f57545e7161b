from django.template import Context, Template

from assessments.models import ChecklistItem, Sector, Watchlist
from guidance.models import Status
from tests.assessments.request_factories import make_request


def _render(source, **context):
    return Template("{% load guidance_tags %}" + source).render(Context(context))


def test_checklist_items_link_to_their_published_guidance(make_item):
    checklist = ChecklistItem.objects.create(ref_id="GP-07", group="mitigation", question="Q?")
    published = make_item("Open-source checks")
    draft = make_item("Draft on checks", status=Status.DRAFT)
    published.checklist_items.add(checklist)
    draft.checklist_items.add(checklist)
    html = _render('{% guidance_for_checklist_item "GP-07" %}')
    assert f'href="{published.get_absolute_url()}"' in html
    assert "Draft on checks" not in html
    assert _render('{% guidance_for_checklist_item "GP-99" %}').strip() == ""


def test_factors_link_to_guidance_naming_that_factor_code(make_item):
    make_item("Dual use", factors=["dual_use", "export_control"])
    make_item("Personal data", factors=["personal_data"])
    html = _render("{% guidance_for_factor code %}", code="dual_use")
    assert "Dual use" in html
    assert "Personal data" not in html
    assert "Dual use" not in _render('{% guidance_for_factor "dual" %}')


def test_watchlists_link_to_guidance_about_that_list(make_item):
    watchlist = Watchlist.objects.create(name="Defence universities tracker", format="csv")
    other = Watchlist.objects.create(name="Entity list", format="csv")
    item = make_item("Reading the tracker")
    item.watchlists.add(watchlist)
    assert "Reading the tracker" in _render("{% guidance_for_watchlist w %}", w=watchlist)
    assert "Reading the tracker" in _render(
        '{% guidance_for_watchlist "Defence universities tracker" %}'
    )
    assert "Reading the tracker" not in _render("{% guidance_for_watchlist w %}", w=other)


def test_sectors_link_to_their_guidance(make_item):
    item = make_item("Quantum note")
    item.sectors.add(Sector.objects.get(code="quantum-technologies"))
    assert "Quantum note" in _render('{% guidance_for_sector "quantum-technologies" %}')
    assert "Quantum note" not in _render('{% guidance_for_sector "energy" %}')


def test_the_nsi_sector_factor_links_the_requests_own_sectors(make_item, requester):
    synbio = Sector.objects.get(code="synthetic-biology")
    for sector in Sector.objects.order_by("name")[:6]:
        make_item(f"{sector.name} note", factors=["nsi_sector"]).sectors.add(sector)
    make_item("Synthetic biology note", factors=["nsi_sector"]).sectors.add(synbio)
    pr = make_request(requester, no_nsi_sector=False)
    pr.sectors.set([synbio])
    html = _render('{% guidance_for_factor "nsi_sector" r %}', r=pr)
    assert "Synthetic biology note" in html
    assert "Civil Nuclear note" not in html
    assert 'aria-label="Guidance for Synthetic Biology"' in html
    # Without a request it is the factor's guidance, as before.
    assert "Civil Nuclear note" in _render('{% guidance_for_factor "nsi_sector" %}')
