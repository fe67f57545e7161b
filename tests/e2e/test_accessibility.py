"""axe-core on every main page, as each role that uses it: no serious or critical violations."""

import pytest
from playwright.sync_api import expect

from assessments import workflow
from assessments.models import RequestStatus, Watchlist
from assessments.notifications import notify_request_submitted
from assessments.screening import service
from assessments.screening.service import screen_request
from guidance.models import GuidanceItem, Status
from tests.assessments.checklist_factories import load_reference_data
from tests.assessments.request_factories import advance, make_request
from tests.assessments.screening.conftest import make_version
from tests.e2e.axe import axe_install, axe_violations
from ukcn.roles import Role

# Pages each role works with; "{ref}" is a request in the requester's department, under review
# with its checks done; "{fresh}" one just taken into review (every gate open); "{awaiting}" a
# low tier decision awaiting the head of department's sign-off.
PAGES = {
    "requester": [
        "/",
        "/requests/",
        "/requests/new/",
        "/requests/{ref}/",
        "/notifications/",
        "/notifications/preferences/",
        "/guidance/",
        "/guidance/{slug}/",
        "/accounts/tokens/",
    ],
    "reviewer": [
        "/",
        "/requests/",
        "/requests/new/",
        "/requests/{ref}/",
        "/requests/{fresh}/",
        "/requests/{awaiting}/",
        "/requests/{ref}/checklist/",
        "/requests/{ref}/screening/",
        "/requests/{ref}/legal/",
        "/legal/register/",
        "/notifications/",
        "/guidance/",
        "/guidance/?q=visiting",
        "/guidance/{slug}/",
        "/exports/",
        "/reports/annual/2026/",
        "/accounts/tokens/",
    ],
    "approver": ["/", "/requests/", "/requests/{ref}/", "/exports/"],
    "auditor": [
        "/",
        "/requests/",
        "/requests/{ref}/",
        "/requests/{ref}/checklist/",
        "/requests/{ref}/screening/",
        "/exports/",
        "/reports/annual/2026/",
        "/requests/{ref}/report/",
        "/guidance/{slug}/history/",
    ],
    "guidance_editor": ["/", "/guidance/", "/guidance/{slug}/", "/guidance/review/"],
    "head_of_department": ["/", "/requests/", "/requests/{awaiting}/"],
    "senior_officer": ["/", "/requests/", "/requests/{awaiting}/"],
}


@pytest.fixture
def head_of_department(make_user, engineering):
    return make_user("head", Role.HEAD_OF_DEPARTMENT, engineering)


@pytest.fixture
def senior_officer(make_user):
    return make_user("senior", Role.SENIOR_OFFICER)


@pytest.fixture
def pages_world(requester, reviewer, approver, auditor, guidance_editor):
    load_reference_data()
    service._cache.update(version_ids=None, index=None)
    # A long list name and an entry id shaped like the MISP copy's UUIDs: the match's badge
    # must wrap at 390 px.
    watchlist = Watchlist.objects.create(
        name="Internal list of defence-linked universities", format="internal"
    )
    make_version(
        watchlist,
        [
            {
                "id": "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
                "name": "Tsinghua University",
                "country": "CN",
                "risk_level": "high",
            }
        ],
        1,
    )
    request = make_request(requester, title="Joint centre for low-carbon materials")
    advance(request, to=RequestStatus.UNDER_REVIEW, requester=requester, reviewer=reviewer)
    screen_request(request=request, actor=reviewer)
    notify_request_submitted(request=request)
    fresh = make_request(requester, title="Exchange of doctoral students")
    advance(fresh, to=RequestStatus.SUBMITTED, requester=requester, reviewer=reviewer)
    workflow.request_take_into_review(actor=reviewer, request=fresh)
    awaiting = advance(
        make_request(requester, title="Shared sensor test-bed"),
        to=RequestStatus.RECOMMENDED,
        requester=requester,
        reviewer=reviewer,
    )
    workflow.request_decide(
        actor=reviewer, request=awaiting, outcome=RequestStatus.APPROVED, reasoning="Fine."
    )
    guidance = GuidanceItem.objects.create(
        ref_id="G-A11Y",
        source_institution="Test University",
        title="Hosting visiting researchers",
        slug="hosting-visiting-researchers",
        summary="What to check before a visitor gets laboratory access.",
        body="Ask whether the equipment is **export-controlled**.",
        status=Status.PUBLISHED,
    )
    yield {
        "ref": request.reference,
        "fresh": fresh.reference,
        "awaiting": awaiting.reference,
        "slug": guidance.slug,
    }
    service._cache.update(version_ids=None, index=None)


def test_the_login_page_has_no_serious_accessibility_violations(page, live_server):
    axe_install(page)
    page.goto(f"{live_server.url}/accounts/login/")
    assert axe_violations(page) == []


@pytest.mark.parametrize("role", sorted(PAGES))
def test_each_roles_main_pages_have_no_serious_accessibility_violations(
    request, role, login, page, live_server, pages_world
):
    user = request.getfixturevalue(role)
    axe_install(page)
    login(user)
    found = {}
    for template in PAGES[role]:
        path = template.format(**pages_world)
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, f"{path} answered {response.status} to {role}"
        expect(page.locator("main")).to_be_visible()
        violations = axe_violations(page)
        if violations:
            found[path] = violations
    assert not found, "\n".join(f"{path}: {v}" for path, lines in found.items() for v in lines)
