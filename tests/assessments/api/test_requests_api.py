"""Requests over the API: scoping, filters, create, edit under optimistic locking, submit."""

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments import workflow
from assessments.models import (
    AuditEvent,
    Organisation,
    PartnershipRequest,
    RequestStatus,
    Sector,
)
from tests.assessments.request_factories import advance, make_request

from ..test_request_views import form_data

URL = "/api/v1/requests/"


def detail(pr) -> str:
    return f"{URL}{pr.reference}/"


def payload(**overrides) -> dict:
    """A draft as an integration would send it: a new partner and one funder."""
    data = {
        "title": "Joint lab on perovskite solar cells",
        "summary": "Two PhD exchanges and shared samples.",
        "lead_academic": "Prof. Jane Smith",
        "collaboration_type": "joint_project",
        "work_location": "both",
        "start_date": "2027-02-01",
        "end_date": "2029-01-31",
        "no_nsi_sector": True,
        "people_exchanged": 2,
        "partners": [
            {
                "new_organisation": {
                    "name": "Nanjing University",
                    "name_native": "南京大学",
                    "country": "CN",
                    "org_type": "university",
                    "city": "Nanjing, Jiangsu",
                    "website": "https://www.nju.edu.cn",
                },
                "role": "Co-investigator",
            }
        ],
        "funding": [
            {
                "funder_name": "NSFC",
                "country": "CN",
                "funder_type": "partner_government",
                "amount": "250000",
                "currency": "cny",
            }
        ],
    }
    data.update(overrides)
    return data


def post(client, url, data, headers=None):
    return client.post(url, json.dumps(data), content_type="application/json", headers=headers)


def patch(client, url, data, headers=None):
    return client.patch(url, json.dumps(data), content_type="application/json", headers=headers)


@pytest.fixture
def own_draft(requester):
    return make_request(requester, title="Battery cathodes")


@pytest.fixture
def history_draft(other_requester):
    return make_request(other_requester, title="Archives of the Silk Road")


# --- reading ---------------------------------------------------------------------------------


def test_a_requester_lists_only_their_departments_requests(
    client, requester, own_draft, history_draft, bearer
):
    body = client.get(URL, headers=bearer(requester)).json()
    assert body["count"] == 1
    assert [r["reference"] for r in body["results"]] == [own_draft.reference]


@pytest.mark.parametrize("role", ["reviewer", "approver", "auditor"])
def test_central_staff_and_auditors_list_every_department(
    client, request, role, own_draft, history_draft, bearer
):
    user = request.getfixturevalue(role)
    body = client.get(URL, headers=bearer(user)).json()
    assert body["count"] == 2


def test_a_guidance_editor_without_a_department_sees_no_requests(
    client, guidance_editor, own_draft, bearer
):
    assert client.get(URL, headers=bearer(guidance_editor)).json()["count"] == 0
    assert client.get(detail(own_draft), headers=bearer(guidance_editor)).status_code == 404


def test_another_departments_request_is_404_not_403(client, requester, history_draft, bearer):
    response = client.get(detail(history_draft), headers=bearer(requester))
    assert response.status_code == 404
    assert response.json()["error"]


def test_a_request_reads_with_partners_funding_sectors_status_and_actions(
    client, requester, own_draft, bearer
):
    body = client.get(detail(own_draft), headers=bearer(requester)).json()
    assert body["reference"] == own_draft.reference
    assert body["status"] == "draft" and body["tier"] == ""
    assert body["department"] == "engineering"
    assert body["partners"][0]["organisation"]["name_native"] == "清华大学"
    assert body["partners"][0]["role"] == "Co-lead"
    assert body["funding"][0]["funder_name"] == "UKRI"
    assert body["sectors"] == [] and body["no_nsi_sector"] is True
    assert body["latest_assessment"] is None
    assert body["version"] == own_draft.version
    assert {"edit", "submit", "withdraw"} <= set(body["actions"])
    assert body["url"].endswith(f"/requests/{own_draft.reference}/")


