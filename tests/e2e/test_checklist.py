from playwright.sync_api import expect

from assessments.models import ChecklistAnswer
from tests.assessments.checklist_factories import load_reference_data, make_request


def test_a_reviewer_explains_an_unsure_answer_before_it_is_saved(
    login, page, live_server, reviewer, requester, engineering
):
    load_reference_data()
    # Reviewers answer the checklist of a request sent for review, not of a draft.
    request = make_request(created_by=requester, department=engineering, status="submitted")
    login(reviewer)
    page.goto(f"{live_server.url}/requests/{request.reference}/checklist/")
    item = page.locator("#GP-05")
    item.get_by_label("Unsure").check()
    # Each section saves on its own (the checklist's sections changed this test's button).
    save = page.locator("#section-connections").get_by_role("button", name="Save")
    save.click()
    expect(page.locator("#GP-05")).to_contain_text("Explain why you are unsure")
    page.locator("#GP-05").get_by_label("Explanation").fill("The agenda is still being drafted.")
    save.click()
    expect(page.get_by_role("status")).to_contain_text("1 answer changed")
    answer = ChecklistAnswer.objects.get(request=request)
    assert (answer.ref_id, answer.answer) == ("GP-05", "unsure")
