"""The facts the legal determinations need, asked of the requester: what is transferred and
the IP arrangement, checked once in request_facts_validate for the form, the API and the
workflow."""

import pytest

from assessments.workflow.facts import request_facts_validate
from ukcn.refusals import Refusal

from ..request_factories import make_request


def test_transfers_and_the_ip_arrangement_are_checked_in_one_place():
    assert request_facts_validate({"transfers": ["items", "data"], "ip_kind": "none"}) == {}
    errors = request_facts_validate({"transfers": ["weapons"], "ip_kind": "patent"})
    assert set(errors) == {"transfers", "ip_kind"}
    assert "transfers" in request_facts_validate({"transfers": ["data", "data"]})


def test_the_workflow_refuses_what_the_form_refuses(requester):
    with pytest.raises(Refusal) as refused:
        make_request(requester, transfers=["weapons"])
    assert "transfers" in refused.value.fields
    pr = make_request(requester, transfers=["software"], ip_kind="background_licensed")
    assert (pr.transfers, pr.ip_kind) == (["software"], "background_licensed")


def test_the_form_asks_them_without_making_them_required(client, requester):
    client.force_login(requester)
    body = client.get("/requests/new/").content.decode()
    assert 'name="transfers"' in body and 'name="ip_kind"' in body
