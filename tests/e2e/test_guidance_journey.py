from playwright.sync_api import expect

from guidance.models import GuidanceItem, Status


def test_an_editor_publishes_guidance_in_the_admin_and_a_reviewer_finds_it_by_search(
    login, page, live_server, guidance_editor, reviewer, browser
):
    guidance_editor.is_staff = True
    guidance_editor.save()
    GuidanceItem.objects.create(
        ref_id="G-E2E",
        source_institution="Test University",
        title="Hosting visiting researchers in laboratories",
        slug="hosting-visitors",
        summary="What to check before a visitor gets laboratory access.",
        body="Ask whether the equipment is **export-controlled** before the visit.",
        status=Status.DRAFT,
    )

    login(guidance_editor)
    page.goto(f"{live_server.url}/admin/guidance/guidanceitem/")
    page.get_by_role("row", name="Hosting visiting researchers").get_by_role("checkbox").check()
    page.get_by_label("Action:").select_option(label="Publish selected guidance")
    page.get_by_role("button", name="Go").click()
    expect(page.get_by_text("Published 1 item(s).")).to_be_visible()

    reader = browser.new_context().new_page()
    reader.goto(f"{live_server.url}/accounts/login/")
    reader.get_by_label("Username").fill(reviewer.username)
    reader.get_by_label("Password").fill("correct-horse-battery-staple")
    reader.get_by_role("button", name="Log in").click()
    reader.get_by_role("link", name="Guidance").click()
    reader.get_by_label("Search", exact=True).fill("export controlled laboratory")
    reader.get_by_role("button", name="Search").click()
    result = reader.get_by_role("link", name="Hosting visiting researchers in laboratories")
    expect(result).to_be_visible()
    expect(reader.locator(".guidance-snippet mark").first).to_be_visible()
    result.click()
    expect(
        reader.get_by_role("heading", name="Hosting visiting researchers in laboratories")
    ).to_be_visible()
    expect(reader.locator(".guidance-body strong")).to_have_text("export-controlled")
