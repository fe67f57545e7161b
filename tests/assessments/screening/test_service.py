import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments.models import (
    AuditEvent,
    MatchStatus,
    ScreeningAlert,
    ScreeningMatch,
    ScreeningSettings,
    Watchlist,
)
from assessments.screening.service import (
    confirmed_matches,
    match_confirm,
    match_dismiss,
    rescreen_after_activation,
    rescreen_open_partnerships,
    screen_name,
    screen_request,
    screening_index,
    screening_threshold,
)
from ukcn.refusals import Refusal

from .conftest import make_version


def test_screen_name_returns_the_documented_json_shape(aspi):
    result = screen_name("Harbin Inst. of Technology (Shenzhen)", country="CN")
    assert set(result) == {"query", "matches"}
    assert result["query"] == "Harbin Inst. of Technology (Shenzhen)"
    (match,) = result["matches"]
    assert match == {
        "list": "ASPI tracker",
        "list_version": 1,
        "entry_id": "hit",
        "name": "Harbin Institute of Technology",
        "matched_name": "Harbin Institute of Technology",
        "score": 1.0,
        "risk_level": "very_high",
        "source_risk_level": "very_high",
        "risk_set_by_office": False,
        "categories": ["Seven Sons of National Defence"],
        "explanation": match["explanation"],
    }
    assert "ignored qualifier 'shenzhen'" in match["explanation"]


def test_screen_name_lists_only_potential_matches_best_first(aspi):
    assert screen_name("Beijing University of Technology")["matches"] == []
    scores = [m["score"] for m in screen_name("NUST")["matches"]]
    assert scores == sorted(scores, reverse=True)
    assert all(score >= 0.85 for score in scores)


def test_the_admin_threshold_overrides_the_setting(aspi, settings):
    settings.SCREENING_THRESHOLD = 0.85
    assert screening_threshold() == 0.85
    ScreeningSettings(threshold=0.99).save()
    assert screening_threshold() == 0.99
    assert screen_name("Bejing Institute of Technology")["matches"] == []


def test_the_index_is_cached_until_the_active_versions_change(aspi, watchlist_rows):
    first = screening_index()
    assert screening_index() is first
    with CaptureQueriesContext(connection) as queries:
        screening_index()
    assert len(queries) == 1  # only the check of the active version ids
    make_version(aspi, watchlist_rows[:3], 2)
    second = screening_index()
    assert second is not first
    assert len(second) == 3


def test_inactive_watchlists_are_not_screened(aspi):
    Watchlist.objects.filter(pk=aspi.pk).update(is_active=False)
    assert screen_name("Harbin Institute of Technology")["matches"] == []


def test_screen_request_screens_every_partner_and_native_names(aspi, make_request, reviewer):
    request = make_request(
        "HIT Shenzhen campus", ("Some partner", "北京理工大学"), "University of Cambridge"
    )
    summary = screen_request(request=request, actor=reviewer)
    assert summary.partners == 3
    found = set(
        ScreeningMatch.objects.filter(partner__request=request).values_list(
            "external_id", flat=True
        )
    )
    assert found == {"bit"}
    assert ScreeningMatch.objects.get().screened_name == "北京理工大学"
    event = AuditEvent.objects.get(action="screening.run")
    assert event.request == request
    assert "1 potential match(es)" in event.summary


def test_screening_again_does_not_duplicate_matches(aspi, make_request, reviewer):
    request = make_request("Beihang University")
    screen_request(request=request, actor=reviewer)
    screen_request(request=request, actor=reviewer)
    assert ScreeningMatch.objects.filter(partner__request=request).count() == 1


def _match(request):
    return ScreeningMatch.objects.get(partner__request=request)


def test_only_reviewers_decide_and_a_reason_is_required(aspi, make_request, reviewer, requester):
    request = make_request("Beihang University")
    screen_request(request=request, actor=reviewer)
    with pytest.raises(Refusal) as forbidden:
        match_confirm(match=_match(request), actor=requester, reason="yes")
    assert forbidden.value.kind == "forbidden"
    with pytest.raises(Refusal) as invalid:
        match_confirm(match=_match(request), actor=reviewer, reason="  ")
    assert invalid.value.kind == "invalid"
    assert invalid.value.fields == {"reason": "Give a reason for the decision."}
    assert _match(request).status == MatchStatus.POTENTIAL


