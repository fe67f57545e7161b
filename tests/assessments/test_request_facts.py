"""A request's facts are checked by one function, and every way in asks it."""

from datetime import date
from decimal import Decimal

import pytest

from assessments import workflow
from assessments.forms import FundingForm, PartnerForm, RequestForm
from assessments.models import AuditEvent, Organisation, PartnershipRequest
from assessments.workflow.facts import (
    AMOUNT_NEGATIVE,
    CURRENCY_CODE,
    END_BEFORE_START,
    FUNDER_UNNAMED,
    NAME_WITHOUT_LETTERS,
    SECTORS_AND_NONE,
    funding_row_validate,
    request_facts_validate,
)
from ukcn.refusals import Refusal

from .request_factories import facts, make_request


def test_the_rules_on_a_requests_facts():
    assert request_facts_validate({}) == {}
    assert request_facts_validate(
        {"start_date": date(2027, 5, 1), "end_date": date(2027, 4, 30)}
    ) == {"end_date": END_BEFORE_START}
    assert request_facts_validate({"no_nsi_sector": True, "sectors": ["x"]}) == {
        "no_nsi_sector": SECTORS_AND_NONE
    }
    errors = request_facts_validate(
        {
            "funding": [
                {"funder_name": "UKRI", "currency": "GBP"},
                {"funder_name": "", "currency": "XYZ123"},
                {"funder_name": "", "origin_undisclosed": True, "currency": "cny"},
            ]
        }
    )
    assert errors == {"funding.1.currency": CURRENCY_CODE, "funding.1.funder_name": FUNDER_UNNAMED}


@pytest.mark.django_db
def test_the_same_organisation_twice_is_refused_whether_registered_or_new():
    tsinghua = Organisation.objects.create(name="Tsinghua University", country="CN")
    twice = [{"organisation": tsinghua}, {"organisation": tsinghua}]
    assert request_facts_validate({"partners": twice}) == {
        "partners.1.organisation": "Tsinghua University is listed twice as a partner."
    }
    new = {"name": "Zhejiang  University", "country": "CN"}
    typed = [
        {"new_organisation": new},
        {"new_organisation": {**new, "name": "zhejiang university"}},
    ]
    assert "partners.1.organisation" in request_facts_validate({"partners": typed})


def test_the_workflow_refuses_what_the_forms_refuse(requester):
    bad_funding = [{"funder_name": "", "funder_type": "uk_public", "currency": "GBP"}]
    with pytest.raises(Refusal) as refused:
        make_request(requester, funding=bad_funding)
    assert refused.value.kind == "invalid"
    assert refused.value.fields == {"funding.0.funder_name": FUNDER_UNNAMED}
    form = FundingForm(data={"funder_name": "", "funder_type": "uk_public", "currency": "GBP"})
    assert form.errors["funder_name"] == [FUNDER_UNNAMED]
    with pytest.raises(Refusal, match="The end date is before"):
        make_request(requester, start_date=date(2028, 1, 1), end_date=date(2027, 1, 1))
    request_form = RequestForm(
        data={"start_date": "2028-01-01", "end_date": "2027-01-01", "title": "x"}
    )
    assert request_form.errors["end_date"] == [END_BEFORE_START]
    assert not PartnershipRequest.objects.exists()


def test_request_create_registers_a_new_organisation_and_a_refusal_rolls_it_back(requester):
    new = workflow.PartnerInput(
        new_organisation={"name": "Zhejiang University", "country": "CN", "org_type": "university"},
        role="Co-lead",
    )
    pr = make_request(requester, partners=[new])
    organisation = Organisation.objects.get(name="Zhejiang University")
    assert pr.partners.get().organisation == organisation
    assert AuditEvent.objects.filter(action="organisation.created").count() == 1
    # The same organisation typed again is found, not duplicated.
    again = workflow.PartnerInput(new_organisation={"name": "zhejiang university", "country": "CN"})
    assert make_request(requester, partners=[again]).partners.get().organisation == organisation
    # A refused request leaves no organisation behind: Fudan is registered first, then the
    # second row turns out to be Zhejiang again, so the request is refused and Fudan goes too.
    partners = [
        workflow.PartnerInput(new_organisation={"name": "Fudan University", "country": "CN"}),
        workflow.PartnerInput(organisation=organisation),
        workflow.PartnerInput(new_organisation={"name": "ZHEJIANG UNIVERSITY", "country": "CN"}),
    ]
    with pytest.raises(Refusal, match="listed twice"):
        workflow.request_create(actor=requester, facts=facts(partners=partners))
    assert not Organisation.objects.filter(name="Fudan University").exists()


