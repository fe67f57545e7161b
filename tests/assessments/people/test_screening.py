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
    Watchlist,
    WatchlistEntry,
    WatchlistVersion,
)
from assessments.people.screening import people_screen, person_match_decide
from assessments.people.services import declaration_record, person_add
from tests.assessments.people.conftest import required_row
from ukcn.refusals import Refusal


@pytest.fixture
def sanctions(db):
    watchlist = Watchlist.objects.create(
        name="UK Sanctions List",
        format="uk-sanctions",
        legal_effect=LegalEffect.PROHIBITED_UNLESS_LICENSED,
    )
    version = WatchlistVersion.objects.create(
        watchlist=watchlist, number=1, source="t", sha256="1" * 64, importer="t",
        importer_version="1", status="active",
    )
    for external_id, name, kind in (
        ("RUS0001", "Ivan Petrovich Sidorov", EntryKind.PERSON),
        ("CHN0002", "Harbin Institute of Technology", EntryKind.ORGANISATION),
    ):
        WatchlistEntry.objects.create(
            version=version, external_id=external_id, name=name, risk_level="listed",
            fingerprint=external_id, kind=kind,
        )
    return watchlist


def test_a_listed_individual_is_found_and_a_confirmed_match_is_a_gate(
    sanctions, draft, requester, reviewer
):
    listed = person_add(
        request=draft, actor=requester, row=required_row(name="Ivan Sidorov", nationalities=["US"])
    )
    person_add(request=draft, actor=requester, row=required_row(name="Mary Jones", nationalities=["US"]))
    with pytest.raises(Refusal):
        people_screen(request=draft, actor=requester)
    assert people_screen(request=draft, actor=reviewer) == 1
    match = listed.screening_matches.get()
    assert match.external_id == "RUS0001"
    gate = next(g for g in open_gates(draft, "decide") if g.code == "people_sanctions")
    assert "1 person match to resolve" in gate.message
    person_match_decide(match=match, actor=reviewer, decision="confirm", reason="Same person")
    gate = next(g for g in open_gates(draft, "decide") if g.code == "people_sanctions")
    assert "confirmed sanctions match" in gate.message
    events = AuditEvent.objects.filter(action__in=["people_screened", "person_match_confirmed"])
    text = json.dumps(list(events.values("summary", "changes")), ensure_ascii=False)
    assert "Ivan" not in text and "Same person" not in text
    # Screening again adds nothing new.
    assert people_screen(request=draft, actor=reviewer) == 0


def test_a_dismissed_match_clears_the_gate(sanctions, draft, requester, reviewer):
    person_add(request=draft, actor=requester, row=required_row(name="Ivan Sidorov"))
    people_screen(request=draft, actor=reviewer)
    match = draft.people.get().screening_matches.get()
    person_match_decide(match=match, actor=reviewer, decision="dismiss", reason="Born 1990")
    gate = next(g for g in request_gates(draft, "decide") if g.code == "people_sanctions")
    assert gate.satisfied


def test_a_declared_affiliation_is_screened_like_a_partner(sanctions, draft, requester, reviewer):
    person = person_add(request=draft, actor=requester, row=required_row(name="Mary Jones"))
    hit = Organisation.objects.create(name="Harbin Institute of Technology", country="CN")
    declaration_record(
        person=person, actor=requester, kind=DeclarationKind.AFFILIATION, organisation=hit,
        declared_on=timezone.localdate(),
    )
    assert people_screen(request=draft, actor=reviewer) == 1
    match = person.screening_matches.get()
    assert match.subject == "affiliation" and match.external_id == "CHN0002"


def test_match_decided_on_the_page_by_a_reviewer_only(sanctions, draft, requester, reviewer, client):
    person_add(request=draft, actor=requester, row=required_row(name="Ivan Sidorov"))
    people_screen(request=draft, actor=reviewer)
    match = draft.people.get().screening_matches.get()
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
