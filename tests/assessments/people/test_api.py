"""The people API: same permissions as the web, strict input, refusals as 4xx JSON."""

from datetime import date

from django.test import Client

from assessments.models import Person, RequestStatus
from tests.assessments.request_factories import advance
from ukcn.api_tokens import api_token_issue
from ukcn.roles import Role


def api(user):
    _token, secret = api_token_issue(user=user, name="tests")
    return Client(headers={"Authorization": f"Bearer {secret}"})


PERSON = {
    "name": "Chen Jing 陈静",
    "category": "student",
    "nationalities": ["cn"],
    "coming_to_uk": True,
    "immigration_route": "student",
    "cah3_code": "CAH07-01-02",
    "start_date": "2027-01-10",
}


def test_requester_adds_and_reads_people_with_the_determination(draft, requester):
    client = api(requester)
    url = f"/api/v1/requests/{draft.reference}/people/"
    response = client.post(url, PERSON, content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["nationalities"] == ["CN"]
    assert body["atas"]["outcome"] == "required"
    assert "shipped" in body["atas"]["list_version"]
    listed = client.get(url).json()
    assert [p["name"] for p in listed] == ["Chen Jing 陈静"]


def test_invalid_input_is_a_400_naming_the_field(draft, requester):
    url = f"/api/v1/requests/{draft.reference}/people/"
    response = api(requester).post(
        url, {**PERSON, "cah3_code": "physics"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "cah3_code" in response.json()["fields"]
    response = api(requester).post(
        url, {**PERSON, "nationalities": ["ZZ"]}, content_type="application/json"
    )
    assert response.status_code == 400
    assert not Person.objects.exists()


def test_visibility_is_the_webs(student, draft, other_requester, make_user, auditor, reviewer):
    url = f"/api/v1/requests/{draft.reference}/people/"
    assert api(other_requester).get(url).status_code == 404
    head = make_user("head", Role.HEAD_OF_DEPARTMENT, draft.department)
    assert api(head).get(url).status_code == 404
    editor = make_user("editor", Role.GUIDANCE_EDITOR)
    assert api(editor).get(url).status_code == 404
    assert api(auditor).get(url).status_code == 200
    response = api(auditor).post(url, PERSON, content_type="application/json")
    assert response.status_code == 403
    assert api(reviewer).get(f"{url}{student.pk}/").json()["name"] == "Li Wei 李伟"


def test_reviewer_corrects_and_records_a_certificate_after_submission(
    student, draft, requester, reviewer
):
    advance(draft, to=RequestStatus.SUBMITTED, requester=requester, reviewer=reviewer)
    url = f"/api/v1/requests/{draft.reference}/people/{student.pk}/"
    refused = api(requester).patch(url, {"soc_code": "2119"}, content_type="application/json")
    assert refused.status_code == 409
    fixed = api(reviewer).patch(url, {"soc_code": "2119"}, content_type="application/json")
    assert fixed.status_code == 200 and fixed.json()["soc_code"] == "2119"
    cert = api(requester).post(
        url + "certificates/",
        {"reference": "ATAS-77", "issued_on": date.today().isoformat()},
        content_type="application/json",
    )
    assert cert.status_code == 201
    assert student.atas_certificates.get().reference == "ATAS-77"
    assert api(reviewer).delete(url).status_code == 204
