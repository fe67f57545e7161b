from playwright.sync_api import expect

from tests.assessments.screening.conftest import (  # noqa: F401 (fixtures)
    aspi,
    fresh_index_cache,
    watchlist_rows,
)


def test_typing_a_listed_partner_name_shows_the_potential_match_in_that_row(
    login,
    page,
    live_server,
    aspi,  # noqa: F811 (a fixture)
    requester,
):
    blocked = []
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    checks = []
    page.on(
        "request",
        lambda request: checks.append(request.url) if "/screening/check" in request.url else None,
    )
    login(requester)
    page.goto(f"{live_server.url}/requests/new/")
    page.select_option("#id_partners-0-country", "CN")
    page.locator("#id_partners-0-name").press_sequentially("Harbin Engineering Univ.", delay=30)

    row = page.locator("#partners-0-screening")
    expect(row).to_contain_text("Possible watchlist match for “Harbin Engineering Univ.”")
    expect(row).to_contain_text("Harbin Engineering University (ASPI tracker v1, risk very high")
    expect(page.locator("#partners-1-screening")).to_be_empty()
    # One request once typing pauses (and one when the country was chosen), not one per key.
    assert len(checks) <= 4

    page.locator("#id_partners-0-name_native").press_sequentially("清华大学", delay=30)
    expect(row).to_contain_text("Tsinghua University (ASPI tracker v1")
    expect(row).to_contain_text("Harbin Engineering University")

    page.locator("#id_partners-1-name").press_sequentially("University of Oxford", delay=30)
    expect(page.locator("#partners-1-screening")).to_contain_text(
        "No watchlist match for “University of Oxford”"
    )
    assert blocked == []
