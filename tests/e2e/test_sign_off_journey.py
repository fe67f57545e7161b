"""Routes with sign-offs, end to end in Chromium.

A very high request: a reviewer confirms the listed partner (which floors the tier at very
high), completes the checklist, assesses and recommends; an approver decides, and the decision
waits for a senior officer; the senior officer co-signs and the request is approved. A low
tier request: the reviewer decides and the head of the request's department signs off (or
refuses, with a reason, which returns it to the decider).
"""

import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from assessments import workflow
from assessments.models import (
    AuditEvent,
    Organisation,
    PartnershipRequest,
    SignOff,
    Watchlist,
    WatchlistVersion,
)
from assessments.screening import service
from tests.assessments.request_factories import advance, facts
from tests.e2e.test_full_journey import decide_match, listed, session_for
from ukcn.roles import Role


@pytest.fixture
def listed_partner(db):
    """The checklist and policy, and an active watchlist listing one partner as very high."""
    call_command("load_checklist", verbosity=0)
    service._cache.update(version_ids=None, index=None)
    watchlist = Watchlist.objects.create(name="Defence tracker", format="csv")
    version = WatchlistVersion.objects.create(
        watchlist=watchlist,
        number=1,
        source="tracker.csv",
        sha256="c" * 64,
        importer="csv",
        importer_version="1",
        status="active",
    )
    listed(version, "hit", "Harbin Institute of Technology", "very_high")
    yield Organisation.objects.create(name="Harbin Institute of Technology", country="CN")
    service._cache.update(version_ids=None, index=None)


@pytest.fixture
def senior_officer(make_user):
    return make_user("senior", Role.SENIOR_OFFICER)


@pytest.fixture
def head_of_department(make_user, engineering):
    return make_user("head", Role.HEAD_OF_DEPARTMENT, engineering)


def decision_phrase(page, text):
    """The decision as the page states it (case-sensitive: the timeline's event summaries say
    the same in lower case, and do not count)."""
    return page.get_by_text(re.compile(re.escape(text))).first


def sign_off_form(page, name, reference):
    return page.locator(f'form[action="{reverse(name, args=[reference])}"]')


def complete_checklist(page, live_server, reference):
    page.goto(f"{live_server.url}/requests/{reference}/checklist/")
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


def review_very_high(page, live_server, reference):
    page.goto(f"{live_server.url}/requests/{reference}/")
    page.get_by_role("button", name="Take into review").click()
    expect(page.get_by_text("Taken into review: you are its reviewer.")).to_be_visible()
    page.goto(f"{live_server.url}/requests/{reference}/screening/")
    decide_match(
        page,
        "Harbin Institute of Technology",
        "Confirm match",
        "Same institution: name, city and website agree.",
    )
    expect(page.get_by_role("button", name="Confirm match")).to_have_count(0)
    complete_checklist(page, live_server, reference)
    page.goto(f"{live_server.url}/requests/{reference}/")
    page.get_by_role("button", name="Assess the risk").click()
    panel = page.locator("section", has=page.get_by_role("heading", name="Risk assessment"))
    expect(panel.get_by_role("heading", name="Risk assessment: Very high")).to_be_visible()
    form = page.get_by_role("form", name="Recommend")
    form.get_by_label("Recommendation").select_option(label="Approve")
    form.get_by_label("Reasoning").fill("Civil work only; the lab plan keeps the rigs apart.")
    form.get_by_role("button", name="Recommend").click()
    expect(page.get_by_text("Recommended").first).to_be_visible()


def decide(page, live_server, reference, reasoning):
    page.goto(f"{live_server.url}/requests/{reference}/")
    form = page.get_by_role("form", name="Decide")
    form.get_by_label("Decision").select_option(label="Approved")
    form.get_by_label("Reasoning").fill(reasoning)
    form.get_by_role("button", name="Record decision").click()


