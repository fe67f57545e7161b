"""A reviewer assesses a request from its page: screening's confirmed matches feed the score."""

import pytest
from django.core.management import call_command

from assessments import workflow
from assessments.models import (
    Assessment,
    AuditEvent,
    RequestStatus,
    Watchlist,
    WatchlistEntry,
    WatchlistVersion,
)
from assessments.screening.service import match_confirm
from assessments.watchlists.entries import entry_fingerprint
from ukcn.refusals import Refusal

from .request_factories import advance, make_request


@pytest.fixture
def policy(db):
    call_command("load_checklist", verbosity=0)


@pytest.fixture
def listed_nudt(db):
    watchlist = Watchlist.objects.create(name="Defence tracker", format="csv")
    version = WatchlistVersion.objects.create(
        watchlist=watchlist,
        number=1,
        source="t.csv",
        sha256="a" * 64,
        importer="csv",
        importer_version="1",
        status="active",
    )
    row = {
        "name": "National University of Defense Technology",
        "aliases": ["国防科技大学", "NUDT"],
        "country": "CN",
        "risk_level": "very_high",
        "categories": [],
    }
    return WatchlistEntry.objects.create(
        version=version, external_id="nudt", fingerprint=entry_fingerprint(row), **row
    )


def in_review(pr, requester, reviewer):
    """Submitted (and so screened) and taken into review, nothing resolved or assessed yet."""
    advance(pr, to=RequestStatus.SUBMITTED, requester=requester, reviewer=reviewer)
    workflow.request_take_into_review(actor=reviewer, request=pr)


def test_a_confirmed_very_high_match_makes_the_assessed_tier_very_high(
    client, requester, reviewer, policy, listed_nudt
):
    from assessments.models import Organisation

    nudt = Organisation.objects.create(
        name="National University of Defence Technology", name_native="国防科技大学", country="CN"
    )
    pr = make_request(requester, partners=[workflow.PartnerInput(organisation=nudt, role="Lab")])
    in_review(pr, requester, reviewer)
    match = pr.partners.get().screening_matches.get()
    match_confirm(match=match, actor=reviewer, reason="Same institution, same address.")

    client.force_login(reviewer)
    response = client.post(f"/requests/{pr.reference}/actions/assess/", follow=True)
    assert response.status_code == 200
    assessment = Assessment.objects.get(request=pr)
    assert assessment.tier == "very_high"
    assert assessment.floor == "very_high"
    pr.refresh_from_db()
    assert pr.tier == "very_high"
    page = response.content.decode()
    assert "Risk assessment" in page and "Very high" in page
    assert AuditEvent.objects.filter(request=pr, action="request.assessed").exists()


def test_an_override_cannot_go_below_the_floor_and_needs_a_reason(
    requester, reviewer, policy, listed_nudt
):
    from assessments.models import Organisation
    from assessments.scoring.assessing import request_assess

    nudt = Organisation.objects.create(name="NUDT", country="CN")
    pr = make_request(requester, partners=[workflow.PartnerInput(organisation=nudt, role="Lab")])
    in_review(pr, requester, reviewer)
    match_confirm(match=pr.partners.get().screening_matches.get(), actor=reviewer, reason="Same.")
    request_assess(request=pr, actor=reviewer)
    with pytest.raises(Refusal, match="Say why"):
        workflow.request_set_tier(actor=reviewer, request=pr, tier="very_high")
    with pytest.raises(Refusal, match="cannot go below very high"):
        workflow.request_set_tier(actor=reviewer, request=pr, tier="low", reason="I know them")
    pr.refresh_from_db()
    assert pr.tier == "very_high"


def test_a_requester_is_not_offered_the_assessment(client, requester, reviewer, policy):
    pr = make_request(requester)
    in_review(pr, requester, reviewer)
    client.force_login(requester)
    response = client.post(f"/requests/{pr.reference}/actions/assess/")
    assert not Assessment.objects.filter(request=pr).exists()
    assert response.status_code in {302, 403}
    client.force_login(reviewer)
    assert "Assess the risk" in client.get(pr.get_absolute_url()).content.decode()
