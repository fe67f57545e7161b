"""Partner and funding rows are added in place: htmx asks for one row, without JavaScript the
"add another" button posts the form back with one more row and saves nothing."""

from assessments.models import PartnershipRequest

from .test_request_views import form_data


def test_add_another_without_javascript_keeps_what_was_typed_and_saves_nothing(client, requester):
    client.force_login(requester)
    data = form_data(add_row="partners", **{"funding-0-amount": "-5"})
    response = client.post("/requests/new/", data)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="partners-TOTAL_FORMS" value="3"' in body
    assert 'id="id_partners-2-name"' in body
    assert 'value="Nanjing University"' in body
    # Nothing is judged yet: no error summary for the amount typed so far.
    assert "data-error-summary" not in body
    assert not PartnershipRequest.objects.exists()


def test_add_another_funding_row_then_save(client, requester):
    client.force_login(requester)
    data = form_data(add_row="funding")
    body = client.post("/requests/new/", data).content.decode()
    assert 'name="funding-TOTAL_FORMS" value="2"' in body
    data = form_data(
        **{
            "funding-TOTAL_FORMS": "2",
            "funding-1-funder_name": "Jiangsu Province",
            "funding-1-country": "CN",
            "funding-1-funder_type": "partner_government",
            "funding-1-currency": "CNY",
        }
    )
    response = client.post("/requests/new/", data)
    assert response.status_code == 302
    assert PartnershipRequest.objects.get().funding_sources.count() == 2


def test_the_row_endpoint_answers_one_numbered_row_and_the_new_count(client, requester):
    client.force_login(requester)
    body = client.get("/requests/form-rows/partners/?partners-TOTAL_FORMS=2").content.decode()
    assert 'id="id_partners-2-name"' in body and "Partner 3" in body
    assert 'id="id_partners-2-DELETE"' in body
    assert 'name="partners-TOTAL_FORMS" value="3"' in body and 'hx-swap-oob="true"' in body
    # The live check is wired to the new row's own fields.
    assert "[name=&#x27;partners-2-name_native&#x27;]" in body
    body = client.get("/requests/form-rows/funding/?funding-TOTAL_FORMS=x").content.decode()
    assert 'id="id_funding-0-currency"' in body
    assert client.get("/requests/form-rows/people/").status_code == 404


def test_the_row_endpoint_is_for_those_who_register_requests(client, auditor):
    client.force_login(auditor)
    assert client.get("/requests/form-rows/partners/").status_code == 404
