from playwright.sync_api import expect

from assessments.screening.service import screen_request
from tests.assessments.screening.conftest import (  # noqa: F401 (fixtures)
    aspi,
    fresh_index_cache,
    make_request,
    watchlist_rows,
)


def test_a_reviewer_dismisses_a_potential_match_with_a_reason(
    login,
    page,
    live_server,
    aspi,  # noqa: F811 (a fixture)
    make_request,  # noqa: F811 (a fixture)
    reviewer,
):
    request = make_request("Beihang Univ.")
    screen_request(request=request, actor=reviewer)
    login(reviewer)
    page.goto(f"{live_server.url}/requests/{request.reference}/screening/")
    expect(page.get_by_role("heading", name="Watchlist screening")).to_be_visible()
    expect(page.get_by_text("Potential match", exact=True)).to_be_visible()
    page.get_by_text("Why this matched").click()
    expect(page.get_by_text("read 'univ' as 'university'")).to_be_visible()
    page.get_by_label("Reason for your decision").fill("A different body with a similar name.")
    page.get_by_role("button", name="Dismiss").click()
    expect(page.get_by_text("A different body with a similar name.").first).to_be_visible()
    expect(page.get_by_role("button", name="Confirm match")).to_have_count(0)
