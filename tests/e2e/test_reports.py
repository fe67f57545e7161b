from playwright.sync_api import expect

from tests.assessments.reports.factories import aware, make_organisation, make_request


def test_a_reviewer_reads_a_chart_as_a_table_and_downloads_a_filtered_export(
    login, page, live_server, reviewer, requester, engineering
):
    southeast = make_organisation("Southeast University", city="Jiangsu", native="东南大学")
    for year in (2019, 2021):
        make_request(
            department=engineering,
            created_by=requester,
            created_at=aware(year, 3),
            submitted_at=aware(year, 4),
            partners=[southeast],
            title=f"Joint project {year}",
        )
    login(reviewer)
    expect(page.get_by_role("heading", name="Portfolio")).to_be_visible()
    expect(
        page.get_by_role("img", name="Requests by partner country: China 2 (100%)")
    ).to_be_visible()
    page.get_by_text("Data table: Requests by partner country").click()
    expect(page.get_by_role("cell", name="100.0%").first).to_be_visible()

    page.get_by_role("link", name="Exports").click()
    page.get_by_label("Registered from").fill("2021-01-01")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download CSV").click()
    download = download_info.value
    assert download.suggested_filename.startswith("ukcn-requests-")
    with open(download.path(), encoding="utf-8") as handle:
        text = handle.read()
    assert text.startswith("\ufeffReference,")
    assert "Joint project 2021" in text
    assert "Joint project 2019" not in text


def test_a_reviewer_exports_the_filtered_request_list_from_the_list_itself(
    login, page, live_server, reviewer, requester, engineering
):
    munich = make_organisation("Technical University of Munich", country="DE")
    southeast = make_organisation("Southeast University", native="东南大学")
    make_request(department=engineering, created_by=requester, title="Robots", partners=[munich])
    make_request(department=engineering, created_by=requester, title="Wind", partners=[southeast])
    login(reviewer)
    page.get_by_role("link", name="Requests", exact=True).click()
    page.get_by_label("Partner country").select_option("DE")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("status")).to_have_text("1 request")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV").click()
    with open(download_info.value.path(), encoding="utf-8") as handle:
        text = handle.read()
    assert "Robots" in text
    assert "Wind" not in text


def test_a_requester_opens_the_audit_report_from_the_request_page(
    login, page, live_server, requester, engineering
):
    request = make_request(
        department=engineering,
        created_by=requester,
        title="Joint project on wind",
        partners=[make_organisation("Southeast University", native="东南大学")],
    )
    login(requester)
    page.goto(f"{live_server.url}/requests/{request.reference}/")
    page.get_by_role("link", name="Audit report", exact=True).click()
    expect(page.get_by_role("heading", name=f"Audit report: {request.reference}")).to_be_visible()
    expect(page.get_by_role("heading", name="Southeast University · 东南大学")).to_be_visible()
    expect(page.get_by_role("link", name="Download as PDF")).to_be_visible()
