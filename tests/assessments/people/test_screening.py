"""Screening people against the lists' individuals, and declared affiliations like partners."""

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.gates import open_gates, request_gates
from assessments.models import (
    AuditEvent,
    DeclarationKind,
    EntryKind,
    LegalEffect,
    Organisation,
    ScreeningDismissal,
    ScreeningMatch,
    Watchlist,
    WatchlistEntry,
    WatchlistVersion,
)
from assessments.people.services import declaration_record, person_add
from assessments.screening.service import confirmed_matches, match_decide, request_screen
from tests.assessments.people.conftest import required_row
from ukcn.api_tokens import api_token_issue
from ukcn.refusals import Refusal
from ukcn.roles import Role


@pytest.fixture
def sanctions(db):
    watchlist = Watchlist.objects.create(
        name="UK Sanctions List",
        format="uk-sanctions",
        legal_effect=LegalEffect.PROHIBITED_UNLESS_LICENSED,
    )
    version = WatchlistVersion.objects.create(
        watchlist=watchlist,
        number=1,
        source="t",
        sha256="1" * 64,
        importer="t",
        importer_version="1",
        status="active",
    )
    for external_id, name, kind in (
        ("RUS0001", "Ivan Petrovich Sidorov", EntryKind.PERSON),
        ("CHN0002", "Harbin Institute of Technology", EntryKind.ORGANISATION),
    ):
        WatchlistEntry.objects.create(
            version=version,
            external_id=external_id,
            name=name,
            risk_level="listed",
            fingerprint=external_id,
            kind=kind,
        )
    return watchlist


def _hits(request):
    return ScreeningMatch.objects.filter(request=request, person__isnull=False)


def test_a_listed_individual_is_found_and_a_confirmed_match_is_a_gate(
    sanctions, draft, requester, reviewer
):
    listed = person_add(
        request=draft, actor=requester, row=required_row(name="Ivan Sidorov", nationalities=["US"])
    )
    person_add(
        request=draft, actor=requester, row=required_row(name="Mary Jones", nationalities=["US"])
    )
    gate = next(g for g in open_gates(draft, "decide") if g.code == "people_sanctions")
    assert "2 people not screened" in gate.message
    with pytest.raises(Refusal):
        request_screen(request=draft, actor=requester, reason="test")
    request_screen(request=draft, actor=reviewer, reason="test")
    match = _hits(draft).get()
    assert (match.person, match.subject_kind, match.external_id) == (listed, "person", "RUS0001")
    assert match.screened_name == f"Person #{listed.pk} (student)"
    assert match.subject_label == f"person Person #{listed.pk} (student)"
    assert "people_sanctions" not in {g.code for g in open_gates(draft, "decide")}
    resolved = next(g for g in open_gates(draft, "decide") if g.code == "screening_resolved")
    assert "1 match to resolve" in resolved.message
    match_decide(match=match, actor=reviewer, decision="confirm", reason="Same person")
    gate = next(g for g in open_gates(draft, "decide") if g.code == "people_sanctions")
    assert "confirmed sanctions match" in gate.message
    events = AuditEvent.objects.filter(action__startswith="screening")
    text = json.dumps(list(events.values("summary", "changes")), ensure_ascii=False)
    assert "Ivan" not in text and "Sidorov" not in text and "Same person" not in text
    # A person's confirmed match is a gate, never points.
    assert confirmed_matches(draft) == []
    # Screening again adds nothing new.
    assert request_screen(request=draft, actor=reviewer, reason="again").new == 0


def test_a_dismissal_is_remembered_for_that_person(sanctions, draft, requester, reviewer):
    person = person_add(request=draft, actor=requester, row=required_row(name="Ivan Sidorov"))
    request_screen(request=draft, actor=reviewer, reason="test")
    match = _hits(draft).get()
    match_decide(match=match, actor=reviewer, decision="dismiss", reason="Born 1990")
    assert ScreeningDismissal.objects.get().person == person
    gate = next(g for g in request_gates(draft, "decide") if g.code == "people_sanctions")
    assert gate.satisfied


def test_person_alerts_name_neither_the_person_nor_the_entry(sanctions, draft, requester, reviewer):
    from assessments.models import ScreeningAlert
    from assessments.screening.service import screen_request

    person_add(request=draft, actor=requester, row=required_row(name="Ivan Sidorov"))
    screen_request(request=draft, actor=None, alert=True)
    alert = ScreeningAlert.objects.get()
    assert "Ivan" not in alert.message and "Person #" in alert.message


def test_a_declared_affiliation_is_screened_like_a_partner(sanctions, draft, requester, reviewer):
    person = person_add(request=draft, actor=requester, row=required_row(name="Mary Jones"))
    hit = Organisation.objects.create(name="Harbin Institute of Technology", country="CN")
    declaration_record(
        person=person,
        actor=requester,
        kind=DeclarationKind.AFFILIATION,
        organisation=hit,
        declared_on=timezone.localdate(),
    )
    request_screen(request=draft, actor=reviewer, reason="test")
    match = _hits(draft).get()
    assert match.subject_kind == "affiliation" and match.external_id == "CHN0002"
    assert match.organisation == hit


def test_people_matches_stay_off_the_shared_screening_surfaces(
    sanctions, draft, requester, reviewer, make_user, client
):
    person_add(request=draft, actor=requester, row=required_row(name="Ivan Sidorov"))
    request_screen(request=draft, actor=reviewer, reason="test")
    head = make_user("head", Role.HEAD_OF_DEPARTMENT, draft.department)
    _token, secret = api_token_issue(user=head, name="t")
    api = client.get(
        f"/api/v1/requests/{draft.reference}/matches/",
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert api.status_code == 200 and api.json() == []
    client.force_login(head)
    page = client.get(reverse("assessments:request_screening", args=[draft.reference]))
    assert "Sidorov" not in page.content.decode()
    client.force_login(reviewer)
    people = client.get(
        reverse("assessments:person_detail", args=[draft.reference, draft.people.get().pk])
    )
    assert "Ivan Petrovich Sidorov" in people.content.decode()


def test_match_decided_on_the_page_by_a_reviewer_only(
    sanctions, draft, requester, reviewer, client
):
    person_add(request=draft, actor=requester, row=required_row(name="Ivan Sidorov"))
    request_screen(request=draft, actor=reviewer, reason="test")
    match = _hits(draft).get()
    url = reverse("assessments:person_match_decide", args=[match.pk])
    client.force_login(requester)
    client.post(url, {"decision": "confirm", "reason": "x"})
    match.refresh_from_db()
    assert match.status == "potential"
    client.force_login(reviewer)
    client.post(url, {"decision": "dismiss", "reason": "Different birth date"})
    match.refresh_from_db()
    assert match.status == "dismissed"


@pytest.mark.parametrize(
    ("query", "listed", "matches"),
    [
        ("Ivan Sidorov", "Ivan Petrovich Sidorov", True),
        ("Sidorov Ivan", "Ivan Petrovich SIDOROV", True),
        ("José Álvarez", "Jose Alvarez", True),
        ("Ivan Sidorow", "Ivan Sidorov", True),  # a transliteration variant
        ("李伟", "李伟", True),
        ("Ivan Petrov", "Ivan Sidorov", False),
        ("Ivan", "Ivan Sidorov", False),
        ("Mary Jones", "Ivan Sidorov", False),
    ],
)
def test_person_name_score(query, listed, matches):
    from assessments.people.screening import name_tokens, person_name_score

    score, _ = person_name_score(name_tokens(query), name_tokens(listed))
    assert (score >= 0.85) is matches
