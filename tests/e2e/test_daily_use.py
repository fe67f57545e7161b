"""Daily use in a real browser: rows added and removed in place (with and without JavaScript),
the next-step panel, guidance for the request's own sectors, branded error pages, and every
main page at 390 px without the page scrolling sideways."""

import pytest
from playwright.sync_api import expect

from assessments.models import PartnershipRequest, RequestStatus, Sector
from guidance.models import GuidanceItem, Status
from tests.assessments.request_factories import advance, make_request
from tests.conftest import PASSWORD
from tests.e2e.test_accessibility import (  # noqa: F401 (fixtures)
    PAGES,
    head_of_department,
    pages_world,
    senior_officer,
)


def _fill_the_request(page):
    page.get_by_label("Title").fill("Joint laboratory for marine robotics")
    page.get_by_label("Summary").fill("Autonomous underwater vehicles for coastal surveys.")
    page.fill("#id_lead_academic", "Dr Ffion Jones")
    page.get_by_label("Collaboration type").select_option(label="Joint project")
    page.get_by_label("Where the work happens").select_option(label="Both")
    page.check("#id_no_nsi_sector")
    page.fill("#id_funding-0-funder_name", "UKRI")
    page.select_option("#id_funding-0-funder_type", label="UK public funder")


def test_partner_rows_are_added_and_removed_in_place_with_javascript(login, page, requester):
    login(requester)
    page.get_by_role("link", name="New request").first.click()
    _fill_the_request(page)
    page.get_by_role("button", name="Add another partner").click()
    expect(page.locator("#id_partners-2-organisation")).to_be_focused()
    expect(page.get_by_role("heading", name="Partner 3")).to_be_visible()
    for number, name in enumerate(
        ["Harbin Engineering University", "Fudan University", "Ocean University of China"]
    ):
        page.fill(f"#id_partners-{number}-name", name)
        page.select_option(f"#id_partners-{number}-country", "CN")
    page.get_by_role("button", name="Remove Partner 2").click()
    expect(page.get_by_role("heading", name="Partner 2")).to_be_hidden()
    expect(page.get_by_role("button", name="Add another partner")).to_be_focused()
    page.get_by_role("button", name="Add another funding source").click()
    expect(page.locator("#id_funding-1-funder_name")).to_be_focused()
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("registered as a draft")).to_be_visible()
    names = set(
        PartnershipRequest.objects.get().partners.values_list("organisation__name", flat=True)
    )
    assert names == {"Harbin Engineering University", "Ocean University of China"}


def test_partner_rows_are_added_and_removed_without_javascript(browser, live_server, requester):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(requester.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/requests/new/")
    _fill_the_request(page)
    page.fill("#id_partners-0-name", "Harbin Engineering University")
    page.select_option("#id_partners-0-country", "CN")
    page.get_by_role("button", name="Add another partner").click()
    expect(page.get_by_role("heading", name="Partner 3")).to_be_visible()
    expect(page.locator("#id_partners-0-name")).to_have_value("Harbin Engineering University")
    assert not PartnershipRequest.objects.exists()
    page.fill("#id_partners-2-name", "Fudan University")
    page.select_option("#id_partners-2-country", "CN")
    page.check("#id_partners-2-DELETE")  # without JavaScript, the "Delete" box removes a row
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("registered as a draft")).to_be_visible()
    pr = PartnershipRequest.objects.get()
    assert [p.organisation.name for p in pr.partners.all()] == ["Harbin Engineering University"]
    context.close()


def test_the_next_step_panel_names_who_acts_in_each_state(
    login, page, live_server, requester, reviewer
):
    draft = make_request(requester, title="A draft")
    submitted = advance(
        make_request(requester), to=RequestStatus.SUBMITTED, requester=requester, reviewer=None
    )
    review = advance(
        make_request(requester),
        to=RequestStatus.UNDER_REVIEW,
        requester=requester,
        reviewer=reviewer,
    )
    login(requester)
    panel = page.locator("#next-step")
    page.goto(f"{live_server.url}{draft.get_absolute_url()}")
    expect(panel.get_by_role("heading")).to_have_text("Next step: yours")
    expect(panel).to_contain_text("submit it for review")
    page.goto(f"{live_server.url}{submitted.get_absolute_url()}")
    expect(panel).to_contain_text("A reviewer in the central office")
    page.goto(f"{live_server.url}{review.get_absolute_url()}")
    expect(panel).to_contain_text(f"The reviewer ({reviewer.get_full_name() or reviewer.username})")
    # Withdrawing asks for a reason and a confirmation.
    page.goto(f"{live_server.url}{draft.get_absolute_url()}")
    page.get_by_text("Withdraw this request…").click()
    page.get_by_role("button", name="Withdraw request").click()
    draft.refresh_from_db()
    assert draft.status == RequestStatus.DRAFT  # the browser asks for the reason first
    page.get_by_label("Why is the request withdrawn?").fill("The funder said no.")
    page.get_by_role("button", name="Withdraw request").click()
    draft.refresh_from_db()
    assert draft.status == RequestStatus.DRAFT  # and for the confirmation
    page.get_by_label("Yes, withdraw this request").check()
    page.get_by_role("button", name="Withdraw request").click()
    expect(page.get_by_text("Request withdrawn.")).to_be_visible()
    expect(panel).to_contain_text("withdrawn: nothing is waiting")