def test_the_list_takes_the_same_filters_as_the_web_list(
    client, reviewer, requester, other_requester, bearer
):
    solar = make_request(requester, title="Solar cells", no_nsi_sector=False)
    solar.sectors.add(Sector.objects.get(code="energy"))
    make_request(other_requester, title="Medieval manuscripts")
    headers = bearer(reviewer)

    def refs(query):
        response = client.get(f"{URL}?{query}", headers=headers)
        assert response.status_code == 200, response.json()
        return [r["title"] for r in response.json()["results"]]

    assert refs("sector=energy") == ["Solar cells"]
    assert refs("department=history") == ["Medieval manuscripts"]
    assert refs("q=manuscripts") == ["Medieval manuscripts"]
    assert refs("q=tsinghua&status=draft&country=CN") == ["Medieval manuscripts", "Solar cells"]
    assert refs("tier=unscored&country=US") == []


@pytest.mark.parametrize(
    "query,field",
    [
        ("sector=no-such-sector", "sector"),
        ("status=lost", "status"),
        ("country=China", "country"),
        ("created_from=yesterday", "created_from"),
        ("status=", "status"),
        ("status=draft&status=submitted", "status"),
        ("page_size=0", "page_size"),
        ("page=", "page"),
    ],
)
def test_a_bad_filter_is_a_400_naming_the_field(client, reviewer, bearer, query, field):
    response = client.get(f"{URL}?{query}", headers=bearer(reviewer))
    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_lists_are_paginated(client, requester, bearer):
    for i in range(3):
        make_request(requester, title=f"Request {i}")
    headers = bearer(requester)
    body = client.get(f"{URL}?page_size=2", headers=headers).json()
    assert body["count"] == 3 and len(body["results"]) == 2
    assert client.get(body["next"], headers=headers).json()["results"][0]["title"] == "Request 0"
    assert client.get(f"{URL}?page=9", headers=headers).status_code == 404


def test_the_list_query_count_does_not_grow_with_its_length(
    client, reviewer, requester, bearer, django_assert_max_num_queries
):
    headers = bearer(reviewer)
    make_request(requester)
    with CaptureQueriesContext(connection) as one:
        client.get(URL, headers=headers)
    for i in range(10):
        make_request(requester, title=f"Request {i}")
    with django_assert_max_num_queries(len(one)):
        assert client.get(URL, headers=headers).json()["count"] == 11


# --- creating --------------------------------------------------------------------------------


def test_a_requester_registers_a_draft_with_a_new_partner_and_funding(client, requester, bearer):
    response = post(client, URL, payload(), bearer(requester))
    assert response.status_code == 201, response.json()
    pr = PartnershipRequest.objects.get()
    assert response.json()["reference"] == pr.reference
    assert response["Location"].endswith(f"{URL}{pr.reference}/")
    assert pr.status == RequestStatus.DRAFT and pr.created_by == requester
    assert pr.department.code == "engineering"
    partner = pr.partners.get()
    assert (partner.organisation.name_native, partner.role) == ("南京大学", "Co-investigator")
    funding = pr.funding_sources.get()
    assert (funding.funder_name, funding.currency, str(funding.amount)) == (
        "NSFC",
        "CNY",
        "250000.00",
    )


def test_a_draft_names_existing_organisations_sectors_and_disciplines_by_code(
    client, requester, bearer
):
    existing = Organisation.objects.create(name="Zhejiang University", country="CN")
    make_request(requester, partners=[workflow.PartnerInput(organisation=existing, role="Host")])
    data = payload(
        partners=[{"organisation": existing.pk, "role": "Host"}],
        no_nsi_sector=False,
        sectors=["energy", "advanced-materials"],
        disciplines=["chemistry"],
    )
    response = post(client, URL, data, bearer(requester))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert sorted(body["sectors"]) == ["advanced-materials", "energy"]
    assert body["disciplines"] == ["chemistry"]
    assert body["partners"][0]["organisation"]["id"] == existing.pk
    assert Organisation.objects.count() == 1


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"title": ["not", "a", "string"]}, "title"),
        ({"people_exchanged": "many"}, "people_exchanged"),
        ({"people_exchanged": "2"}, "people_exchanged"),
        ({"people_exchanged": -1}, "people_exchanged"),
        ({"dual_use": "yes"}, "dual_use"),
        ({"summary": 42}, "summary"),
        ({"partners": [{"organisation": "1"}]}, "partners"),
        ({"partners": "Tsinghua"}, "partners"),
        ({"sectors": ["warp-drives"], "no_nsi_sector": False}, "sectors"),
        ({"disciplines": ["alchemy"]}, "disciplines"),
        ({"partners": [{"organisation": 999999}]}, "partners"),
        ({"partners": [{"new_organisation": {"name": "X", "country": "China"}}]}, "partners"),
        ({"partners": [{"role": "nobody"}]}, "partners"),
        ({"funding": [{"funder_type": "uk_public", "currency": "pounds"}]}, "funding"),
        ({"end_date": "2026-01-01"}, "end_date"),
        ({"sectors": ["energy"]}, "no_nsi_sector"),
        ({"collaboration_type": "marriage"}, "collaboration_type"),
    ],
)
def test_bad_input_is_a_400_with_field_errors_and_changes_nothing(
    client, requester, bearer, overrides, field
):
    response = post(client, URL, payload(**overrides), bearer(requester))
    assert response.status_code == 400
    body = response.json()
    assert field in body["fields"], body
    assert not PartnershipRequest.objects.exists()
    assert not Organisation.objects.exists()
    assert not AuditEvent.objects.exclude(action="api_token.issued").exists()


