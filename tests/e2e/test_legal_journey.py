"""A request that needs an export licence, end to end in Chromium: the decision is refused
until the reviewer records the licence reference on the legal determinations step, then
proceeds."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from assessments import workflow
from assessments.models import LegalDetermination, PartnershipRequest
from tests.assessments.request_factories import advance, facts
from tests.e2e.test_full_journey import session_for
from ukcn.roles import Role


@pytest.fixture
def head_of_department(make_user, engineering):
    return make_user("head", Role.HEAD_OF_DEPARTMENT, engineering)


def try_to_decide(page, live_server, reference):
    page.goto(f"{live_server.url}/requests/{reference}/")
    form = page.get_by_role("form", name="Decide")
    form.get_by_label("Decision").select_option(label="Approved")
    form.get_by_label("Reasoning").fill("Technology transfer covered by the licence.")
    form.get_by_role("button", name="Record decision").click()


def test_a_decision_waits_for_the_export_licence_reference(
    browser, live_server, requester, reviewer, head_of_department
):
    call_command("load_checklist", verbosity=0)
    request = workflow.request_create(
        actor=requester, facts=facts(transfers=["technology"], title="Radar signal processing")
    )
    advance(request, to="recommended", requester=requester, reviewer=reviewer, tier="low")
    page = session_for(browser, live_server, reviewer)

    try_to_decide(page, live_server, request.reference)
    expect(page.get_by_text(re.compile("export control not yet determined")).first).to_be_visible()
    assert PartnershipRequest.objects.get(pk=request.pk).status == "recommended"

    # The gate list links to the step.
    page.get_by_role("link", name="Record the export control determination").click()
    expect(page.get_by_role("heading", name="Legal determinations", exact=True)).to_be_visible()
    step = page.locator("#legal-export_control")
    step.get_by_label("Licence required", exact=True).check()
    step.get_by_label("Reasoning").fill("Signal-processing know-how rated ML22.")
    step.get_by_label("Control list headings").select_option("ML22")
    step.get_by_role("button", name="Record the Export control determination").click()
    expect(page.get_by_text("Export control: recorded.")).to_be_visible()
    expect(step.get_by_text("export licence reference not recorded")).to_be_visible()

    try_to_decide(page, live_server, request.reference)
    expect(
        page.get_by_text(re.compile("export licence reference not recorded")).first
    ).to_be_visible()
    assert PartnershipRequest.objects.get(pk=request.pk).status == "recommended"

    page.goto(f"{live_server.url}/requests/{request.reference}/legal/")
    step = page.locator("#legal-export_control")
    step.get_by_text("Record again").click()
    step.get_by_label("Licence type").select_option(
        label="Standard individual export licence (SIEL)"
    )
    step.get_by_label("Licence reference").fill("GBSIEL/2026/004711")
    step.get_by_label("Licence expiry").fill("2029-06-30")
    step.get_by_role("button", name="Record the Export control determination").click()
    expect(page.get_by_text("Export control: recorded.")).to_be_visible()
    expect(step.get_by_text("GBSIEL/2026/004711").first).to_be_visible()

    try_to_decide(page, live_server, request.reference)
    expect(
        page.get_by_text(re.compile("export control", re.I)).filter(has_text="Missing")
    ).to_have_count(0)
    request.refresh_from_db()
    assert request.status in ("awaiting_sign_off", "approved")
    assert LegalDetermination.objects.filter(request=request).count() == 2
