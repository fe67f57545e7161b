import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from assessments import workflow
from assessments.models import (
    Attachment,
    AuditEvent,
    Organisation,
    PartnershipRequest,
    RequestStatus,
    Sector,
)
from ukcn.roles import Role

from .request_factories import advance, make_request

S = RequestStatus
PDF = b"%PDF-1.7\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def detail_url(pr):
    return reverse("assessments:request_detail", args=[pr.reference])


def action_url(pr, action):
    return reverse("assessments:request_action", args=[pr.reference, action])


# --- department scoping ----------------------------------------------------------------------


def test_a_requester_cannot_open_another_departments_request_even_by_its_url(
    client, requester, other_requester
):
    pr = make_request(requester)
    client.force_login(other_requester)
    assert client.get(detail_url(pr)).status_code == 404
    assert client.get(reverse("assessments:request_edit", args=[pr.reference])).status_code == 404
    assert client.post(action_url(pr, "submit")).status_code == 404
    assert PartnershipRequest.objects.get(pk=pr.pk).status == S.DRAFT


def test_a_requester_cannot_download_another_departments_attachment(
    client, requester, other_requester
):
    pr = make_request(requester)
    attachment = workflow.attachment_add(
        actor=requester, request=pr, uploaded_file=SimpleUploadedFile("mou.pdf", PDF)
    )
    client.force_login(other_requester)
    url = reverse("assessments:attachment_download", args=[pr.reference, attachment.pk])
    assert client.get(url).status_code == 404
    assert not AuditEvent.objects.filter(action="attachment.downloaded").exists()


def test_the_list_shows_a_requester_only_their_departments_requests(
    client, requester, other_requester
):
    mine = make_request(requester, title="Engineering centre")
    theirs = make_request(other_requester, title="History archive project")
    client.force_login(requester)
    body = client.get(reverse("assessments:request_list")).content.decode()
    assert mine.reference in body
    assert theirs.reference not in body


def test_the_organisation_page_lists_only_requests_the_user_may_see(
    client, requester, other_requester, reviewer
):
    mine = make_request(requester)
    theirs = make_request(other_requester)
    organisation = Organisation.objects.get(name="Tsinghua University")
    url = reverse("assessments:organisation_detail", args=[organisation.pk])
    client.force_login(requester)
    body = client.get(url).content.decode()
    assert "清华大学" in body
    assert mine.reference in body
    assert theirs.reference not in body
    client.force_login(reviewer)
    body = client.get(url).content.decode()
    assert mine.reference in body and theirs.reference in body


# --- the list --------------------------------------------------------------------------------


def test_the_list_filters_by_status_tier_country_sector_department_dates_and_text(
    client, requester, other_requester, reviewer, history
):
    quantum = Sector.objects.get(name="Quantum Technologies")
    german = Organisation.objects.create(name="TU München", country="DE")
    a = make_request(requester, title="Quantum sensing", no_nsi_sector=False)
    a.sectors.add(quantum)
    b = make_request(
        other_requester, title="Archive", partners=[workflow.PartnerInput(german, "Host")]
    )
    advance(b, to=S.UNDER_REVIEW, requester=other_requester, reviewer=reviewer, tier="high")
    client.force_login(reviewer)
    url = reverse("assessments:request_list")

    def found(**params):
        body = client.get(url, params).content.decode()
        return {pr.reference for pr in (a, b) if pr.reference in body}

    assert found() == {a.reference, b.reference}
    assert found(status="under_review") == {b.reference}
    assert found(tier="high") == {b.reference}
    assert found(tier="unscored") == {a.reference}
    assert found(country="DE") == {b.reference}
    assert found(sector=quantum.code) == {a.reference}
    assert found(department=history.code) == {b.reference}
    assert found(q="quantum") == {a.reference}
    assert found(q="München") == {b.reference}
    assert found(q="清华") == {a.reference}
    today = timezone.localdate()
    assert found(created_from=today.isoformat()) == {a.reference, b.reference}
    assert found(created_to=(today - timedelta(days=1)).isoformat()) == set()
    assert found(q="Archive", country="DE", department=history.code) == {b.reference}