def test_a_body_that_is_not_json_is_a_400(client, requester, bearer):
    response = client.post(
        URL, "{not json", content_type="application/json", headers=bearer(requester)
    )
    assert response.status_code == 400
    assert "error" in response.json()


@pytest.mark.parametrize("role", ["approver", "auditor", "guidance_editor"])
def test_roles_that_do_not_register_requests_get_403(db, client, request, role, bearer):
    user = request.getfixturevalue(role)
    response = post(client, URL, payload(), bearer(user))
    assert response.status_code == 403
    assert not PartnershipRequest.objects.exists()


def test_a_requester_cannot_register_for_another_department(client, requester, history, bearer):
    response = post(client, URL, payload(department="history"), bearer(requester))
    assert response.status_code == 400
    assert "only for a department they are requester for" in response.json()["error"]
    assert not PartnershipRequest.objects.exists()
    assert not Organisation.objects.exists()


def test_a_reviewer_registers_on_a_departments_behalf(client, reviewer, history, bearer):
    response = post(client, URL, payload(department="history"), bearer(reviewer))
    assert response.status_code == 201
    assert PartnershipRequest.objects.get().department == history


def test_a_reviewer_without_a_department_must_name_one(client, reviewer, bearer):
    response = post(client, URL, payload(), bearer(reviewer))
    assert response.status_code == 400
    assert "department" in response.json()["error"]


# --- editing ---------------------------------------------------------------------------------


def test_a_requester_edits_a_draft_and_the_version_moves_on(client, requester, own_draft, bearer):
    response = patch(
        client,
        detail(own_draft),
        {"version": own_draft.version, "title": "Sodium cathodes", "people_exchanged": 4},
        bearer(requester),
    )
    assert response.status_code == 200, response.json()
    own_draft.refresh_from_db()
    assert own_draft.title == "Sodium cathodes" and own_draft.people_exchanged == 4
    assert response.json()["version"] == own_draft.version == 2
    # What the patch did not mention is kept.
    assert own_draft.partners.get().organisation.name == "Tsinghua University"
    assert own_draft.funding_sources.get().funder_name == "UKRI"
    event = AuditEvent.objects.filter(action="request.updated").get()
    assert set(event.changes) == {"title", "people_exchanged"}


def test_a_stale_version_is_a_409_and_changes_nothing(client, requester, own_draft, bearer):
    headers = bearer(requester)
    first = patch(client, detail(own_draft), {"version": 1, "title": "First"}, headers)
    assert first.status_code == 200
    second = patch(client, detail(own_draft), {"version": 1, "title": "Second"}, headers)
    assert second.status_code == 409
    body = second.json()
    assert body["code"] == "version_conflict" and body["current_version"] == 2
    assert "changed by someone else" in body["error"]
    own_draft.refresh_from_db()
    assert own_draft.title == "First"


def test_an_edit_without_a_version_is_a_400(client, requester, own_draft, bearer):
    response = patch(client, detail(own_draft), {"title": "No version"}, bearer(requester))
    assert response.status_code == 400
    assert "version" in response.json()["fields"]


