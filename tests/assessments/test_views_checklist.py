"""The checklist page: reviewers answer it, anyone who may see the request reads it."""

import pytest

from assessments.checklists import (
    AnswerInput,
    checklist_answers_save,
    checklist_version_for_request,
)
from assessments.models import ChecklistAnswer
from assessments.scoring.assessing import request_assess

from .checklist_factories import load_reference_data, make_request
from .scoring_data import match


@pytest.fixture
def partnership_request(requester, engineering):
    load_reference_data()
    # Reviewers answer the checklist of a request in review (not of a draft).
    return make_request(created_by=requester, department=engineering, status="under_review")


def url(partnership_request) -> str:
    return f"/requests/{partnership_request.reference}/checklist/"


def blank_answers(**answers) -> dict:
    data = {f"GP-{n:02d}-answer": "" for n in range(1, 15) if n != 6}
    data.update({f"CT-{n:02d}-answer": "" for n in range(1, 9)})
    data.update(answers)
    return data


def test_a_reviewer_sees_every_item_with_its_help_text_and_a_form(
    client, reviewer, partnership_request
):
    client.force_login(reviewer)
    response = client.get(url(partnership_request))
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('name="GP-') >= 13 * 4
    assert page.count('name="CT-') >= 8 * 4
    assert "Building connections and partnerships" in page
    assert "Mitigating potential risks" in page
    assert "Knowledge sharing" in page
    assert "third-party translators" in page
    assert "Former visiting PhD students" in page  # GP-03's help text
    assert "Risk controls" in page
    assert "0 of 21 items answered" in page
    assert "Good practice: recorded, never changes the tier" in page


def test_the_controls_a_request_needs_are_marked_required_and_counted(
    client, reviewer, requester, engineering
):
    from .checklist_factories import add_partner

    load_reference_data()
    pr = make_request(
        created_by=requester, department=engineering, status="under_review", staff_travel=True
    )
    add_partner(pr, "Eastern Polytechnic", "university", "CN")
    client.force_login(reviewer)
    page = client.get(url(pr)).content.decode()
    # Staff travel (CT-04, travel briefing) and a partner in China (CT-08, declarations).
    assert "0 of the 2 controls that apply to this request answered" in page
    assert page.count("Applies to this request: answer required") == 2
    for ref_id in ("CT-04", "CT-08"):
        card = page.split(f'id="{ref_id}"', 1)[1].split("</article>", 1)[0]
        assert "answer required" in card
    card = page.split('id="CT-01"', 1)[1].split("</article>", 1)[0]
    assert "its risk is not present in this request" in card


def test_a_reviewer_saves_answers(client, reviewer, partnership_request):
    client.force_login(reviewer)
    response = client.post(
        url(partnership_request),
        blank_answers(
            **{
                "GP-01-answer": "met",
                "GP-07-answer": "met",
                "GP-07-evidence_notes": "News, trackers and entity lists searched on 2 March.",
                "GP-12-answer": "unsure",
                "GP-12-explanation": "Depends on the consortium agreement.",
            }
        ),
    )
    assert response.status_code == 302
    saved = dict(
        ChecklistAnswer.objects.filter(request=partnership_request).values_list("ref_id", "answer")
    )
    assert saved == {"GP-01": "met", "GP-07": "met", "GP-12": "unsure"}
    page = client.get(url(partnership_request)).content.decode()
    assert "Checklist saved: 3 answers changed." in page
    assert "3 of 21 items answered" in page