def test_a_confirmed_match_is_audited_and_feeds_scoring(aspi, make_request, reviewer):
    request = make_request("Beihang University")
    screen_request(request=request, actor=reviewer)
    match_confirm(match=_match(request), actor=reviewer, reason="Same address and website.")
    match = _match(request)
    assert match.status == MatchStatus.CONFIRMED
    assert match.reviewer == reviewer and match.decided_at is not None
    event = AuditEvent.objects.get(action="screening.match_confirmed")
    assert event.changes["reason"] == "Same address and website."
    (confirmed,) = confirmed_matches(request)
    assert confirmed.list_name == "ASPI tracker"
    assert confirmed.entry_external_id == "beihang"
    assert confirmed.version_number == 1
    assert confirmed.risk_level == "very_high"
    assert confirmed.blocking is True
    assert confirmed.organisation_name == "Beihang University"


def test_a_dismissal_is_reapplied_on_later_screenings(aspi, make_request, reviewer):
    first = make_request("Beihang University")
    screen_request(request=first, actor=reviewer)
    match_dismiss(match=_match(first), actor=reviewer, reason="A different campus body.")
    second = make_request("Beihang University")  # the same organisation in a new request
    summary = screen_request(request=second, actor=reviewer)
    assert summary.reapplied_dismissals == 1
    assert summary.potential == 0
    match = _match(second)
    assert match.status == MatchStatus.DISMISSED
    assert "A different campus body." in match.reason


def test_a_changed_entry_is_asked_again(aspi, make_request, reviewer, watchlist_rows):
    request = make_request("Beihang University")
    screen_request(request=request, actor=reviewer)
    match_dismiss(match=_match(request), actor=reviewer, reason="Not them.")
    rows = [dict(r) for r in watchlist_rows]
    rows[0]["aliases"] = [*rows[0]["aliases"], "Beihang"]
    make_version(aspi, rows, 2)
    rescreen_open_partnerships()
    match = _match(request)
    assert match.status == MatchStatus.POTENTIAL
    assert match.reason == ""
    assert ScreeningAlert.objects.get(match=match).kind == ScreeningAlert.Kind.ENTRY_CHANGED


def test_an_unchanged_entry_keeps_its_dismissal_across_versions(
    aspi, make_request, reviewer, watchlist_rows
):
    request = make_request("Beihang University")
    screen_request(request=request, actor=reviewer)
    match_dismiss(match=_match(request), actor=reviewer, reason="Not them.")
    make_version(aspi, watchlist_rows, 2)
    rescreen_open_partnerships()
    assert _match(request).status == MatchStatus.DISMISSED
    assert not ScreeningAlert.objects.exists()


def test_rescreening_alerts_on_new_matches_and_changed_risk(
    aspi, make_request, reviewer, watchlist_rows
):
    request = make_request("Beihang University", "Peking University")
    rows = [dict(r) for r in watchlist_rows if r["id"] != "pku"]
    internal = Watchlist.objects.create(name="Internal list", format="csv")
    make_version(internal, [], 1)
    make_version(aspi, rows, 2)
    screen_request(request=request, actor=reviewer)
    rows = [dict(r) for r in watchlist_rows]
    next(r for r in rows if r["id"] == "beihang")["risk_level"] = "high"
    version = make_version(aspi, rows, 3)
    summary = rescreen_after_activation(version)
    assert summary.requests == 1
    kinds = sorted(ScreeningAlert.objects.filter(request=request).values_list("kind", flat=True))
    assert kinds == ["new_match", "risk_changed"]
    risk = ScreeningAlert.objects.get(kind="risk_changed")
    assert "from very high to high" in risk.message
    event = AuditEvent.objects.filter(action="screening.run").latest("id")
    assert "ASPI tracker version 3 activated" in event.summary
    assert "2 alert(s)" in event.summary


def test_deciding_a_match_clears_its_alerts(aspi, make_request, reviewer, watchlist_rows):
    request = make_request("Beihang University")
    make_version(aspi, [r for r in watchlist_rows if r["id"] != "beihang"], 2)
    screen_request(request=request, actor=reviewer)
    make_version(aspi, watchlist_rows, 3)
    rescreen_open_partnerships()
    alert = ScreeningAlert.objects.get()
    match_confirm(match=alert.match, actor=reviewer, reason="Confirmed.")
    alert.refresh_from_db()
    assert alert.cleared_at is not None


