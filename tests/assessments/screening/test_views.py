import pytest
from django.urls import reverse

from assessments.models import AuditEvent, MatchStatus, ScreeningMatch
from assessments.screening.service import rescreen_open_partnerships, screen_name, screen_request

from .conftest import make_version


@pytest.fixture
def screened(aspi, make_request, reviewer):
    request = make_request("Beihang Univ.", "University of Cambridge")
    screen_request(request=request, actor=reviewer)
    return request


def page_url(request):
    return reverse("assessments:request_screening", args=[request.reference])


def decide_url(request):
    match = ScreeningMatch.objects.get(partner__request=request)
    return reverse("assessments:match_decide", args=[match.pk])


def test_a_reviewer_sees_matches_with_explanations_and_decision_forms(client, screened, reviewer):
    client.force_login(reviewer)
    response = client.get(page_url(screened))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Beihang University" in html
    assert "ASPI tracker v1" in html
    assert "Risk: Very high" in html
    assert "Why this matched" in html and "read &#x27;univ&#x27; as" in html
    assert "Confirm match" in html and "Screen now" in html
    assert "No potential matches." in html  # Cambridge


def test_the_requester_sees_results_but_no_decision_forms(client, screened, requester):
    client.force_login(requester)
    html = client.get(page_url(screened)).content.decode()
    assert "Beihang University" in html
    assert "Confirm match" not in html and "Screen now" not in html


def test_other_departments_get_404(client, screened, other_requester):
    client.force_login(other_requester)
    assert client.get(page_url(screened)).status_code == 404
    assert (
        client.post(decide_url(screened), {"decision": "dismiss", "reason": "x"}).status_code == 404
    )


def test_screen_now_is_for_reviewers(client, aspi, make_request, reviewer, requester):
    request = make_request("北京理工大学")
    url = reverse("assessments:request_screen_now", args=[request.reference])
    client.force_login(requester)
    assert client.post(url).status_code == 403
    assert not ScreeningMatch.objects.exists()
    client.force_login(reviewer)
    response = client.post(url, {"next": "/elsewhere/"})
    assert response.status_code == 302 and response.url == "/elsewhere/"
    assert ScreeningMatch.objects.get().external_id == "bit"
    response = client.post(url, {"next": "https://evil.example/"})
    assert response.url == page_url(request)


def test_a_reviewer_dismisses_with_a_reason(client, screened, reviewer):
    client.force_login(reviewer)
    response = client.post(decide_url(screened), {"decision": "dismiss", "reason": "Other body."})
    assert response.status_code == 302
    match = ScreeningMatch.objects.get(partner__request=screened)
    assert match.status == MatchStatus.DISMISSED and match.reason == "Other body."
    assert AuditEvent.objects.filter(action="screening.match_dismissed").exists()
    html = client.get(page_url(screened)).content.decode()
    assert "Dismissed by reviewer" in html and "Other body." in html


def test_a_decision_without_a_reason_changes_nothing(client, screened, reviewer):
    client.force_login(reviewer)
    response = client.post(
        decide_url(screened), {"decision": "confirm", "reason": "  "}, follow=True
    )
    assert "Give a reason for the decision." in response.content.decode()
    assert ScreeningMatch.objects.get().status == MatchStatus.POTENTIAL


def test_requesters_cannot_decide(client, screened, requester):
    client.force_login(requester)
    response = client.post(decide_url(screened), {"decision": "confirm", "reason": "Me."})
    assert response.status_code == 403
    assert ScreeningMatch.objects.get().status == MatchStatus.POTENTIAL


def test_the_check_endpoint_returns_the_screen_json(client, aspi, requester):
    client.force_login(requester)
    url = reverse("assessments:screening_check")
    response = client.get(url, {"name": "Harbin Inst. of Tech.", "country": "cn"})
    assert response.status_code == 200
    assert response.json() == screen_name("Harbin Inst. of Tech.", country="CN")
    assert response.json()["matches"][0]["entry_id"] == "hit"