def test_guidance_in_context_links_the_requests_own_sectors(
    login, page, live_server, requester, reviewer
):
    synbio = Sector.objects.get(code="synthetic-biology")
    nuclear = Sector.objects.get(code="civil-nuclear")
    for title, sector in (
        ("Working with synthetic biology", synbio),
        ("Civil nuclear basics", nuclear),
    ):
        item = GuidanceItem.objects.create(
            ref_id=f"G-{sector.code}",
            source_institution="Test University",
            title=title,
            slug=sector.code,
            summary="s",
            body="b",
            status=Status.PUBLISHED,
            factors=["nsi_sector"],
        )
        item.sectors.add(sector)
    pr = make_request(requester, no_nsi_sector=False)
    pr.sectors.set([synbio])
    advance(pr, to=RequestStatus.UNDER_REVIEW, requester=requester, reviewer=reviewer)
    login(reviewer)
    page.goto(f"{live_server.url}{pr.get_absolute_url()}")
    links = page.get_by_role("list", name="Guidance for Synthetic Biology")
    expect(links.get_by_role("link", name="Working with synthetic biology")).to_be_visible()
    expect(page.get_by_role("link", name="Civil nuclear basics")).to_have_count(0)


def test_the_404_and_403_pages_are_branded_with_a_way_back(login, page, live_server, requester):
    login(requester)
    response = page.goto(f"{live_server.url}/requests/PR-1999-9999/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    page.get_by_role("link", name="Go to your dashboard").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    response = page.goto(f"{live_server.url}/reports/annual/")
    assert response.status == 403
    expect(page.get_by_role("heading", name="You may not do this")).to_be_visible()


@pytest.mark.parametrize("role", ["requester", "reviewer", "auditor"])
def test_every_main_page_fits_390_px_without_sideways_scrolling(
    request, role, login, page, live_server
):
    world = request.getfixturevalue("pages_world")
    page.set_viewport_size({"width": 390, "height": 844})
    login(request.getfixturevalue(role))
    too_wide = {}
    for template in PAGES[role]:
        path = template.format(**world)
        page.goto(f"{live_server.url}{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            too_wide[path] = width
    assert not too_wide, too_wide


def test_the_checklist_saves_a_section_counts_progress_and_warns_before_losing_changes(
    login, page, live_server, requester, reviewer, engineering
):
    from tests.assessments.checklist_factories import load_reference_data
    from tests.assessments.checklist_factories import make_request as make_checklist_request

    load_reference_data()
    pr = make_checklist_request(created_by=requester, department=engineering, status="submitted")
    from assessments.checklists import checklist_version_for_request

    total = len(checklist_version_for_request(pr).items)
    login(reviewer)
    page.goto(f"{live_server.url}/requests/{pr.reference}/checklist/")
    expect(page.locator("[data-progress]")).to_have_text(f"0 of {total} items answered")
    section = page.locator("#section-connections")
    section.locator("#GP-01").get_by_label("Met", exact=True).check()
    section.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("1 answer changed")
    expect(page.locator("[data-progress]")).to_have_text(f"1 of {total} items answered")
    expect(page.locator("#section-connections h2 .badge")).to_contain_text("1 of")
    # A change not saved: leaving the page asks first.
    page.locator("#GP-12").get_by_label("Met", exact=True).check()
    asked = []

    def answer(dialog):
        asked.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", answer)
    page.get_by_role("link", name=pr.reference).first.click()
    page.wait_for_timeout(500)
    assert asked == ["beforeunload"]
    expect(page.locator("[data-progress]")).to_have_text(f"1 of {total} items answered")


def test_the_admin_guidance_list_fits_a_laptop_screen(login, page, live_server, admin_user):
    from datetime import date

    for number in range(3):
        GuidanceItem.objects.create(
            ref_id=f"UKCN-ADV-A-LONG-REFERENCE-{number}",
            source_institution="Test University",
            title=f"Working with partners on a long and carefully worded topic, part {number}",
            slug=f"long-topic-{number}",
            summary="s",
            body="b",
            status=Status.PUBLISHED,
            review_by=date(2020, 1, 1),
        )
    page.set_viewport_size({"width": 1366, "height": 900})
    login(admin_user)
    page.goto(f"{live_server.url}/admin/guidance/guidanceitem/")
    expect(page.get_by_text("(overdue)").first).to_be_visible()
    results = page.locator("#changelist .results")
    overflow = results.evaluate("element => element.scrollWidth - element.clientWidth")
    assert overflow <= 0
