from playwright.sync_api import expect


def test_a_reviewer_logs_in_sees_the_dashboard_and_logs_out(login, page, live_server, reviewer):
    login(reviewer)
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    page.get_by_role("button", name="reviewer").click()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in to ukcn")).to_be_visible()
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/")
