"""The whole review, end to end in Chromium, each person in their own browser session.

A guidance editor publishes checklist help in the admin; a requester registers a request with
two partners and funding and submits it (which screens both partners); a reviewer takes it,
confirms one watchlist match and dismisses the other, reads the guidance from the checklist
and finds it by search, completes the checklist, assesses the risk and recommends; an
approver decides with a condition; an auditor downloads the audit report PDF and the CSV
export.
"""

import datetime

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from assessments.models import (
    ChecklistItem,
    Condition,
    PartnershipRequest,
    Watchlist,
    WatchlistEntry,
    WatchlistVersion,
)
from assessments.screening import service
from assessments.watchlists.entries import entry_fingerprint
from guidance.models import GuidanceItem, Status
from tests.conftest import PASSWORD

GUIDANCE_TITLE = "Checking a partner's defence links before signing"


def listed(version, external_id, name, risk_level):
    row = {"name": name, "aliases": [], "country": "CN", "risk_level": risk_level, "categories": []}
    WatchlistEntry.objects.create(
        version=version, external_id=external_id, fingerprint=entry_fingerprint(row), **row
    )


@pytest.fixture
def review_setup(db):
    """An active watchlist version listing one partner exactly and the other by a near name,
    the checklist and scoring policy, and draft guidance attached to a checklist item."""
    call_command("load_checklist", verbosity=0)
    service._cache.update(version_ids=None, index=None)
    watchlist = Watchlist.objects.create(name="Defence tracker", format="csv")
    version = WatchlistVersion.objects.create(
        watchlist=watchlist,
        number=1,
        source="tracker.csv",
        sha256="b" * 64,
        importer="csv",
        importer_version="1",
        status="active",
    )
    listed(version, "heu", "Harbin Engineering University", "high")
    listed(version, "ouc", "Ocean University of China", "medium")
    item = ChecklistItem.objects.filter(is_active=True).order_by("order").first()
    guidance = GuidanceItem.objects.create(
        ref_id="G-E2E-DEFENCE",
        source_institution="Test University",
        title=GUIDANCE_TITLE,
        slug="defence-links",
        summary="Look the partner up in the defence-universities tracker first.",
        body="Search the **tracker** and the entity lists; record what you found.",
        status=Status.DRAFT,
    )
    guidance.checklist_items.add(item)
    yield item
    service._cache.update(version_ids=None, index=None)


def session_for(browser, live_server, user):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    return page


def publish_guidance(page, live_server):
    page.goto(f"{live_server.url}/admin/guidance/guidanceitem/")
    page.get_by_role("row", name=GUIDANCE_TITLE).get_by_role("checkbox").check()
    page.get_by_label("Action:").select_option(label="Publish selected guidance")
    page.get_by_role("button", name="Go").click()
    expect(page.get_by_text("Published 1 item(s).")).to_be_visible()


def register_and_submit(page):
    page.get_by_role("link", name="New request").first.click()
    page.get_by_label("Title").fill("Joint laboratory for marine robotics")
    page.get_by_label("Summary").fill("Autonomous underwater vehicles for coastal surveys.")
    page.fill("#id_lead_academic", "Dr Ffion Jones")
    page.get_by_label("Collaboration type").select_option(label="Joint project")
    page.get_by_label("Where the work happens").select_option(label="Both")
    page.get_by_label("Advanced Robotics").check()
    page.fill("#id_partners-0-name", "Harbin Engineering University")
    page.select_option("#id_partners-0-country", "CN")
    page.fill("#id_partners-0-role", "Sea trials")
    page.fill("#id_partners-1-name", "Ocean University of China")
    page.select_option("#id_partners-1-country", "CN")
    page.fill("#id_partners-1-role", "Data analysis")
    page.fill("#id_funding-0-funder_name", "UKRI")
    page.select_option("#id_funding-0-country", "GB")
    page.select_option("#id_funding-0-funder_type", label="UK public funder")
    page.fill("#id_funding-0-amount", "120000")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("registered as a draft")).to_be_visible()
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("Submitted for review.")).to_be_visible()


def decide_match(page, listed_name, button, reason):
    match = page.locator("li", has=page.get_by_text(listed_name, exact=True))
    expect(match.get_by_text("Potential match", exact=True)).to_be_visible()
    match.get_by_label("Reason for your decision").fill(reason)
    match.get_by_role("button", name=button).click()


def screen(page, live_server, reference):
    page.goto(f"{live_server.url}/requests/{reference}/screening/")
    expect(page.get_by_role("heading", name="Watchlist screening")).to_be_visible()
    decide_match(
        page, "Harbin Engineering University", "Confirm match", "Same institution and city."
    )
    expect(page.get_by_text("Same institution and city.")).to_be_visible()
    decide_match(
        page,
        "Ocean University of China",
        "Dismiss",
        "Our partner's address differs from the listed body's.",
    )
    expect(
        page.get_by_text("Our partner's address differs from the listed body's.")
    ).to_be_visible()
    expect(page.get_by_role("button", name="Confirm match")).to_have_count(0)


