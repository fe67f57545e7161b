"""Funders and sub-partners are organisations, screened with the request."""

from django.core.management import call_command

from assessments.models import FundingSource, Organisation, ScreeningMatch, SubPartner
from assessments.screening.service import screen_request

from .conftest import HIT


def test_a_funder_resolving_to_a_listed_body_is_screened(ror, aspi, make_request, reviewer):
    request = make_request("University of Cambridge")
    FundingSource.objects.create(
        request=request, funder_name="HIT", country="CN", funder_type="other"
    )
    call_command("link_funders", "--actor", reviewer.username)
    funding = request.funding_sources.get()
    assert funding.organisation.identity.ror_id == HIT
    screen_request(request=request, actor=reviewer)
    match = ScreeningMatch.objects.get(request=request, subject_kind="funder")
    assert match.external_id == "hit"
    assert match.subject_label == "funder Harbin Institute of Technology"


def test_a_funder_resolving_to_nothing_stays_free_text(ror, make_request, reviewer, capsys):
    request = make_request("University of Cambridge")
    FundingSource.objects.create(
        request=request, funder_name="Acme Trust", country="GB", funder_type="other"
    )
    call_command("link_funders", "--actor", reviewer.username)
    assert "0 funding row(s) linked; 1 left as free text." in capsys.readouterr().out
    assert request.funding_sources.get().organisation is None


def test_a_sub_partner_is_screened_as_the_partners(aspi, make_request, reviewer):
    request = make_request("University of Cambridge")
    partner = request.partners.get()
    beihang = Organisation.objects.create(name="Beihang University", country="CN")
    SubPartner.objects.create(partner=partner, organisation=beihang)
    screen_request(request=request, actor=reviewer)
    match = ScreeningMatch.objects.get(request=request, subject_kind="sub_partner")
    assert match.partner == partner and match.organisation == beihang
    assert match.subject_label == "sub-partner Beihang University (of University of Cambridge)"
