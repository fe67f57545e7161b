from django.urls import reverse

from assessments.models import AuditEvent, Organisation

from .request_factories import make_request


def test_the_admin_shows_a_request_but_offers_no_way_to_change_or_delete_it(
    client, admin_user, requester
):
    pr = make_request(requester)
    client.force_login(admin_user)
    url = reverse("admin:assessments_partnershiprequest_change", args=[pr.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert pr.title in response.content.decode()
    assert 'name="_save"' not in response.content.decode()
    response = client.post(url, {"title": "Changed in the admin"})
    assert response.status_code == 403
    delete = reverse("admin:assessments_partnershiprequest_delete", args=[pr.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    pr.refresh_from_db()
    assert pr.title != "Changed in the admin"


def test_correcting_an_organisation_in_the_admin_is_audited(client, admin_user):
    organisation = Organisation.objects.create(name="Tsinghua Univ.", country="CN")
    client.force_login(admin_user)
    url = reverse("admin:assessments_organisation_change", args=[organisation.pk])
    response = client.post(
        url,
        {
            "name": "Tsinghua University",
            "name_native": "清华大学",
            "country": "CN",
            "org_type": "university",
            "city": "Beijing",
            "website": "",
        },
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="organisation.updated")
    assert event.changes["name"] == ["Tsinghua Univ.", "Tsinghua University"]
    assert event.changes["name_native"] == ["", "清华大学"]


def test_registering_an_organisation_in_the_admin_is_the_services_one_event(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:assessments_organisation_add"),
        {"name": "Fudan University", "country": "CN", "org_type": "university", "city": ""},
    )
    assert response.status_code == 302
    organisation = Organisation.objects.get(name="Fudan University")
    event = AuditEvent.objects.get(action="organisation.created")  # once, not twice
    assert event.object_id == str(organisation.pk)
    assert event.summary == "Registered organisation Fudan University"
