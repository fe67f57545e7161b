"""A refused form opens on a summary of what is wrong, focused, each line leading to its field."""

from playwright.sync_api import expect

from assessments.models import PartnershipRequest
from assessments.workflow.facts import AMOUNT_NEGATIVE


def test_a_refused_request_form_focuses_the_summary_and_its_links_focus_the_fields(
    login, page, requester
):
    login(requester)
    page.get_by_role("link", name="New request").first.click()
    page.get_by_label("Summary").fill("Autonomous underwater vehicles.")
    page.fill("#id_lead_academic", "Dr Ffion Jones")
    page.fill("#id_funding-0-funder_name", "UKRI")
    page.fill("#id_funding-0-amount", "-1000000")
    page.get_by_role("button", name="Save draft").click()

    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    summary.get_by_role("link", name=AMOUNT_NEGATIVE).click()
    expect(page.locator("#id_funding-0-amount")).to_be_focused()
    summary.get_by_role("link", name="Title").click()
    expect(page.get_by_label("Title")).to_be_focused()
    assert not PartnershipRequest.objects.exists()
