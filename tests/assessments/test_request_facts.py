"""A request's facts are checked by one function, and every way in asks it."""

from datetime import date

import pytest

from assessments import workflow
from assessments.forms import FundingForm, RequestForm
from assessments.models import AuditEvent, Organisation, PartnershipRequest
from assessments.workflow.facts import (
    CURRENCY_CODE,
    END_BEFORE_START,
    FUNDER_UNNAMED,
    SECTORS_AND_NONE,
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
