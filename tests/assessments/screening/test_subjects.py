"""A screening match is about a subject of a request: a partner, a partner's parent or
sub-partner, a funder (and, with the people records, a person). Every subject's matches are
confirmed, dismissed, remembered and gated the same way."""

import pytest

from assessments.gates import request_gates
from assessments.models import (
    AuditEvent,
    MatchStatus,
    Organisation,
    ScreeningDismissal,
    ScreeningMatch,
    SubjectKind,
)
from assessments.screening import service
from assessments.screening.service import (
    confirmed_matches,
    match_confirm,
    match_dismiss,
    organisation_subject,
    screen_request,
)


@pytest.fixture
def funders():
    """A registered subject source: the request's 'funders' are organisations named here."""
    named: dict[int, list[Organisation]] = {}

    def source(request):
        return [
            organisation_subject(SubjectKind.FUNDER, organisation)
            for organisation in named.get(request.pk, [])
        ]

    service._SUBJECT_SOURCES.append(source)
    yield named
    service._SUBJECT_SOURCES.remove(source)


def _gate(request, code):
    return next(g for g in request_gates(request, "recommend") if g.code == code)


def test_a_funder_is_screened_and_its_match_gates_the_request(
    aspi, make_request, reviewer, funders
):
    request = make_request("University of Cambridge")
    funder = Organisation.objects.create(name="Beihang University", country="CN")
    funders[request.pk] = [funder]
    summary = screen_request(request=request, actor=reviewer)
    assert (summary.partners, summary.others) == (1, 1)
    match = ScreeningMatch.objects.get(request=request)
    assert match.partner is None
    assert match.subject_kind == SubjectKind.FUNDER
    assert match.subject == funder
    assert match.subject_label == "funder Beihang University"
    assert match.subject_key == f"funder:{funder.pk}"
    assert not _gate(request, "screening_resolved").satisfied
    assert "and 1 other subject(s)" in AuditEvent.objects.get(action="screening.run").summary

    match_dismiss(match=match, actor=reviewer, reason="A different Beihang.")
    assert _gate(request, "screening_resolved").satisfied
    assert ScreeningDismissal.objects.get().organisation == funder
    event = AuditEvent.objects.get(action="screening.match_dismissed")
    assert "funder Beihang University" in event.summary


def test_a_dismissal_of_a_funder_is_remembered_on_another_request(
    aspi, make_request, reviewer, funders
):
    funder = Organisation.objects.create(name="Beihang University", country="CN")
    first = make_request("University of Cambridge")
    funders[first.pk] = [funder]
    screen_request(request=first, actor=reviewer)
    match_dismiss(match=ScreeningMatch.objects.get(), actor=reviewer, reason="Not it.")
    second = make_request("University of Oxford")
    funders[second.pk] = [funder]
    screen_request(request=second, actor=reviewer)
    again = ScreeningMatch.objects.get(request=second)
    assert again.status == MatchStatus.DISMISSED
    assert "Earlier dismissal re-applied" in again.reason


def test_a_confirmed_funder_reaches_the_scoring_with_its_kind(
    aspi, make_request, reviewer, funders
):
    request = make_request("University of Cambridge")
    funders[request.pk] = [Organisation.objects.create(name="Beihang University", country="CN")]
    screen_request(request=request, actor=reviewer)
    match_confirm(match=ScreeningMatch.objects.get(), actor=reviewer, reason="The same body.")
    (confirmed,) = confirmed_matches(request)
    assert confirmed.subject_kind == "funder"
    assert confirmed.organisation_name == "Beihang University"


def test_a_subject_no_longer_on_the_request_lapses_its_open_matches(
    aspi, make_request, reviewer, funders
):
    request = make_request("University of Cambridge")
    funders[request.pk] = [Organisation.objects.create(name="Beihang University", country="CN")]
    screen_request(request=request, actor=reviewer)
    funders[request.pk] = []
    screen_request(request=request, actor=reviewer)
    match = ScreeningMatch.objects.get(request=request)
    assert match.status == MatchStatus.LAPSED
    assert "no longer part of the request" in match.reason
    assert _gate(request, "screening_resolved").satisfied


def test_the_same_entry_is_one_match_per_subject(aspi, make_request, reviewer, funders):
    request = make_request("Beihang University")
    funders[request.pk] = [Organisation.objects.get(name="Beihang University")]
    screen_request(request=request, actor=reviewer)
    screen_request(request=request, actor=reviewer)
    kinds = sorted(
        ScreeningMatch.objects.filter(request=request).values_list("subject_kind", flat=True)
    )
    assert kinds == ["funder", "partner"]


def test_a_partner_match_fills_in_its_request_and_organisation(aspi, make_request, reviewer):
    request = make_request("Beihang University")
    screen_request(request=request, actor=reviewer)
    match = ScreeningMatch.objects.get()
    assert match.request == request
    assert match.subject_kind == SubjectKind.PARTNER
    assert match.organisation == match.partner.organisation
    assert match.subject_label == "Beihang University"
    assert match.subject_key == f"partner:{match.partner_id}"


def test_the_screening_page_shows_other_subjects(aspi, make_request, reviewer, funders, client):
    request = make_request("University of Cambridge")
    funders[request.pk] = [Organisation.objects.create(name="Beihang University", country="CN")]
    screen_request(request=request, actor=reviewer)
    client.force_login(reviewer)
    page = client.get(f"/requests/{request.reference}/screening/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Funder Beihang University" in text
    assert "Confirm match" in text