def test_currencies_are_iso_4217_codes_and_amounts_are_not_negative():
    assert funding_row_validate({"funder_name": "NSFC", "currency": "CNY", "amount": 0}) == {}
    assert funding_row_validate({"funder_name": "NSFC", "currency": "XYZ"}) == {
        "currency": CURRENCY_CODE
    }
    assert funding_row_validate({"funder_name": "NSFC", "currency": "XYZ123"}) == {
        "currency": CURRENCY_CODE
    }
    assert funding_row_validate(
        {"funder_name": "NSFC", "currency": "GBP", "amount": Decimal("-1000000")}
    ) == {"amount": AMOUNT_NEGATIVE}


def test_names_need_a_letter_of_some_script():
    assert funding_row_validate({"funder_name": "!!! ???"}) == {"funder_name": NAME_WITHOUT_LETTERS}
    assert funding_row_validate({"funder_name": "国家自然科学基金委员会"}) == {}
    partners = [
        {"new_organisation": {"name": "!!! ???", "country": "CN"}},
        {"new_organisation": {"name": "南京大学", "country": "CN"}},
        {"new_organisation": {"name": "3M", "country": "US"}},
    ]
    assert request_facts_validate({"partners": partners}) == {
        "partners.0.name": NAME_WITHOUT_LETTERS
    }


def test_dates_lie_near_the_registration_date_and_run_at_most_ten_years():
    registered = date(2026, 6, 1)
    ok = {"start_date": date(2027, 1, 1), "end_date": date(2036, 12, 31)}
    assert request_facts_validate({**ok, "registered_on": registered}) == {}
    far = request_facts_validate(
        {"start_date": date(2099, 1, 1), "end_date": date(2199, 1, 1), "registered_on": registered}
    )
    assert "2016-06-01 to 2036-06-01" in far["start_date"]
    assert "at most 10 years" in far["end_date"]
    assert "start_date" in request_facts_validate(
        {"start_date": date(2016, 5, 31), "registered_on": registered}
    )
    # An old request's dates are judged against its own registration, not today.
    old = {"start_date": date(2012, 1, 1), "registered_on": date(2011, 3, 1)}
    assert request_facts_validate(old) == {}


def test_the_web_form_and_the_workflow_refuse_the_new_rules(requester):
    far = date.today().replace(year=date.today().year + 20)
    form = RequestForm(data={"start_date": far.isoformat(), "title": "x"})
    assert "within 10 years" in form.errors["start_date"][0]
    with pytest.raises(Refusal) as refused:
        make_request(requester, start_date=far)
    assert "start_date" in refused.value.fields
    bad = [{"funder_name": "NSFC", "funder_type": "uk_public", "currency": "XYZ", "amount": -1}]
    with pytest.raises(Refusal) as refused:
        make_request(requester, funding=bad)
    assert refused.value.fields == {
        "funding.0.currency": CURRENCY_CODE,
        "funding.0.amount": AMOUNT_NEGATIVE,
    }
    with pytest.raises(Refusal) as refused:
        make_request(
            requester,
            partners=[workflow.PartnerInput(new_organisation={"name": "???", "country": "CN"})],
        )
    assert refused.value.fields == {"partners.0.name": NAME_WITHOUT_LETTERS}
    assert not Organisation.objects.filter(name="???").exists()
    partner = PartnerForm(data={"name": "!!!", "country": "CN", "org_type": "university"})
    assert partner.errors["name"] == [NAME_WITHOUT_LETTERS]