def test_rescreening_covers_open_and_live_partnerships_only(aspi, make_request):
    today = timezone.localdate()
    live = make_request("Beihang University", status="approved", next_review_date=today)
    undated = make_request("Beihang University", status="approved_with_conditions")
    lapsed = make_request(
        "Beihang University", status="approved", next_review_date=today - datetime.timedelta(days=1)
    )
    declined = make_request("Beihang University", status="declined")
    draft = make_request("Beihang University", status="draft")
    rescreen_open_partnerships()
    screened = set(ScreeningMatch.objects.values_list("partner__request__reference", flat=True))
    assert screened == {live.reference, undated.reference, draft.reference}
    assert lapsed.reference not in screened and declined.reference not in screened


def _without(watchlist_rows, entry_id):
    return [dict(r) for r in watchlist_rows if r["id"] != entry_id]


def test_an_open_match_lapses_when_its_entry_leaves_the_list(
    aspi, make_request, reviewer, watchlist_rows
):
    request = make_request("Beihang University")
    screen_request(request=request, actor=reviewer)
    make_version(aspi, _without(watchlist_rows, "beihang"), 2)

    summary = rescreen_open_partnerships()

    match = _match(request)
    assert match.status == MatchStatus.LAPSED
    assert match.delisted_at is not None and match.reviewer is None
    assert match.reason == "Closed by screening: the entry is no longer on ASPI tracker."
    assert not ScreeningAlert.objects.exists()  # nothing left for a reviewer to decide
    assert summary.requests == 1
    event = AuditEvent.objects.filter(action="screening.run").latest("id")
    assert "1 lapsed" in event.summary


def test_an_open_match_lapses_when_the_name_no_longer_scores(aspi, make_request, reviewer):
    request = make_request("Beihang Univ. of Aeronautics")
    screen_request(request=request, actor=reviewer)
    assert _match(request).score < 0.999
    ScreeningSettings.objects.create(threshold=0.999)

    summary = screen_request(request=request, actor=reviewer)

    match = _match(request)
    assert summary.lapsed == 1
    assert (match.status, match.delisted_at) == (MatchStatus.LAPSED, None)
    assert match.reason == "Closed by screening: the name no longer scores 1.00 or more."


def test_a_lapsed_match_reopens_with_an_alert_when_the_entry_is_listed_again(
    aspi, make_request, reviewer, watchlist_rows
):
    request = make_request("Beihang University")
    screen_request(request=request, actor=reviewer)
    make_version(aspi, _without(watchlist_rows, "beihang"), 2)
    rescreen_open_partnerships()

    make_version(aspi, watchlist_rows, 3)
    rescreen_open_partnerships()

    match = _match(request)
    assert (match.status, match.delisted_at, match.reason) == (MatchStatus.POTENTIAL, None, "")
    assert ScreeningAlert.objects.get(match=match).kind == ScreeningAlert.Kind.NEW_MATCH
    assert ScreeningMatch.objects.count() == 1


def test_a_confirmed_match_stays_confirmed_when_delisted_but_alerts_the_reviewers(
    aspi, make_request, reviewer, watchlist_rows
):
    request = make_request("Beihang University")
    screen_request(request=request, actor=reviewer)
    match_confirm(match=_match(request), actor=reviewer, reason="Same body.")
    make_version(aspi, _without(watchlist_rows, "beihang"), 2)

    rescreen_open_partnerships()
    rescreen_open_partnerships()  # a second run alerts no more

    match = _match(request)
    assert match.status == MatchStatus.CONFIRMED and match.delisted_at is not None
    assert len(confirmed_matches(request)) == 1  # scoring keeps it until a reviewer decides
    alert = ScreeningAlert.objects.get(match=match)
    assert alert.kind == ScreeningAlert.Kind.ENTRY_REMOVED
    assert "'Beihang University' is no longer on ASPI tracker" in alert.message

    match_dismiss(match=match, actor=reviewer, reason="Delisted after the merger.")
    alert.refresh_from_db()
    assert alert.cleared_at is not None


def test_a_dismissed_match_is_only_marked_delisted(aspi, make_request, reviewer, watchlist_rows):
    request = make_request("Beihang University")
    screen_request(request=request, actor=reviewer)
    match_dismiss(match=_match(request), actor=reviewer, reason="Not them.")
    make_version(aspi, _without(watchlist_rows, "beihang"), 2)

    rescreen_open_partnerships()

    match = _match(request)
    assert (match.status, match.reason) == (MatchStatus.DISMISSED, "Not them.")
    assert match.delisted_at is not None
    assert not ScreeningAlert.objects.exists()