def test_the_check_endpoint_serves_htmx_a_fragment(client, aspi, requester):
    client.force_login(requester)
    url = reverse("assessments:screening_check")
    html = client.get(url, {"name": "NUDT"}, HTTP_HX_REQUEST="true").content.decode()
    assert (
        "Possible watchlist match" in html and "National University of Defense Technology" in html
    )
    assert "risk very high" in html
    html = client.get(
        url, {"name": "University of Oxford"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "No watchlist match" in html


def test_the_check_endpoint_rejects_bad_input_and_anonymous_users(client, aspi, requester):
    url = reverse("assessments:screening_check")
    assert client.get(url, {"name": "HIT"}).status_code == 302
    client.force_login(requester)
    response = client.get(url, {"name": "HIT", "country": "China"})
    assert response.status_code == 400
    assert "country" in response.json()["errors"]


def test_the_dashboard_shows_screening_alerts(client, aspi, make_request, reviewer, watchlist_rows):
    request = make_request("Beihang University")
    make_version(aspi, [r for r in watchlist_rows if r["id"] != "beihang"], 2)
    screen_request(request=request, actor=reviewer)
    make_version(aspi, watchlist_rows, 3)
    rescreen_open_partnerships()
    client.force_login(reviewer)
    html = client.get(reverse("dashboard")).content.decode()
    assert "Screening alerts" in html and request.reference in html
    html = client.get(page_url(request)).content.decode()
    assert "Re-screening found 1 thing to review" in html


def test_the_check_endpoint_reads_formset_field_names(client, aspi, requester):
    client.force_login(requester)
    url = reverse("assessments:screening_check")
    response = client.get(url, {"partners-0-name": "NUDT", "partners-0-country": "CN"})
    assert response.json()["query"] == "NUDT"
    assert "partner country CN is the entry's" in response.json()["matches"][0]["explanation"]


def test_a_delisted_confirmed_match_offers_the_decision_again_and_a_lapsed_one_does_not(
    client, screened, reviewer, aspi, watchlist_rows
):
    match = ScreeningMatch.objects.get(partner__request=screened)
    client.force_login(reviewer)
    client.post(decide_url(screened), {"decision": "confirm", "reason": "Same body."})
    assert "Confirm match" not in client.get(page_url(screened)).content.decode()

    make_version(aspi, [r for r in watchlist_rows if r["id"] != "beihang"], 2)
    rescreen_open_partnerships()
    html = client.get(page_url(screened)).content.decode()
    assert "Confirmed entry delisted" in html
    assert "No longer listed since" in html
    assert f'action="{decide_url(screened)}"' in html

    ScreeningMatch.objects.filter(pk=match.pk).update(status=MatchStatus.POTENTIAL)
    screen_request(request=screened, actor=reviewer)
    html = client.get(page_url(screened)).content.decode()
    assert "Lapsed on " in html
    assert "It reopens if a later screening finds it again." in html
    assert f'action="{decide_url(screened)}"' not in html


def test_a_draft_shows_the_live_check_and_says_it_is_screened_on_submit(
    client, aspi, make_request, requester, reviewer
):
    draft = make_request("Beihang Univ.", "University of Cambridge", status="draft")
    client.force_login(requester)
    html = client.get(draft.get_absolute_url()).content.decode()
    assert (
        "screened against the watchlists, and any match recorded for a reviewer, when the" in html
    )
    assert "Possible watchlist match for “Beihang Univ.”" in html
    assert "No watchlist match for “University of Cambridge”" in html
    assert "No potential matches" not in html
    # Nothing was recorded by showing it; once screened, the recorded result replaces the preview.
    assert not ScreeningMatch.objects.filter(request=draft).exists()
    screen_request(request=draft, actor=reviewer)
    html = client.get(draft.get_absolute_url()).content.decode()
    assert "Possible watchlist match" not in html
    assert "Beihang University" in html
