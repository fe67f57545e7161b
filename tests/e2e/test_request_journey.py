from playwright.sync_api import expect

from assessments.models import PartnershipRequest


def test_a_requester_registers_and_submits_a_request_and_a_reviewer_takes_it_into_review(
    login, page, live_server, requester, reviewer, browser
):
    login(requester)
    page.get_by_role("link", name="New request").first.click()
    expect(page.get_by_role("heading", name="New partnership request")).to_be_visible()
    page.get_by_label("Title").fill("Joint laboratory for marine robotics")
    page.get_by_label("Summary").fill("Autonomous underwater vehicles for coastal surveys.")
    page.fill("#id_lead_academic", "Dr Ffion Jones")
    page.get_by_label("Collaboration type").select_option(label="Joint project")
    page.get_by_label("Where the work happens").select_option(label="Both")
    page.get_by_label("Advanced Robotics").check()

    page.fill("#id_partners-0-name", "Harbin Engineering University")
    page.fill("#id_partners-0-name_native", "哈尔滨工程大学")
    page.select_option("#id_partners-0-country", "CN")
    page.fill("#id_partners-0-city", "Harbin, Heilongjiang")
    page.fill("#id_partners-0-role", "Sea trials")
    page.fill("#id_partners-1-name", "Ocean University of China")
    page.fill("#id_partners-1-name_native", "中国海洋大学")
    page.select_option("#id_partners-1-country", "CN")
    page.fill("#id_partners-1-role", "Data analysis")

    page.fill("#id_funding-0-funder_name", "UKRI")
    page.select_option("#id_funding-0-country", "GB")
    page.select_option("#id_funding-0-funder_type", label="UK public funder")
    page.fill("#id_funding-0-amount", "120000")
    page.get_by_role("button", name="Save draft").click()

    expect(page.get_by_text("registered as a draft")).to_be_visible()
    expect(
        page.get_by_role("cell", name="Harbin Engineering University 哈尔滨工程大学")
    ).to_be_visible()
    expect(page.get_by_text("中国海洋大学", exact=True)).to_be_visible()
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("Submitted for review.")).to_be_visible()

    pr = PartnershipRequest.objects.get()
    assert pr.partners.count() == 2
    assert pr.funding_sources.get().funder_name == "UKRI"

    reviewer_context = browser.new_context()
    reviewer_page = reviewer_context.new_page()
    reviewer_page.goto(f"{live_server.url}/accounts/login/")
    reviewer_page.get_by_label("Username").fill(reviewer.username)
    reviewer_page.get_by_label("Password").fill("correct-horse-battery-staple")
    reviewer_page.get_by_role("button", name="Log in").click()
    reviewer_page.get_by_role("link", name=pr.reference).click()
    reviewer_page.get_by_role("button", name="Take into review").click()
    expect(reviewer_page.get_by_text("Taken into review: you are its reviewer.")).to_be_visible()
    expect(reviewer_page.get_by_text("Under review").first).to_be_visible()
    reviewer_context.close()
    pr.refresh_from_db()
    assert pr.status == "under_review"
    assert pr.reviewer == reviewer