def test_the_list_refuses_bad_filters_with_a_message_instead_of_ignoring_them(
    client, reviewer, requester
):
    pr = make_request(requester)
    client.force_login(reviewer)
    response = client.get(
        reverse("assessments:request_list"),
        {"created_from": "2026-02-01", "created_to": "2026-01-01"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "must not be after" in body
    assert pr.reference not in body
    assert "Export this list" not in body


def test_the_list_links_to_exports_of_itself_with_its_filters(client, reviewer, requester):
    make_request(requester)
    client.force_login(reviewer)
    response = client.get(
        reverse("assessments:request_list"), {"tier": "high", "country": "CN", "page": "1"}
    )
    body = response.content.decode()
    assert "Export this list" in body
    for fmt in ("csv", "xlsx", "json"):
        assert f'href="/exports/requests.{fmt}?tier=high&amp;country=CN"' in body


def test_an_export_link_from_the_list_exports_the_same_requests(client, reviewer, requester):
    quantum = Sector.objects.get(name="Quantum Technologies")
    wanted = make_request(requester, title="Quantum sensing", no_nsi_sector=False)
    wanted.sectors.add(quantum)
    make_request(requester, title="Archive")
    client.force_login(reviewer)
    listed = client.get(reverse("assessments:request_list"), {"sector": quantum.code})
    assert list(listed.context["page"].object_list) == [wanted]
    exported = client.get("/exports/requests.json", {"sector": quantum.code})
    document = json.loads(b"".join(exported.streaming_content))
    assert [row["reference"] for row in document["requests"]] == [wanted.reference]


def test_the_list_offers_a_requester_no_department_filter(client, requester):
    client.force_login(requester)
    body = client.get(reverse("assessments:request_list")).content.decode()
    assert 'name="department"' not in body
    assert 'name="sector"' in body


def test_the_list_paginates(client, reviewer, requester):
    for i in range(27):
        make_request(requester, title=f"Request {i}")
    client.force_login(reviewer)
    response = client.get(reverse("assessments:request_list"), {"page": 2})
    assert response.context["page"].number == 2
    assert len(response.context["page"].object_list) == 2


def test_the_list_query_count_does_not_grow_with_the_number_of_requests(
    client, reviewer, requester, django_assert_max_num_queries
):
    organisations = [
        Organisation.objects.create(name=f"Partner {i}", country="CN") for i in range(3)
    ]
    partners = [workflow.PartnerInput(o) for o in organisations]
    make_request(requester, partners=partners)
    client.force_login(reviewer)
    url = reverse("assessments:request_list")
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    for i in range(40):
        make_request(requester, title=f"Request {i}", partners=partners)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert len(response.context["page"].object_list) == 25


# --- the form --------------------------------------------------------------------------------


def form_data(**overrides):
    data = {
        "title": "Joint lab on perovskite solar cells",
        "summary": "Two PhD exchanges and shared samples.",
        "lead_academic": "Prof. Jane Smith",
        "lead_academic_email": "",
        "collaboration_type": "joint_project",
        "work_location": "both",
        "start_date": "2027-02-01",
        "end_date": "2029-01-31",
        "no_nsi_sector": "on",
        "people_exchanged": "2",
        "ip_arrangements": "",
        "sensitivity_notes": "",
        "statement_of_intent": "",
        "version": "",
        "partners-TOTAL_FORMS": "2",
        "partners-INITIAL_FORMS": "0",
        "partners-MIN_NUM_FORMS": "0",
        "partners-MAX_NUM_FORMS": "1000",
        "partners-0-organisation": "",
        "partners-0-name": "Nanjing University",
        "partners-0-name_native": "南京大学",
        "partners-0-country": "CN",
        "partners-0-org_type": "university",
        "partners-0-city": "Nanjing, Jiangsu",
        "partners-0-website": "https://www.nju.edu.cn",
        "partners-0-role": "Co-investigator",
        "partners-1-organisation": "",
        "partners-1-name": "",
        "partners-1-name_native": "",
        "partners-1-country": "",
        "partners-1-org_type": "university",
        "partners-1-city": "",
        "partners-1-website": "",
        "partners-1-role": "",
        "funding-TOTAL_FORMS": "1",
        "funding-INITIAL_FORMS": "0",
        "funding-MIN_NUM_FORMS": "0",
        "funding-MAX_NUM_FORMS": "1000",
        "funding-0-funder_name": "NSFC",
        "funding-0-country": "CN",
        "funding-0-funder_type": "partner_government",
        "funding-0-amount": "250000",
        "funding-0-currency": "cny",
    }
    data.update(overrides)
    return data


def test_a_requester_registers_a_request_with_a_new_partner_and_funding(client, requester):
    client.force_login(requester)
    response = client.post(reverse("assessments:request_create"), form_data())
    pr = PartnershipRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail_url(pr)
    partner = pr.partners.get()
    assert partner.organisation.name_native == "南京大学"
    assert partner.organisation.country == "CN"
    assert partner.role == "Co-investigator"
    funding = pr.funding_sources.get()
    assert (funding.funder_name, funding.currency) == ("NSFC", "CNY")
    assert AuditEvent.objects.filter(action="organisation.created").count() == 1


def test_an_existing_organisation_is_reused_not_duplicated(client, requester):
    existing = make_request(requester).partners.get().organisation
    client.force_login(requester)
    client.post(
        reverse("assessments:request_create"),
        form_data(**{"partners-0-organisation": str(existing.pk), "partners-0-name": ""}),
    )
    assert Organisation.objects.count() == 1
    assert PartnershipRequest.objects.latest("id").partners.get().organisation == existing


def test_the_form_lists_only_organisations_in_the_requesters_departments_requests(
    client, requester, other_requester
):
    own = make_request(requester).partners.get().organisation
    theirs = Organisation.objects.create(name="Harbin Institute of Technology", country="CN")
    make_request(
        other_requester, partners=[workflow.PartnerInput(organisation=theirs, role="Lead")]
    )
    client.force_login(requester)
    page = client.get(reverse("assessments:request_create")).content.decode()
    assert own.name in page
    assert "Harbin Institute" not in page


def test_another_departments_organisation_is_refused_by_id_and_reused_by_name(
    client, requester, other_requester
):
    theirs = Organisation.objects.create(name="Nanjing University", country="CN")
    make_request(
        other_requester, partners=[workflow.PartnerInput(organisation=theirs, role="Lead")]
    )
    client.force_login(requester)
    response = client.post(
        reverse("assessments:request_create"),
        form_data(**{"partners-0-organisation": str(theirs.pk), "partners-0-name": ""}),
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    # Typed by name and country, it is the same organisation: reused, not duplicated.
    response = client.post(
        reverse("assessments:request_create"),
        form_data(**{"partners-0-name": "nanjing university"}),
    )
    assert response.status_code == 302
    assert Organisation.objects.count() == 1
    assert PartnershipRequest.objects.latest("id").partners.get().organisation == theirs


def test_a_partner_without_name_or_valid_country_shows_form_errors(client, requester):
    client.force_login(requester)
    response = client.post(
        reverse("assessments:request_create"),
        form_data(**{"partners-0-name": "", "partners-1-country": "China"}),
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Choose an existing organisation" in body
    assert "Select a valid choice" in body
    assert not PartnershipRequest.objects.exists()
    assert not Organisation.objects.exists()


def test_funding_needs_a_funder_or_an_explicit_undisclosed_origin(client, requester):
    client.force_login(requester)
    response = client.post(
        reverse("assessments:request_create"), form_data(**{"funding-0-funder_name": ""})
    )
    assert "origin undisclosed" in response.content.decode()
    assert not PartnershipRequest.objects.exists()
    client.post(
        reverse("assessments:request_create"),
        form_data(**{"funding-0-funder_name": "", "funding-0-origin_undisclosed": "on"}),
    )
    assert PartnershipRequest.objects.get().funding_sources.get().origin_undisclosed


def test_an_auditor_cannot_open_the_new_request_form(client, auditor):
    client.force_login(auditor)
    assert client.get(reverse("assessments:request_create")).status_code == 404


def test_editing_with_a_stale_version_shows_the_conflict_and_keeps_the_other_save(
    client, make_user, engineering, requester
):
    pr = make_request(requester)
    edit_url = reverse("assessments:request_edit", args=[pr.reference])
    client.force_login(requester)
    stale_version = client.get(edit_url).context["form"].initial["version"]
    colleague = make_user("colleague", "requester", engineering)
    workflow.request_update(
        actor=colleague,
        request=pr,
        version=pr.version,
        facts=workflow.RequestFacts(
            fields={"title": "Colleague's title"},
            partners=[workflow.PartnerInput(o) for o in Organisation.objects.all()],
        ),
    )
    response = client.post(
        edit_url,
        form_data(
            version=str(stale_version),
            **{"partners-0-organisation": str(Organisation.objects.get().pk)},
        ),
    )
    assert response.status_code == 200
    assert "changed by someone else" in response.content.decode()
    assert PartnershipRequest.objects.get(pk=pr.pk).title == "Colleague's title"
    # The rejected save registered no organisation either.
    assert Organisation.objects.count() == 1


# --- the detail page and its actions ---------------------------------------------------------


def test_the_detail_page_shows_the_facts_actions_and_timeline(client, requester):
    pr = make_request(requester)
    client.force_login(requester)
    response = client.get(detail_url(pr))
    body = response.content.decode()
    assert "清华大学" in body
    assert "UKRI" in body
    assert "Submit for review" in body
    assert f"Registered {pr.reference}" in body


def test_submitting_and_taking_into_review_through_the_pages(client, requester, reviewer):
    pr = make_request(requester)
    client.force_login(requester)
    assert client.post(action_url(pr, "submit")).status_code == 302
    client.force_login(reviewer)
    body = client.get(detail_url(pr)).content.decode()
    assert "Take into review" in body
    client.post(action_url(pr, "take_into_review"))
    assert PartnershipRequest.objects.get(pk=pr.pk).status == S.UNDER_REVIEW


def test_a_refused_action_shows_its_reason_and_changes_nothing(client, requester, reviewer):
    pr = make_request(requester)
    client.force_login(reviewer)
    response = client.post(action_url(pr, "take_into_review"), follow=True)
    assert "Only a submitted request can be taken into review." in response.content.decode()
    assert PartnershipRequest.objects.get(pk=pr.pk).status == S.DRAFT


def test_deciding_a_high_tier_request_needs_a_second_person_through_the_page(
    client, requester, reviewer, second_reviewer, approver
):
    pr = advance(
        make_request(requester),
        to=S.RECOMMENDED,
        requester=requester,
        reviewer=reviewer,
        tier="high",
    )
    data = {"decide-outcome": "approved", "decide-reasoning": "Fine."}
    client.force_login(second_reviewer)
    response = client.post(action_url(pr, "decide"), data, follow=True)
    assert "needs an approver" in response.content.decode()
    client.force_login(approver)
    client.post(action_url(pr, "decide"), data)
    assert PartnershipRequest.objects.get(pk=pr.pk).status == S.APPROVED


def test_an_approval_with_conditions_through_the_page(client, requester, reviewer, make_user):
    head = make_user("head", Role.HEAD_OF_DEPARTMENT, requester.profile.department)
    pr = advance(make_request(requester), to=S.RECOMMENDED, requester=requester, reviewer=reviewer)
    due = (timezone.localdate() + timedelta(days=30)).isoformat()
    client.force_login(reviewer)
    client.post(
        action_url(pr, "decide"),
        {
            "decide-outcome": "approved_with_conditions",
            "decide-reasoning": "Ok.",
            "decide-condition_text": "Data management plan",
            "decide-condition_owner": str(requester.pk),
            "decide-condition_due_date": due,
        },
    )
    pr.refresh_from_db()
    # A low tier decision waits for the head of department; its conditions start with it.
    assert pr.status == S.AWAITING_SIGN_OFF
    assert not pr.conditions.exists()
    client.force_login(head)
    client.post(reverse("assessments:request_sign_off", args=[pr.reference]))
    pr.refresh_from_db()
    assert pr.status == S.APPROVED_WITH_CONDITIONS
    condition = pr.conditions.get()
    client.force_login(requester)
    client.post(reverse("assessments:condition_met", args=[pr.reference, condition.pk]))
    condition.refresh_from_db()
    assert condition.status == "met"


def test_an_unknown_action_is_a_404(client, requester):
    pr = make_request(requester)
    client.force_login(requester)
    assert client.post(action_url(pr, "delete")).status_code == 404


def test_actions_accept_only_post(client, requester):
    pr = make_request(requester)
    client.force_login(requester)
    assert client.get(action_url(pr, "submit")).status_code == 405


# --- attachments through the pages -----------------------------------------------------------


def test_uploading_and_downloading_an_attachment(client, requester, reviewer):
    pr = make_request(requester)
    client.force_login(requester)
    client.post(
        action_url(pr, "attach"),
        {"attach-file": SimpleUploadedFile("合作协议.pdf", PDF), "attach-kind": "agreement"},
    )
    attachment = Attachment.objects.get()
    client.force_login(reviewer)
    response = client.get(
        reverse("assessments:attachment_download", args=[pr.reference, attachment.pk])
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''%E5%90%88" in response["Content-Disposition"]
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF
    assert AuditEvent.objects.get(action="attachment.downloaded").actor == reviewer


def test_an_oversized_upload_is_refused_with_a_message(client, requester, settings):
    settings.ATTACHMENT_MAX_BYTES = 10
    pr = make_request(requester)
    client.force_login(requester)
    response = client.post(
        action_url(pr, "attach"),
        {"attach-file": SimpleUploadedFile("mou.pdf", PDF), "attach-kind": "agreement"},
        follow=True,
    )
    assert "the limit is 10 bytes" in response.content.decode()
    assert not Attachment.objects.exists()


def test_a_reviewer_without_a_department_chooses_one_when_registering(client, reviewer, history):
    client.force_login(reviewer)
    assert "department" in client.get(reverse("assessments:request_create")).context["form"].fields
    response = client.post(reverse("assessments:request_create"), form_data())
    assert "This field is required" in response.content.decode()
    client.post(reverse("assessments:request_create"), form_data(department=str(history.pk)))
    assert PartnershipRequest.objects.get().department == history


def test_a_requester_is_not_offered_a_department_choice(client, requester):
    client.force_login(requester)
    assert (
        "department" not in client.get(reverse("assessments:request_create")).context["form"].fields
    )


def test_a_new_partner_needs_a_real_country(client, requester):
    client.force_login(requester)
    response = client.post(
        reverse("assessments:request_create"), form_data(**{"partners-0-country": ""})
    )
    assert "Choose a country" in response.content.decode()
    response = client.post(
        reverse("assessments:request_create"), form_data(**{"partners-0-country": "XX"})
    )
    assert "Select a valid choice" in response.content.decode()
    assert not PartnershipRequest.objects.exists()


def test_an_incomplete_action_form_shows_which_field_is_missing(client, requester, reviewer):
    pr = advance(make_request(requester), to=S.UNDER_REVIEW, requester=requester, reviewer=reviewer)
    client.force_login(reviewer)
    response = client.post(
        action_url(pr, "recommend"), {"recommend-outcome": "approve"}, follow=True
    )
    assert "Reasoning: This field is required." in response.content.decode()
    assert PartnershipRequest.objects.get(pk=pr.pk).status == S.UNDER_REVIEW
