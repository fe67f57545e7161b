"""Typing a partner's Chinese name picks the existing organisation; its page shows its
screening status and requests."""

from playwright.sync_api import expect

from assessments.models import Organisation, PartnershipRequest
from assessments.organisations.ror import ror_import
from tests.assessments.organisations.conftest import SAMPLE
from tests.assessments.screening.conftest import (  # noqa: F401 (fixtures)
    aspi,
    fresh_index_cache,
    watchlist_rows,
)


def test_typing_the_chinese_name_picks_the_existing_organisation(
    login,
    page,
    live_server,
    aspi,  # noqa: F811 (a fixture)
    requester,
    reviewer,
):
    ror_import(SAMPLE)
    hit = Organisation.objects.create(name="Harbin Institute of Technology", country="CN")
    login(requester)
    page.goto(f"{live_server.url}/requests/new/")
    page.get_by_label("Title").fill("Joint laboratory for welding")
    page.get_by_label("Summary").fill("Friction-stir welding of aluminium alloys.")
    page.fill("#id_lead_academic", "Dr Ffion Jones")
    page.get_by_label("Collaboration type").select_option(label="Joint project")
    page.get_by_label("Where the work happens").select_option(label="Both")
    page.get_by_label("Advanced Robotics").check()
    page.select_option("#id_partners-0-country", "CN")
    page.locator("#id_partners-0-name").press_sequentially("哈尔滨工业大学", delay=30)
    offered = page.locator("#partners-0-resolution")
    expect(offered).to_contain_text("Recognised as")
    expect(offered).to_contain_text(
        "Harbin Institute of Technology (哈尔滨工业大学, Harbin, CN, ROR 01yqg2h08)"
    )
    expect(offered.get_by_label("Harbin Institute of Technology", exact=False)).to_be_checked()
    page.screenshot(path="var/screenshots/organisation-type-ahead.png", full_page=True)
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator("h1")).to_contain_text("Joint laboratory for welding")

    request = PartnershipRequest.objects.get()
    assert request.partners.get().organisation == hit
    assert Organisation.objects.filter(name="Harbin Institute of Technology").count() == 1

    page.goto(f"{live_server.url}/organisations/{hit.pk}/")
    expect(page.locator("h1")).to_contain_text("Harbin Institute of Technology")
    expect(page.get_by_text("https://ror.org/01yqg2h08")).to_be_visible()
    expect(page.locator("#org-screening-heading")).to_be_visible()
    expect(page.get_by_text("on ASPI tracker v1", exact=False).first).to_be_visible()
    expect(page.get_by_role("link", name=request.reference)).to_be_visible()
    page.screenshot(path="var/screenshots/organisation-page.png", full_page=True)