def test_an_unexplained_unsure_answer_is_shown_as_an_error_and_nothing_is_saved(
    client, reviewer, partnership_request
):
    client.force_login(reviewer)
    response = client.post(
        url(partnership_request),
        blank_answers(**{"GP-01-answer": "met", "GP-05-answer": "unsure", "GP-09-answer": "met"}),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Explain why you are unsure" in page
    assert "This item needs evidence" in page
    assert not ChecklistAnswer.objects.exists()


def test_the_requester_reads_the_answers_but_has_no_form(
    client, requester, reviewer, partnership_request
):
    checklist_answers_save(
        request=partnership_request,
        actor=reviewer,
        answers=[AnswerInput("GP-01", "not_met")],
    )
    client.force_login(requester)
    page = client.get(url(partnership_request)).content.decode()
    assert "Not met" in page
    assert 'name="GP-01-answer"' not in page
    assert "Save answers" not in page


def test_a_reviewer_who_registered_the_request_reads_why_they_may_not_answer(
    client, reviewer, engineering
):
    load_reference_data()
    own = make_request(created_by=reviewer, department=engineering, status="under_review")
    client.force_login(reviewer)
    page = client.get(url(own)).content.decode()
    assert "Save answers" not in page
    assert "Segregation of duties: you registered or submitted" in page
    response = client.post(url(own), blank_answers(**{"GP-01-answer": "met"}))
    assert response.status_code == 403
    assert not ChecklistAnswer.objects.exists()


def test_a_requester_cannot_post_answers(client, requester, partnership_request):
    client.force_login(requester)
    response = client.post(url(partnership_request), blank_answers(**{"GP-01-answer": "met"}))
    assert response.status_code == 403
    assert not ChecklistAnswer.objects.exists()


def test_someone_from_another_department_gets_a_404(client, other_requester, partnership_request):
    client.force_login(other_requester)
    assert client.get(url(partnership_request)).status_code == 404


def test_a_decided_request_is_read_only_even_for_a_reviewer(client, reviewer, partnership_request):
    partnership_request.status = "approved"
    partnership_request.save()
    client.force_login(reviewer)
    page = client.get(url(partnership_request)).content.decode()
    assert "Save answers" not in page
    assert "Read only for you: The checklist can be answered only while" in page
    response = client.post(url(partnership_request), blank_answers(**{"GP-01-answer": "met"}))
    assert response.status_code == 403


def test_the_page_shows_the_latest_assessment_breakdown(
    client, auditor, reviewer, partnership_request
):
    request_assess(
        request=partnership_request,
        actor=reviewer,
        confirmed_matches=[match("very_high", name="Northern Institute of Technology")],
    )
    client.force_login(auditor)
    page = client.get(url(partnership_request)).content.decode()
    assert "Very high" in page
    assert "Northern Institute of Technology is confirmed as" in page
    assert "Confirmed watchlist match" in page
    assert "scoring policy version 1" in page
    assert "At least very high" in page
    assert "a senior officer co-signs" in page


def test_a_section_saves_on_its_own_and_the_page_counts_progress(
    client, reviewer, partnership_request
):
    client.force_login(reviewer)
    data = blank_answers(
        **{
            "section": "connections",
            "GP-01-answer": "met",
            # An item of another section, sent along, is not touched by this section's save.
            "GP-12-answer": "unsure",
        }
    )
    response = client.post(url(partnership_request), data)
    assert response.status_code == 302
    assert response["Location"].endswith("#section-connections")
    assert list(ChecklistAnswer.objects.values_list("ref_id", flat=True)) == ["GP-01"]
    page = client.get(url(partnership_request)).content.decode()
    items = checklist_version_for_request(partnership_request).items
    assert f"1 of {len(items)} items answered" in page
    in_connections = sum(1 for item in items if item["group"] == "connections")
    assert f"1 of {in_connections} answered" in page
    assert page.count('name="section"') == len({item["group"] for item in items})
    assert "data-unsaved-warning" in page
    # A refused section keeps the other sections as saved and says what is wrong at the top.
    response = client.post(
        url(partnership_request), {"section": "knowledge", "GP-12-answer": "unsure"}
    )
    assert response.status_code == 200
    assert "data-error-summary" in response.content.decode()
    assert 'href="#id_GP-12-explanation"' in response.content.decode()
    assert ChecklistAnswer.objects.count() == 1