def test_a_very_high_request_is_approved_only_once_a_senior_officer_co_signs(
    browser, live_server, listed_partner, requester, reviewer, approver, senior_officer
):
    request = workflow.request_create(
        actor=requester,
        facts=facts(
            title="Cold-climate durability of hydrogen fuel cells",
            partners=[workflow.PartnerInput(organisation=listed_partner, role="Test rigs")],
        ),
    )
    workflow.request_submit(actor=requester, request=request)

    review_very_high(session_for(browser, live_server, reviewer), live_server, request.reference)
    request.refresh_from_db()
    assert (request.status, request.tier) == ("recommended", "very_high")

    approver_page = session_for(browser, live_server, approver)
    decide(approver_page, live_server, request.reference, "Approved by the committee.")
    expect(
        decision_phrase(approver_page, "Approved subject to sign-off by a senior officer")
    ).to_be_visible()
    # Whoever decided gives no sign-off: the approver is offered none.
    expect(approver_page.get_by_role("button", name="Sign off", exact=True)).to_have_count(0)
    request.refresh_from_db()
    assert request.status == "awaiting_sign_off"

    senior_page = session_for(browser, live_server, senior_officer)
    senior_page.goto(f"{live_server.url}/requests/{request.reference}/")
    expect(
        decision_phrase(senior_page, "Approved subject to sign-off by a senior officer")
    ).to_be_visible()
    sign_off_form(senior_page, "assessments:request_sign_off", request.reference).get_by_role(
        "button", name="Sign off", exact=True
    ).click()
    expect(senior_page.get_by_text("Awaiting sign-off", exact=True)).to_have_count(0)
    request.refresh_from_db()
    assert request.status == "approved"
    sign_off = SignOff.objects.get(request=request)
    assert (sign_off.status, sign_off.signed_by, sign_off.signed_as) == (
        "given",
        senior_officer,
        Role.SENIOR_OFFICER,
    )
    assert AuditEvent.objects.filter(request=request, action="request.signed_off").count() == 1


def low_tier_recommended(requester, reviewer) -> PartnershipRequest:
    request = workflow.request_create(actor=requester, facts=facts())
    return advance(request, to="recommended", requester=requester, reviewer=reviewer, tier="low")


def test_a_low_tier_approval_holds_once_the_head_of_department_signs_off(
    browser, live_server, listed_partner, requester, reviewer, head_of_department
):
    request = low_tier_recommended(requester, reviewer)

    reviewer_page = session_for(browser, live_server, reviewer)
    decide(reviewer_page, live_server, request.reference, "Low exposure; checks complete.")
    expect(
        decision_phrase(reviewer_page, "Approved subject to sign-off by the head of department")
    ).to_be_visible()
    request.refresh_from_db()
    assert request.status == "awaiting_sign_off"

    head_page = session_for(browser, live_server, head_of_department)
    head_page.goto(f"{live_server.url}/requests/{request.reference}/")
    sign_off_form(head_page, "assessments:request_sign_off", request.reference).get_by_role(
        "button", name="Sign off", exact=True
    ).click()
    expect(head_page.get_by_text("Awaiting sign-off", exact=True)).to_have_count(0)
    request.refresh_from_db()
    assert request.status == "approved"
    sign_off = SignOff.objects.get(request=request)
    assert (sign_off.signed_by, sign_off.in_place_of) == (head_of_department, "")


def test_a_head_of_department_who_refuses_to_sign_off_returns_the_request_to_the_decider(
    browser, live_server, listed_partner, requester, reviewer, head_of_department
):
    request = low_tier_recommended(requester, reviewer)
    workflow.request_decide(
        actor=reviewer, request=request, outcome="approved", reasoning="Low exposure."
    )

    head_page = session_for(browser, live_server, head_of_department)
    head_page.goto(f"{live_server.url}/requests/{request.reference}/")
    refuse = sign_off_form(head_page, "assessments:request_sign_off_refuse", request.reference)
    refuse.get_by_label("Why do you refuse to sign off?").fill(
        "The department cannot host the visitors this year."
    )
    refuse.get_by_role("button", name="Refuse (with a reason)").click()
    expect(
        head_page.get_by_text("The department cannot host the visitors this year.").first
    ).to_be_visible()
    request.refresh_from_db()
    assert request.status == "recommended"
    sign_off = SignOff.objects.get(request=request)
    assert (sign_off.status, sign_off.reason) == (
        "refused",
        "The department cannot host the visitors this year.",
    )