def test_an_edit_that_replaces_partners_registers_the_new_organisation(
    client, requester, own_draft, bearer
):
    response = patch(
        client,
        detail(own_draft),
        {"version": 1, "partners": payload()["partners"], "funding": []},
        bearer(requester),
    )
    assert response.status_code == 200, response.json()
    assert own_draft.partners.get().organisation.name == "Nanjing University"
    assert not own_draft.funding_sources.exists()


def test_a_submitted_request_cannot_be_edited_by_its_requester(
    client, requester, reviewer, own_draft, bearer
):
    advance(own_draft, to=RequestStatus.SUBMITTED, requester=requester, reviewer=reviewer)
    response = patch(
        client,
        detail(own_draft),
        {"version": own_draft.version, "title": "Late"},
        bearer(requester),
    )
    assert response.status_code == 409
    assert response.json()["code"] == "workflow_refused"
    assert "reviewer" in response.json()["error"]


def test_a_reviewer_corrects_a_submitted_request_as_on_the_web(
    client, requester, reviewer, own_draft, bearer
):
    advance(own_draft, to=RequestStatus.SUBMITTED, requester=requester, reviewer=reviewer)
    response = patch(
        client,
        detail(own_draft),
        {"version": own_draft.version, "title": "Corrected"},
        bearer(reviewer),
    )
    assert response.status_code == 200


def test_another_departments_draft_cannot_be_edited_or_seen(
    client, requester, history_draft, bearer
):
    response = patch(client, detail(history_draft), {"version": 1, "title": "X"}, bearer(requester))
    assert response.status_code == 404
    history_draft.refresh_from_db()
    assert history_draft.title == "Archives of the Silk Road"


def test_an_auditor_cannot_edit_with_403(client, auditor, own_draft, bearer):
    response = patch(client, detail(own_draft), {"version": 1, "title": "X"}, bearer(auditor))
    assert response.status_code == 403


def test_put_and_delete_are_not_offered(client, requester, own_draft, bearer):
    headers = bearer(requester)
    assert client.delete(detail(own_draft), headers=headers).status_code == 405
    assert (
        client.put(
            detail(own_draft), "{}", content_type="application/json", headers=headers
        ).status_code
        == 405
    )


# --- submitting ------------------------------------------------------------------------------


def test_a_requester_submits_a_draft_and_it_is_screened(client, requester, own_draft, bearer):
    response = client.post(f"{detail(own_draft)}submit/", headers=bearer(requester))
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "submitted"
    own_draft.refresh_from_db()
    assert own_draft.status == RequestStatus.SUBMITTED
    assert AuditEvent.objects.filter(action="request.submitted", request=own_draft).exists()


def test_submitting_twice_is_a_409_with_the_workflows_reason(client, requester, own_draft, bearer):
    headers = bearer(requester)
    client.post(f"{detail(own_draft)}submit/", headers=headers)
    response = client.post(f"{detail(own_draft)}submit/", headers=headers)
    assert response.status_code == 409
    assert response.json()["error"].startswith("Only a draft can be submitted")


def test_a_draft_without_partners_cannot_be_submitted(client, requester, bearer):
    pr = make_request(requester, partners=[])
    response = client.post(f"{detail(pr)}submit/", headers=bearer(requester))
    assert response.status_code == 409
    assert "partner" in response.json()["error"]
    pr.refresh_from_db()
    assert pr.status == RequestStatus.DRAFT


def test_a_requester_of_another_department_cannot_submit(client, requester, history_draft, bearer):
    assert (
        client.post(f"{detail(history_draft)}submit/", headers=bearer(requester)).status_code == 404
    )


def test_an_approver_cannot_submit(client, approver, own_draft, bearer):
    assert client.post(f"{detail(own_draft)}submit/", headers=bearer(approver)).status_code == 403


# --- authentication --------------------------------------------------------------------------


def test_anonymous_and_bad_tokens_get_401(client, own_draft):
    assert client.get(URL).status_code == 401
    bad = {"Authorization": "Bearer ukcn_000000000000_forged"}
    assert client.get(detail(own_draft), headers=bad).status_code == 401
    assert post(client, URL, payload(), bad).status_code == 401
    assert not PartnershipRequest.objects.exclude(pk=own_draft.pk).exists()