def complete_checklist(page, live_server, reference, first_item):
    page.goto(f"{live_server.url}/requests/{reference}/checklist/")
    # The guidance the editor published is offered beside the item it helps with.
    guidance_link = page.locator(f"#{first_item.ref_id}").get_by_role("link", name=GUIDANCE_TITLE)
    expect(guidance_link).to_be_visible()
    # Each section of the checklist is saved on its own.
    sections = page.locator("section[id^='section-']")
    for number in range(sections.count()):
        section = sections.nth(number)
        items = section.locator("article.card")
        for index in range(items.count()):
            item = items.nth(index)
            item.get_by_label("Met", exact=True).check()
            item.get_by_label("Evidence notes").fill("Seen the signed statement of intent.")
        section.get_by_role("button", name="Save").click()
        expect(page.get_by_role("status")).to_contain_text("Checklist saved")
    guidance_link = page.locator(f"#{first_item.ref_id}").get_by_role("link", name=GUIDANCE_TITLE)
    guidance_link.click()
    expect(page.get_by_role("heading", name=GUIDANCE_TITLE)).to_be_visible()


def find_guidance_by_search(page):
    page.get_by_role("link", name="Guidance").first.click()
    page.get_by_label("Search", exact=True).fill("defence tracker")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("link", name=GUIDANCE_TITLE)).to_be_visible()


def assess_and_recommend(page, live_server, reference):
    page.goto(f"{live_server.url}/requests/{reference}/")
    page.get_by_role("button", name="Assess the risk").click()
    panel = page.locator("section", has=page.get_by_role("heading", name="Risk assessment"))
    expect(panel.get_by_role("heading", name="Risk assessment: High")).to_be_visible()
    expect(panel.get_by_text("At least high")).to_be_visible()  # the confirmed match's floor
    expect(panel.get_by_text("Matrix cell")).to_be_visible()  # the two-axis policy's cell
    form = page.get_by_role("form", name="Recommend")
    form.get_by_label("Recommendation").select_option(label="Approve with conditions")
    form.get_by_label("Reasoning").fill("Acceptable if the data plan is agreed first.")
    form.get_by_role("button", name="Recommend").click()
    expect(page.get_by_text("Recommended").first).to_be_visible()


def decide_with_a_condition(page, live_server, reference, due):
    page.goto(f"{live_server.url}/requests/{reference}/")
    form = page.get_by_role("form", name="Decide")
    form.get_by_label("Decision").select_option(label="Approved with conditions")
    form.get_by_label("Reasoning").fill("Agreed by the committee on 1 December.")
    form.get_by_label("Condition", exact=True).fill("Agree a data management plan.")
    form.get_by_label("Condition owner").select_option(label="requester")
    form.get_by_label("Condition due").fill(due.isoformat())
    form.get_by_role("button", name="Record decision").click()
    expect(page.get_by_text("Agree a data management plan.").first).to_be_visible()


def download_audit_pdf(page, live_server, reference):
    page.goto(f"{live_server.url}/requests/{reference}/")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Audit report (PDF)").click()
    with open(download_info.value.path(), "rb") as handle:
        return download_info.value.suggested_filename, handle.read()


def download_csv(page, reference):
    page.get_by_role("link", name="Exports").first.click()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download CSV").click()
    with open(download_info.value.path(), encoding="utf-8") as handle:
        return handle.read()


def test_a_request_goes_from_registration_to_a_decision_with_conditions_and_into_an_export(
    browser,
    live_server,
    review_setup,
    requester,
    reviewer,
    approver,
    auditor,
    guidance_editor,
):
    guidance_editor.is_staff = True
    guidance_editor.save()

    publish_guidance(session_for(browser, live_server, guidance_editor), live_server)

    register_and_submit(session_for(browser, live_server, requester))
    request = PartnershipRequest.objects.get()
    assert request.status == "submitted"
    assert request.partners.count() == 2
    assert request.funding_sources.get().funder_name == "UKRI"

    reviewer_page = session_for(browser, live_server, reviewer)
    reviewer_page.goto(f"{live_server.url}/requests/{request.reference}/")
    reviewer_page.get_by_role("button", name="Take into review").click()
    expect(reviewer_page.get_by_text("Taken into review: you are its reviewer.")).to_be_visible()
    screen(reviewer_page, live_server, request.reference)
    complete_checklist(reviewer_page, live_server, request.reference, review_setup)
    find_guidance_by_search(reviewer_page)
    assess_and_recommend(reviewer_page, live_server, request.reference)
    request.refresh_from_db()
    assert (request.status, request.tier) == ("recommended", "high")

    due = datetime.date.today() + datetime.timedelta(days=90)
    decide_with_a_condition(
        session_for(browser, live_server, approver), live_server, request.reference, due
    )
    request.refresh_from_db()
    assert request.status == "approved_with_conditions"
    condition = Condition.objects.get(request=request)
    assert (condition.owner, condition.due_date) == (requester, due)

    auditor_page = session_for(browser, live_server, auditor)
    filename, pdf = download_audit_pdf(auditor_page, live_server, request.reference)
    assert filename.endswith(".pdf")
    assert pdf.startswith(b"%PDF")
    export = download_csv(auditor_page, request.reference)
    assert request.reference in export
    assert "Joint laboratory for marine robotics" in export
