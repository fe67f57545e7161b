import pytest
from django.urls import reverse

from assessments.models import (
    AuditEvent,
    FundingSource,
    Organisation,
    Partner,
    PartnershipRequest,
    RequestStatus,
    Sector,
)
from guidance.lessons import lesson_submit
from guidance.models import GuidanceItem, Kind, Status
from ukcn.refusals import Refusal


@pytest.fixture
def decided_request(requester, engineering, reviewer):
    partnership = PartnershipRequest.objects.create(
        reference="UKCN-2026-0042",
        title="Graphene membranes for desalination",
        summary="Joint work on membranes.",
        lead_academic="Dr Jane Smithson",
        lead_academic_email="j.smithson@example.ac.uk",
        department=engineering,
        created_by=requester,
        reviewer=reviewer,
        collaboration_type="joint_project",
        work_location="both",
        status=RequestStatus.APPROVED_WITH_CONDITIONS,
        tier="high",
    )
    organisation = Organisation.objects.create(
        name="Eastern Institute of Technology", name_native="东方理工学院", country="CN"
    )
    Partner.objects.create(request=partnership, organisation=organisation)
    FundingSource.objects.create(
        request=partnership, funder_name="Provincial Science Fund", funder_type="partner_government"
    )
    partnership.sectors.add(Sector.objects.get(code="advanced-materials"))
    return partnership


LESSON = (
    "On UKCN-2026-0042 Dr Jane Smithson found that Eastern Institute of Technology "
    "(东方理工学院) shared its Provincial Science Fund agreement only late. Smithson "
    "and reviewer asked early next time. Graphene membranes for desalination went ahead."
)


def test_an_anonymised_lesson_becomes_a_draft_case_study_without_names(decided_request, reviewer):
    item = lesson_submit(request=decided_request, author=reviewer, text=LESSON, anonymise=True)
    assert item.kind == Kind.CASE_STUDY
    assert item.status == Status.DRAFT
    assert item.share_with_peers is True
    assert item.owner is None
    text = f"{item.title} {item.summary} {item.body}"
    for identifying in (
        "UKCN-2026-0042",
        "Smithson",
        "Jane",
        "Eastern Institute",
        "东方理工学院",
        "Provincial Science Fund",
        "Graphene membranes for desalination",
        "reviewer",
    ):
        assert identifying not in text, identifying
    assert "[partner]" in item.body and "[person]" in item.body and "[reference]" in item.body
    assert "High" in item.body and "CN" in item.body
    assert list(item.sectors.values_list("code", flat=True)) == ["advanced-materials"]
    event = AuditEvent.objects.get(action="guidance.lesson_submit")
    assert event.request == decided_request


def test_a_named_lesson_keeps_the_names_and_stays_inside_the_institution(decided_request, reviewer):
    item = lesson_submit(request=decided_request, author=reviewer, text=LESSON, anonymise=False)
    assert "UKCN-2026-0042" in item.title
    assert "Smithson" in item.body
    assert item.share_with_peers is False
    assert item.owner == reviewer


def test_lessons_wait_until_the_request_is_decided(decided_request, reviewer):
    decided_request.status = RequestStatus.UNDER_REVIEW
    decided_request.save()
    with pytest.raises(Refusal, match="decided"):
        lesson_submit(request=decided_request, author=reviewer, text="x", anonymise=True)


def test_only_reviewers_and_approvers_write_lessons(decided_request, requester):
    with pytest.raises(Refusal, match="reviewers and approvers"):
        lesson_submit(request=decided_request, author=requester, text="x", anonymise=True)


def test_a_reviewer_writes_a_lesson_through_the_form(client, decided_request, reviewer):
    client.force_login(reviewer)
    url = reverse("guidance:lesson_new") + "?request=UKCN-2026-0042"
    assert "Write a lesson learned" in client.get(url).content.decode()
    response = client.post(url, {"text": LESSON, "anonymise": "on"})
    assert response.status_code == 302
    item = GuidanceItem.objects.get()
    assert "Smithson" not in item.body


def test_the_lesson_form_shows_errors_for_an_empty_lesson(client, decided_request, approver):
    client.force_login(approver)
    url = reverse("guidance:lesson_new") + "?request=UKCN-2026-0042"
    response = client.post(url, {"text": "", "anonymise": "on"})
    assert response.status_code == 400
    assert not GuidanceItem.objects.exists()


def test_the_lesson_form_is_refused_to_requesters_and_404s_unknown_requests(
    client, decided_request, requester, reviewer
):
    client.force_login(requester)
    assert client.get(reverse("guidance:lesson_new") + "?request=UKCN-2026-0042").status_code == 403
    client.force_login(reviewer)
    assert client.get(reverse("guidance:lesson_new") + "?request=NOPE").status_code == 404


def test_the_lesson_form_explains_when_the_request_is_not_decided(
    client, decided_request, reviewer
):
    decided_request.status = RequestStatus.UNDER_REVIEW
    decided_request.save()
    client.force_login(reviewer)
    page = client.get(reverse("guidance:lesson_new") + "?request=UKCN-2026-0042").content.decode()
    assert "once a request is decided" in page
    assert "<textarea" not in page


def test_a_decided_requests_page_offers_reviewers_a_lesson_learned(
    client, decided_request, reviewer, requester
):
    link = reverse("guidance:lesson_new") + "?request=UKCN-2026-0042"
    client.force_login(reviewer)
    assert link in client.get(decided_request.get_absolute_url()).content.decode()
    client.force_login(requester)
    assert link not in client.get(decided_request.get_absolute_url()).content.decode()
