"""The request form can be completed with the keyboard alone: Tab, typing, Space and Enter."""

from playwright.sync_api import expect

from assessments.models import PartnershipRequest


def tab_to(page, selector, *, limit=250):
    """Press Tab until the element matching `selector` has the focus, as a keyboard user does."""
    for _ in range(limit):
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def type_into(page, selector, text):
    tab_to(page, selector)
    page.keyboard.type(text)


def choose(page, selector, label):
    """Pick an option in a focused select by typing the start of its label."""
    tab_to(page, selector)
    page.keyboard.type(label)
    expect(page.locator(selector)).to_have_value(
        page.locator(f"{selector} option", has_text=label).first.get_attribute("value")
    )


def test_a_requester_completes_the_request_form_with_the_keyboard_only(
    login, page, live_server, requester
):
    login(requester)
    page.goto(f"{live_server.url}/requests/new/")
    page.keyboard.press("Tab")  # into the page, from the top: the skip link or the first link
    type_into(page, "#id_title", "Keyboard-only joint workshop")
    type_into(page, "#id_summary", "Two workshops on coastal erosion and a joint paper.")
    type_into(page, "#id_lead_academic", "Dr Ada Jones")
    choose(page, "#id_collaboration_type", "Joint project")
    choose(page, "#id_work_location", "Both")
    tab_to(page, "#id_no_nsi_sector")
    page.keyboard.press("Space")
    expect(page.locator("#id_no_nsi_sector")).to_be_checked()
    type_into(page, "#id_partners-0-name", "Ocean University of China")
    choose(page, "#id_partners-0-country", "China")
    type_into(page, "#id_partners-0-role", "Data analysis")
    type_into(page, "#id_funding-0-funder_name", "UKRI")
    choose(page, "#id_funding-0-funder_type", "UK public funder")
    tab_to(page, "main form button.btn-primary[type=submit]")
    expect(page.locator("*:focus")).to_have_text("Save draft")
    page.keyboard.press("Enter")

    expect(page.get_by_text("registered as a draft")).to_be_visible()
    request = PartnershipRequest.objects.get()
    assert request.title == "Keyboard-only joint workshop"
    assert request.collaboration_type == "joint_project"
    assert request.partners.get().organisation.country == "CN"
    assert request.funding_sources.get().funder_type == "uk_public"
