"""The people pages: the formset, the determination, who sees what."""

from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessments.models import AuditEvent, Person, RequestStatus
from tests.assessments.request_factories import advance
from ukcn.roles import Role


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def _row(prefix="people-0", **fields):
    data = {
        f"{prefix}-name": "Zhang San 张三",
        f"{prefix}-category": "visiting_researcher",
        f"{prefix}-project_role": "Materials chemist",
        f"{prefix}-nationalities": ["CN"],
        f"{prefix}-coming_to_uk": "yes",
        f"{prefix}-immigration_route": "gae",
        f"{prefix}-start_date": (timezone.localdate() + timedelta(days=10)).isoformat(),
        f"{prefix}-cah3_code": "CAH10-01-04",
        f"{prefix}-soc_code": "2119",
    }
    data.update({f"{prefix}-{k}": v for k, v in fields.items()})
    return data


def _management(total=1, initial=0):
    return {
        "people-TOTAL_FORMS": str(total),
        "people-INITIAL_FORMS": str(initial),
        "people-MIN_NUM_FORMS": "0",
        "people-MAX_NUM_FORMS": "1000",
    }


def test_a_requester_enters_a_person_and_sees_the_determination(draft, requester):
    client = client_for(requester)
    url = reverse("assessments:request_people", args=[draft.reference])
    response = client.post(url, {**_management(), **_row()})
    assert response.status_code == 302
    person = Person.objects.get()
    assert person.name == "Zhang San 张三" and person.nationalities == ["CN"]
    page = client.get(url).content.decode()
    assert "ATAS certificate required" in page
    assert "may not start: ATAS certificate missing" in page
    assert "Nationality is used only for the ATAS determination" in page
    detail = client.get(draft.get_absolute_url()).content.decode()
    assert "1 person may not start: ATAS certificate missing" in detail
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert draft.reference in dashboard and "may not start" in dashboard
    assert "张三" not in dashboard


def test_bad_rows_show_messages_and_save_nothing(draft, requester):
    client = client_for(requester)
    url = reverse("assessments:request_people", args=[draft.reference])
    response = client.post(
        url, {**_management(), **_row(cah3_code="physics", end_date="2000-01-01")}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "CAH07-01-01" in page and "end date is before the start date" in page
    assert not Person.objects.exists()


def test_add_another_row_without_javascript_and_with_htmx(draft, requester):
    client = client_for(requester)
    url = reverse("assessments:request_people", args=[draft.reference])
    response = client.post(url, {**_management(), "add_row": "people"})
    assert 'name="people-1-name"' in response.content.decode()
    row = client.get(
        reverse("assessments:people_form_row", args=[draft.reference]), {"people-TOTAL_FORMS": 2}
    )
    assert 'name="people-2-name"' in row.content.decode()
    assert 'value="3"' in row.content.decode()


def test_other_department_and_head_of_department_get_404(draft, other_requester, make_user):
    url = reverse("assessments:request_people", args=[draft.reference])
    assert client_for(other_requester).get(url).status_code == 404
    head = make_user("head", Role.HEAD_OF_DEPARTMENT, draft.department)
    assert client_for(head).get(url).status_code == 404
    assert (
        "people-panel-heading"
        not in client_for(head).get(draft.get_absolute_url()).content.decode()
    )


def test_auditor_reads_but_has_no_form(student, draft, auditor):
    page = client_for(auditor).get(reverse("assessments:request_people", args=[draft.reference]))
    assert page.status_code == 200
    assert "Li Wei" in page.content.decode() and "people-TOTAL_FORMS" not in page.content.decode()


def test_a_reviewer_corrects_after_submission_and_records_a_certificate(
    student, draft, requester, reviewer
):
    advance(draft, to=RequestStatus.SUBMITTED, requester=requester, reviewer=reviewer)
    url = reverse("assessments:request_people", args=[draft.reference])
    data = {**_management(total=1, initial=1), **_row(id=student.pk, cah3_code="CAH07-01-02")}
    assert client_for(requester).post(url, data).status_code == 302  # refused, with a message
    student.refresh_from_db()
    assert student.cah3_code == "CAH07-01-01"
    assert client_for(reviewer).post(url, data).status_code == 302
    student.refresh_from_db()
    assert student.cah3_code == "CAH07-01-02" and student.category == "visiting_researcher"
    cert = client_for(reviewer).post(
        reverse("assessments:person_certificate_add", args=[draft.reference, student.pk]),
        {"reference": "ATAS-9", "issued_on": timezone.localdate().isoformat()},
    )
    assert cert.status_code == 302
    assert student.atas_certificates.get().expires_on > timezone.localdate()
    detail = client_for(reviewer).get(
        reverse("assessments:person_detail", args=[draft.reference, student.pk])
    )
    assert "ATAS-9" in detail.content.decode()
    assert AuditEvent.objects.filter(action="person_updated").count() == 1


def test_the_legal_register_lists_requests_whose_people_may_not_start(draft, requester, reviewer):
    from datetime import timedelta

    from django.utils import timezone

    from assessments.people.services import person_add
    from tests.assessments.people.conftest import required_row

    person_add(
        request=draft,
        actor=requester,
        row=required_row(start_date=timezone.localdate() + timedelta(days=5)),
    )
    page = client_for(reviewer).get(reverse("assessments:legal_register")).content.decode()
    assert f"{draft.reference}</a>" in page
    assert "1 person may not start: ATAS certificate missing" in page
    assert "Li Wei" not in page and "李伟" not in page
