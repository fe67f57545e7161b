"""Risk levels the central office sets on entries a source does not rate."""

import json
from pathlib import Path

import pytest

from assessments.models import AuditEvent, EntryRiskOverride, Watchlist
from assessments.screening import service
from assessments.screening.service import screen_name
from assessments.watchlists.loader import watchlist_create, watchlist_import
from assessments.watchlists.overrides import entry_risk, entry_risk_override_set
from ukcn.refusals import Refusal

FIXTURES = Path(__file__).parent / "fixtures"
TRACKER = "https://unitracker.aspi.org.au/universities/national-university-of-defense-technology"


@pytest.fixture(autouse=True)
def fresh_index_cache():
    service._cache.update(version_ids=None, index=None)
    yield
    service._cache.update(version_ids=None, index=None)


def galaxy(**changes) -> bytes:
    document = json.loads((FIXTURES / "aspi_galaxy.json").read_text("utf-8"))
    document["values"][0].update(changes)
    return json.dumps(document, ensure_ascii=False).encode()


@pytest.fixture
def tracker(db):
    watchlist = watchlist_create(actor=None, name="ASPI tracker (MISP)", format="aspi")
    watchlist_import(watchlist=watchlist, data=galaxy(), source="v1.json", importer="aspi")
    return watchlist


def nudt(watchlist: Watchlist):
    return watchlist.versions.get(status="active").entries.get(
        name="National University of Defense Technology"
    )


def set_very_high(entry, actor):
    return entry_risk_override_set(
        actor=actor,
        entry=entry,
        risk_level="very_high",
        reason="ASPI rates NUDT very high risk on its tracker page.",
        source=TRACKER,
    )


def test_the_office_sets_a_level_screening_uses_it_beside_the_sources(tracker, reviewer):
    entry = nudt(tracker)
    assert entry.risk_level == "listed"  # the MISP copy carries no rating
    override = set_very_high(entry, reviewer)
    assert (override.risk_level, override.source_risk_level) == ("very_high", "listed")
    event = AuditEvent.objects.get(action="watchlist.entry_risk_set")
    assert event.actor == reviewer
    assert event.changes["source"] == TRACKER
    assert event.changes["source_risk_level"] == "listed"
    (match,) = screen_name("National University of Defense Technology")["matches"]
    assert match["risk_level"] == "very_high"
    assert match["source_risk_level"] == "listed"
    assert match["risk_set_by_office"] is True
    assert entry_risk(entry) == ("very_high", override)


def test_the_same_level_again_records_nothing(tracker, reviewer):
    set_very_high(nudt(tracker), reviewer)
    set_very_high(nudt(tracker), reviewer)
    assert AuditEvent.objects.filter(action="watchlist.entry_risk_set").count() == 1


def test_the_level_holds_across_versions_while_the_entry_is_unchanged(tracker, reviewer):
    set_very_high(nudt(tracker), reviewer)
    # A new version in which only another field (the description, not screened) changed.
    watchlist_import(
        watchlist=tracker,
        data=galaxy(description="Reworded."),
        source="v2.json",
        importer="aspi",
    )
    assert tracker.versions.get(status="active").number == 2
    assert entry_risk(nudt(tracker))[0] == "very_high"
    (match,) = screen_name("National University of Defense Technology")["matches"]
    assert match["risk_level"] == "very_high"
    # The source changes the entry (a new alias): the office's level no longer applies.
    meta = json.loads(galaxy())["values"][0]["meta"]
    meta["aliases"] = [*meta["aliases"], "Changsha Institute of Technology"]
    watchlist_import(watchlist=tracker, data=galaxy(meta=meta), source="v3.json", importer="aspi")
    level, override = entry_risk(nudt(tracker))
    assert (level, override) == ("listed", None)
    (match,) = screen_name("National University of Defense Technology")["matches"]
    assert (match["risk_level"], match["risk_set_by_office"]) == ("listed", False)
    assert EntryRiskOverride.objects.count() == 1  # kept, for the record and to set again


def test_only_the_central_office_sets_levels_with_a_reason_and_a_source(
    tracker, requester, reviewer
):
    with pytest.raises(Refusal) as refused:
        set_very_high(nudt(tracker), requester)
    assert refused.value.kind == "forbidden"
    for reason, source, field in (("", TRACKER, "reason"), ("Rated very high.", " ", "source")):
        with pytest.raises(Refusal) as refused:
            entry_risk_override_set(
                actor=reviewer,
                entry=nudt(tracker),
                risk_level="very_high",
                reason=reason,
                source=source,
            )
        assert refused.value.kind == "invalid" and field in refused.value.fields
    assert not EntryRiskOverride.objects.exists()


def test_the_admin_sets_a_level_through_the_service(tracker, admin_user, reviewer, client):
    from tests.conftest import grant_role
    from ukcn.roles import Role

    grant_role(admin_user, Role.REVIEWER)
    client.force_login(admin_user)
    entry = nudt(tracker)
    url = f"/admin/assessments/watchlistentry/{entry.pk}/risk/"
    page = client.get(url)
    assert page.status_code == 200
    assert b"gives <strong>National University of Defense Technology</strong>" in page.content
    response = client.post(url, {"risk_level": "high", "reason": "", "source": TRACKER})
    assert response.status_code == 200 and b"This field is required" in response.content
    response = client.post(
        url, {"risk_level": "high", "reason": "ASPI: high risk.", "source": TRACKER}
    )
    assert response.status_code == 302
    change = client.get(f"/admin/assessments/watchlistentry/{entry.pk}/change/")
    assert b"High (set by the office; the source says Listed)" in change.content