def test_session_writes_need_the_csrf_token(requester, own_draft):
    client = Client(enforce_csrf_checks=True)
    client.force_login(requester)
    refused = client.post(f"{detail(own_draft)}submit/", content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["error"]
    client.get(reverse("assessments:request_list"))
    token = client.cookies["csrftoken"].value
    accepted = client.post(
        f"{detail(own_draft)}submit/",
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert accepted.status_code == 200


def test_token_writes_need_no_csrf_token(requester, bearer):
    client = Client(enforce_csrf_checks=True)
    assert post(client, URL, payload(), bearer(requester)).status_code == 201


# --- the same audit trail as the web ---------------------------------------------------------


def _actions(pr) -> list[str]:
    return list(pr.audit_events.order_by("id").values_list("action", flat=True))


def _all_actions() -> list[str]:
    """Every action recorded, but for issuing the test's API token (the web has none)."""
    events = AuditEvent.objects.exclude(action="api_token.issued").order_by("id")
    return list(events.values_list("action", flat=True))


def test_api_writes_record_the_same_audit_events_as_the_web(client, requester, bearer):
    client.force_login(requester)
    client.post(reverse("assessments:request_create"), form_data())
    web = PartnershipRequest.objects.get()
    client.post(
        reverse("assessments:request_edit", args=[web.reference]),
        form_data(title="Edited", version=str(web.version)),
    )
    client.post(reverse("assessments:request_action", args=[web.reference, "submit"]))
    web_actions = _all_actions()
    web_request_actions = _actions(web)
    client.logout()

    headers = bearer(requester)
    # Another partner than the web's: one registered under the same name would be reused.
    partners = payload()["partners"]
    partners[0]["new_organisation"]["name"] = "Nanjing Normal University"
    created = post(client, URL, payload(partners=partners), headers).json()
    api = PartnershipRequest.objects.get(reference=created["reference"])
    # The web form sends every field again, its partner as a new organisation included.
    patch(
        client,
        detail(api),
        {**payload(title="Edited", partners=partners), "version": 1},
        headers,
    )
    client.post(f"{detail(api)}submit/", headers=headers)
    api_actions = _all_actions()[len(web_actions) :]

    assert web_request_actions == [
        "request.created",
        "request.updated",
        "request.submitted",
        *web_request_actions[3:],
    ]
    assert _actions(api) == web_request_actions
    assert api_actions == web_actions


def test_the_schemas_create_example_registers_a_draft(client, requester, bearer):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    body = schema["paths"]["/api/v1/requests/"]["post"]["requestBody"]["content"]
    (example,) = body["application/json"]["examples"].values()
    response = post(client, URL, example["value"], bearer(requester))
    assert response.status_code == 201, response.json()
    assert response.json()["disciplines"] == ["materials-science"]


def test_a_form_encoded_body_is_a_415(client, requester, bearer):
    response = client.post(URL, {"title": "Form"}, headers=bearer(requester))
    assert response.status_code == 415
    assert "error" in response.json()
    assert not PartnershipRequest.objects.exists()


def test_a_reference_with_a_nul_is_a_json_400(client, requester, bearer):
    response = client.get(f"{URL}PR%00x/", headers=bearer(requester))
    assert response.status_code == 400
    assert "NUL" in response.json()["error"]
    response = client.get(f"{URL}?sector=energy%00", headers=bearer(requester))
    assert response.status_code == 400


def test_another_departments_organisation_id_is_refused_without_its_details(
    client, requester, other_requester, bearer
):
    theirs = Organisation.objects.create(
        name="Harbin Institute of Technology", country="CN", website="https://hit.example"
    )
    make_request(
        other_requester, partners=[workflow.PartnerInput(organisation=theirs, role="Lead")]
    )
    body = payload(partners=[{"organisation": theirs.pk, "role": "Lead"}])
    response = post(client, URL, body, bearer(requester))
    assert response.status_code == 400
    assert "Harbin" not in response.content.decode()
    assert "hit.example" not in response.content.decode()
    assert not PartnershipRequest.objects.filter(created_by=requester).exists()


def test_a_requester_may_name_an_organisation_of_their_own_departments_requests(
    client, requester, bearer
):
    own = make_request(requester).partners.get().organisation
    body = payload(partners=[{"organisation": own.pk, "role": "Lead"}])
    response = post(client, URL, body, bearer(requester))
    assert response.status_code == 201, response.json()
    assert response.json()["partners"][0]["organisation"]["name"] == own.name
