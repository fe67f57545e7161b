"""The request form's partner field resolves typed names; the type-ahead shows public identity."""

import pytest
from django.urls import reverse

from assessments.models import AuditEvent, Organisation, PartnershipRequest

from ..api.test_requests_api import form_data
from .conftest import HIT

URL = reverse("assessments:organisation_resolve")


def _partner_form(name, native="", identity=None, **extra):
    data = form_data(**extra)
    data["partners-0-name"] = name
    data["partners-0-name_native"] = native
    data["partners-0-country"] = "CN"
    if identity is not None:
        data["partners-0-identity"] = identity
    return data


def test_typing_the_chinese_name_reuses_the_existing_organisation(ror, client, requester):
    hit = Organisation.objects.create(name="Harbin Institute of Technology", country="CN")
    client.force_login(requester)
    response = client.post(reverse("assessments:request_create"), _partner_form("哈尔滨工业大学"))
    assert response.status_code == 302, response.content.decode()[:2000]
    request = PartnershipRequest.objects.get()
    assert request.partners.get().organisation == hit
    assert Organisation.objects.filter(name__icontains="Harbin Institute").count() == 1
    hit.refresh_from_db()
    assert hit.identity.ror_id == HIT  # linked to its ROR identity on the way, audited
    assert AuditEvent.objects.filter(action="organisation.linked", object_id=str(hit.pk)).exists()


def test_a_name_resolving_to_a_ror_identity_creates_a_linked_organisation(ror, client, requester):
    client.force_login(requester)
    response = client.post(
        reverse("assessments:request_create"), _partner_form("Harbin Inst. of Tech.")
    )
    assert response.status_code == 302
    organisation = PartnershipRequest.objects.get().partners.get().organisation
    assert organisation.identity.ror_id == HIT
    assert organisation.name == "Harbin Institute of Technology"
    assert not organisation.needs_resolution
    event = AuditEvent.objects.get(action="organisation.created", object_id=str(organisation.pk))
    assert "ROR https://ror.org/01yqg2h08" in event.summary


def test_an_unknown_name_is_registered_unlinked_and_flagged(ror, client, requester):
    client.force_login(requester)
    client.post(reverse("assessments:request_create"), _partner_form("Xanadu Polytechnic"))
    organisation = PartnershipRequest.objects.get().partners.get().organisation
    assert (organisation.identity, organisation.needs_resolution) == (None, True)


def test_an_ambiguous_name_asks_the_user_to_choose_then_takes_the_choice(ror, client, requester):
    client.force_login(requester)
    page = client.post(
        reverse("assessments:request_create"), _partner_form("Northwestern University")
    )
    assert page.status_code == 200
    text = page.content.decode()
    assert "Several organisations fit “Northwestern University”" in text
    assert 'name="partners-0-identity"' in text and 'value="ror:000e0be47"' in text
    assert not PartnershipRequest.objects.exists()
    client.post(
        reverse("assessments:request_create"),
        _partner_form("Northwestern University", identity="ror:000e0be47"),
    )
    organisation = PartnershipRequest.objects.get().partners.get().organisation
    assert organisation.identity.ror_id == "000e0be47"


def test_a_forged_identity_is_refused_in_the_row(ror, client, requester):
    client.force_login(requester)
    page = client.post(
        reverse("assessments:request_create"), _partner_form("Anything", identity="ror:0zzzzzzzz")
    )
    assert "Choose one of the organisations offered." in page.content.decode()


def test_the_type_ahead_offers_public_identity_only(ror, client, requester, engineering):
    client.force_login(requester)
    response = client.get(URL, {"q": "HIT"})
    data = response.json()
    assert data["chosen"]["ror_id"] == HIT
    assert set(data["chosen"]) >= {"name", "native_name", "city", "country", "ror_id"}
    assert "department" not in response.content.decode()
    fragment = client.get(
        URL,
        {"prefix": "partners-0", "partners-0-name": "哈尔滨工业大学", "partners-0-country": "CN"},
        headers={"HX-Request": "true"},
    ).content.decode()
    assert 'name="partners-0-identity"' in fragment
    assert 'value="ror:01yqg2h08" checked' in fragment
    assert "Harbin Institute of Technology (哈尔滨工业大学, Harbin, CN, ROR 01yqg2h08)" in fragment


@pytest.mark.parametrize("prefix", ["<script>", "partners-0-name", "x" * 50])
def test_the_type_ahead_refuses_odd_prefixes(ror, client, requester, prefix):
    client.force_login(requester)
    assert client.get(URL, {"prefix": prefix, "q": "HIT"}).status_code == 400


def test_the_type_ahead_is_for_people_who_register_requests(ror, client, django_user_model):
    client.force_login(django_user_model.objects.create_user("nobody", password="x"))
    assert client.get(URL, {"q": "HIT"}).status_code == 404


def _api_partner(name, identity=None):
    from ..api.test_requests_api import payload

    new = {"name": name, "country": "CN", "org_type": "university"}
    if identity:
        new["identity"] = identity
    return payload(partners=[{"new_organisation": new, "role": "Co-investigator"}])


def test_the_api_resolves_and_refuses_ambiguity_with_a_code(ror, client, requester, bearer):
    from ..api.test_requests_api import URL as API
    from ..api.test_requests_api import post

    headers = bearer(requester)
    created = post(client, API, _api_partner("哈尔滨工业大学"), headers)
    assert created.status_code == 201, created.content
    pr = PartnershipRequest.objects.get(reference=created.json()["reference"])
    assert pr.partners.get().organisation.identity.ror_id == HIT
    refused = post(client, API, _api_partner("Northwestern University"), headers)
    assert refused.status_code == 400
    assert "organisation_ambiguous" in refused.content.decode()
    chosen = post(
        client, API, _api_partner("Northwestern University", identity="ror:000e0be47"), headers
    )
    assert chosen.status_code == 201
