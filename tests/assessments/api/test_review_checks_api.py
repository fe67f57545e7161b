"""Finishing a review over the API: screening matches, the checklist, the gate list and the
sign-offs, with the web's permissions, refusals and audit events."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from assessments import workflow
from assessments.gates import open_gates
from assessments.models import (
    AuditEvent,
    ChecklistAnswer,
    ChecklistVersion,
    MatchStatus,
    Organisation,
    RequestStatus,
    ScreeningMatch,
    Watchlist,
)
from assessments.screening import service
from assessments.screening.service import screen_request
from tests.assessments.request_factories import (
    add_role,
    advance,
    complete_checks,
    facts,
    make_request,
)
from ukcn.roles import Role

from ..screening.conftest import make_version
from .test_requests_api import URL, detail, patch, post

BEIHANG = {
    "id": "beihang",
    "name": "Beihang University",
    "country": "CN",
    "risk_level": "very_high",
}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _fresh_screening_index():
    # The index is cached by the ids of the active versions, which repeat across rolled-back tests.
    service._cache.update(version_ids=None, index=None)
    yield
    service._cache.update(version_ids=None, index=None)


@pytest.fixture
def policy(db):
    call_command("load_checklist", verbosity=0)


@pytest.fixture
def watchlist(db):
    watchlist = Watchlist.objects.create(name="ASPI tracker", format="aspi")
    make_version(watchlist, [BEIHANG], 1)
    return watchlist


@pytest.fixture
def senior_officer(make_user):
    return make_user("senior", Role.SENIOR_OFFICER)


@pytest.fixture
def beihang_request(requester, watchlist, policy):
    """The issue's request: one partner, Beihang University, submitted and screened."""
    beihang = Organisation.objects.create(name="Beihang University", country="CN")
    pr = make_request(
        requester,
        title="Joint lab on composite materials",
        partners=[workflow.PartnerInput(organisation=beihang, role="Co-lead")],
    )
    workflow.request_submit(actor=requester, request=pr)
    return pr


def act(client, pr, action: str, headers, data=None):
    return post(client, f"{detail(pr)}{action}/", data or {}, headers)


def get(client, pr, path: str, headers):
    return client.get(f"{detail(pr)}{path}", headers=headers)


def only_match(pr) -> ScreeningMatch:
    return ScreeningMatch.objects.get(partner__request=pr)


def item_count() -> int:
    return len(ChecklistVersion.objects.get().items)


def audit_count() -> int:
    return AuditEvent.objects.exclude(action="api_token.issued").count()


# --- the issue's walk-around, refused -------------------------------------------------------


def test_recommending_with_an_open_match_is_a_409_listing_what_is_missing(
    client, beihang_request, reviewer, bearer
):
    headers = bearer(reviewer)
    assert act(client, beihang_request, "take-into-review", headers).status_code == 200
    before = audit_count()

    response = act(
        client, beihang_request, "recommend", headers, {"outcome": "approve", "reasoning": "Fine."}
    )

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "workflow_refused"
    assert body["error"].startswith("Not yet: a recommendation needs every check finished.")
    assert "1 match to resolve" in body["error"]
    # Only the controls the request's risks call for: its partner is in China (CT-08).
    assert "1 checklist item unanswered (CT-08)" in body["error"]
    assert "the risk has not been assessed" in body["error"]
    beihang_request.refresh_from_db()
    assert beihang_request.status == RequestStatus.UNDER_REVIEW
    assert audit_count() == before


def test_a_second_reviewer_cannot_set_a_low_tier_on_an_unassessed_request(
    client, beihang_request, reviewer, second_reviewer, bearer
):
    workflow.request_take_into_review(actor=reviewer, request=beihang_request)

    response = act(
        client,
        beihang_request,
        "set-tier",
        bearer(second_reviewer),
        {"tier": "low", "reason": "Low risk."},
    )

    assert response.status_code == 409
    assert response.json()["code"] == "workflow_refused"
    assert response.json()["error"].startswith("Assess the risk first")
    beihang_request.refresh_from_db()
    assert beihang_request.tier == ""


def test_set_tier_without_a_reason_is_a_400_naming_the_field(
    client, beihang_request, reviewer, bearer
):
    workflow.request_take_into_review(actor=reviewer, request=beihang_request)
    response = act(client, beihang_request, "set-tier", bearer(reviewer), {"tier": "high"})
    assert response.status_code == 400
    assert "reason" in response.json()["fields"]


def test_an_approver_cannot_decide_while_a_new_match_is_open_and_the_request_shows_under_rereview(
    client, requester, reviewer, approver, bearer, policy
):
    pr = make_request(requester, title="Battery cathodes")
    advance(pr, to=RequestStatus.RECOMMENDED, requester=requester, reviewer=reviewer, tier="high")
    # A list published after the recommendation names the partner.
    watchlist = Watchlist.objects.create(name="Internal list", format="internal")
    make_version(
        watchlist,
        [{"id": "T1", "name": "Tsinghua University", "country": "CN", "risk_level": "high"}],
        1,
    )
    screen_request(request=pr, actor=reviewer, alert=True)
    headers = bearer(approver)

    response = act(client, pr, "decide", headers, {"outcome": "approved", "reasoning": "Fine."})

    assert response.status_code == 409
    assert response.json()["code"] == "workflow_refused"
    assert "1 match to resolve" in response.json()["error"]
    shown = client.get(detail(pr), headers=headers).json()
    assert (shown["status"], shown["under_rereview"]) == ("recommended", True)
    assert "1 match to resolve" in shown["missing"]
    listed = client.get(URL, headers=headers).json()["results"]
    assert [(row["reference"], row["under_rereview"]) for row in listed] == [(pr.reference, True)]


# --- screening matches --------------------------------------------------------------------


def test_the_matches_of_a_request_are_listed_for_anyone_who_may_see_it(
    client, beihang_request, requester, other_requester, bearer
):
    response = get(client, beihang_request, "matches/", bearer(requester))
    assert response.status_code == 200
    (match,) = response.json()
    assert match["organisation"]["name"] == "Beihang University"
    assert (match["watchlist"], match["entry_id"], match["matched_name"]) == (
        "ASPI tracker",
        "beihang",
        "Beihang University",
    )
    assert (match["score"], match["risk_level"], match["status"]) == (1.0, "very_high", "potential")
    assert match["reviewer"] is None
    assert get(client, beihang_request, "matches/", bearer(other_requester)).status_code == 404


def test_a_reviewer_dismisses_a_match_with_a_reason_and_it_is_audited(
    client, beihang_request, reviewer, bearer
):
    match = only_match(beihang_request)
    response = act(
        client,
        beihang_request,
        f"matches/{match.pk}/dismiss",
        bearer(reviewer),
        {"reason": "A different Beihang: the partner is the Hangzhou institute."},
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["reviewer"]) == ("dismissed", "reviewer")
    assert body["reason"] == "A different Beihang: the partner is the Hangzhou institute."
    event = AuditEvent.objects.get(action="screening.match_dismissed")
    assert event.request_id == beihang_request.pk


def test_a_reviewer_confirms_a_match(client, beihang_request, reviewer, bearer):
    match = only_match(beihang_request)
    response = act(
        client,
        beihang_request,
        f"matches/{match.pk}/confirm",
        bearer(reviewer),
        {"reason": "Same name, same city, same website."},
    )
    assert response.json()["status"] == "confirmed"
    assert AuditEvent.objects.filter(action="screening.match_confirmed").count() == 1


@pytest.mark.parametrize("role", ["requester", "approver", "auditor"])
def test_a_role_that_never_decides_matches_gets_403_and_nothing_changes(
    client, request, beihang_request, bearer, role
):
    match = only_match(beihang_request)
    before = audit_count()
    response = act(
        client,
        beihang_request,
        f"matches/{match.pk}/confirm",
        bearer(request.getfixturevalue(role)),
        {"reason": "Looks like it."},
    )
    assert response.status_code == 403
    assert response.json()["error"] == "Only reviewers decide screening matches."
    match.refresh_from_db()
    assert match.status == MatchStatus.POTENTIAL
    assert audit_count() == before


def test_a_reviewer_who_registered_the_request_may_not_decide_its_matches(
    client, reviewer, engineering, watchlist, policy, bearer
):
    beihang = Organisation.objects.create(name="Beihang University", country="CN")
    # A reviewer who is also a requester of the department registers and submits it.
    add_role(reviewer, Role.REQUESTER, engineering)
    pr = workflow.request_create(
        actor=reviewer,
        facts=facts(partners=[workflow.PartnerInput(organisation=beihang, role="Co-lead")]),
        department=engineering,
    )
    workflow.request_submit(actor=reviewer, request=pr)
    match = only_match(pr)
    before = audit_count()

    response = act(client, pr, f"matches/{match.pk}/dismiss", bearer(reviewer), {"reason": "No."})

    assert response.status_code == 409
    assert response.json()["code"] == "workflow_refused"
    assert response.json()["error"].startswith("Segregation of duties")
    match.refresh_from_db()
    assert match.status == MatchStatus.POTENTIAL
    assert audit_count() == before


def test_a_match_decision_without_a_reason_is_a_400_naming_the_field(
    client, beihang_request, reviewer, bearer
):
    match = only_match(beihang_request)
    for body in ({}, {"reason": "   "}, {"reason": 3}):
        response = act(
            client, beihang_request, f"matches/{match.pk}/dismiss", bearer(reviewer), body
        )
        assert response.status_code == 400, body
        assert "reason" in response.json()["fields"]
    match.refresh_from_db()
    assert match.status == MatchStatus.POTENTIAL


def test_a_match_of_another_request_is_a_404(client, beihang_request, requester, reviewer, bearer):
    other = make_request(requester, title="Elsewhere")
    match = only_match(beihang_request)
    for action in ("confirm", "dismiss"):
        response = act(
            client, other, f"matches/{match.pk}/{action}", bearer(reviewer), {"reason": "x"}
        )
        assert response.status_code == 404
    assert (
        act(
            client, beihang_request, "matches/999999/confirm", bearer(reviewer), {"reason": "x"}
        ).status_code
        == 404
    )
    match.refresh_from_db()
    assert match.status == MatchStatus.POTENTIAL


# --- the checklist ------------------------------------------------------------------------


def test_the_checklist_lists_every_item_with_its_answer_and_version(
    client, beihang_request, requester, reviewer, bearer
):
    response = get(client, beihang_request, "checklist/", bearer(requester))
    assert response.status_code == 200
    body = response.json()
    assert (body["checklist_version"], body["version"], body["answered"]) == (1, 0, 0)
    assert body["item_count"] == len(body["items"]) == item_count()
    assert body["may_answer"] is False
    first = body["items"][0]
    assert (first["ref_id"], first["group"], first["answer"], first["answered_by"]) == (
        "GP-01",
        "connections",
        "",
        None,
    )
    assert get(client, beihang_request, "checklist/", bearer(reviewer)).json()["may_answer"]


def test_a_reviewer_answers_checklist_items_and_each_change_is_audited(
    client, beihang_request, reviewer, bearer
):
    headers = bearer(reviewer)
    response = patch(
        client,
        f"{detail(beihang_request)}checklist/",
        {
            "version": 0,
            "answers": [
                {"ref_id": "GP-01", "answer": "met", "evidence_notes": "Three joint papers."},
                {"ref_id": "GP-03", "answer": "not_applicable", "explanation": "No alumni yet."},
            ],
        },
        headers,
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["version"], body["answered"]) == (2, 2)
    answered = {item["ref_id"]: item for item in body["items"] if item["answer"]}
    assert answered["GP-01"]["evidence_notes"] == "Three joint papers."
    assert answered["GP-03"]["explanation"] == "No alumni yet."
    assert answered["GP-01"]["answered_by"] == "reviewer"
    assert (
        AuditEvent.objects.filter(action="checklist.answered", request=beihang_request).count() == 2
    )


def test_fields_left_out_of_an_answer_keep_their_saved_value(
    client, beihang_request, reviewer, bearer
):
    headers = bearer(reviewer)
    attachment = workflow.attachment_add(
        actor=reviewer,
        request=beihang_request,
        uploaded_file=SimpleUploadedFile("mou.pdf", PDF, "application/pdf"),
    )
    url = f"{detail(beihang_request)}checklist/"
    first = patch(
        client,
        url,
        {
            "version": 0,
            "answers": [
                {
                    "ref_id": "GP-02",
                    "answer": "met",
                    "evidence_notes": "Landscape note.",
                    "attachment": attachment.pk,
                }
            ],
        },
        headers,
    )
    assert first.status_code == 200, first.json()
    second = patch(
        client,
        url,
        {
            "version": first.json()["version"],
            "answers": [{"ref_id": "GP-02", "answer": "partly_met"}],
        },
        headers,
    )
    assert second.status_code == 200, second.json()
    saved = ChecklistAnswer.objects.get(request=beihang_request, ref_id="GP-02")
    assert (saved.answer, saved.evidence_notes, saved.attachment_id) == (
        "partly_met",
        "Landscape note.",
        attachment.pk,
    )


def test_a_stale_checklist_version_is_a_409_with_the_current_version(
    client, beihang_request, reviewer, second_reviewer, bearer
):
    url = f"{detail(beihang_request)}checklist/"
    first = {"version": 0, "answers": [{"ref_id": "GP-01", "answer": "met"}]}
    assert patch(client, url, first, bearer(second_reviewer)).status_code == 200
    before = audit_count()

    response = patch(
        client,
        url,
        {"version": 0, "answers": [{"ref_id": "GP-01", "answer": "not_met"}]},
        bearer(reviewer),
    )

    assert response.status_code == 409
    assert (response.json()["code"], response.json()["current_version"]) == ("version_conflict", 1)
    assert ChecklistAnswer.objects.get(request=beihang_request, ref_id="GP-01").answer == "met"
    assert audit_count() == before


def test_checklist_answers_the_service_refuses_are_a_400(
    client, beihang_request, requester, reviewer, bearer
):
    url = f"{detail(beihang_request)}checklist/"
    theirs = make_request(requester, title="Elsewhere")
    elsewhere = workflow.attachment_add(
        actor=requester,
        request=theirs,
        uploaded_file=SimpleUploadedFile("plan.pdf", PDF, "application/pdf"),
    )
    cases = [
        ([{"ref_id": "GP-99", "answer": "met"}], "GP-99 is not in checklist version 1"),
        ([{"ref_id": "GP-02", "answer": "met"}], "This item needs evidence"),
        ([{"ref_id": "GP-01", "answer": "unsure"}], "Explain why you are unsure"),
        ([{"ref_id": "GP-01", "answer": "sure"}], None),
        ([{"ref_id": "GP-01", "answer": "met"}, {"ref_id": "GP-01", "answer": "met"}], None),
        ([{"ref_id": "GP-01", "answer": "met", "attachment": elsewhere.pk}], None),
        ([], None),
    ]
    for answers, sentence in cases:
        response = patch(client, url, {"version": 0, "answers": answers}, bearer(reviewer))
        assert response.status_code == 400, answers
        assert "answers" in response.json()["fields"], response.json()
        if sentence:
            assert sentence in response.json()["error"], response.json()
    response = patch(
        client, url, {"answers": [{"ref_id": "GP-01", "answer": "met"}]}, bearer(reviewer)
    )
    assert "version" in response.json()["fields"]
    assert not ChecklistAnswer.objects.filter(request=beihang_request).exists()


def test_only_reviewers_answer_the_checklist_and_never_outside_review(
    client, beihang_request, requester, approver, reviewer, bearer
):
    url = f"{detail(beihang_request)}checklist/"
    body = {"version": 0, "answers": [{"ref_id": "GP-01", "answer": "met"}]}
    for user in (requester, approver):
        response = patch(client, url, body, bearer(user))
        assert response.status_code == 403
        assert response.json()["error"] == "Only reviewers answer the checklist."
    draft = make_request(requester, title="Still a draft")
    response = patch(client, f"{detail(draft)}checklist/", body, bearer(reviewer))
    assert response.status_code == 409
    assert response.json()["code"] == "workflow_refused"
    assert "only while the request is submitted" in response.json()["error"]
    assert not ChecklistAnswer.objects.exists()


# --- the gate list ------------------------------------------------------------------------


def test_the_gate_list_says_what_is_missing_before_the_next_step(
    client, beihang_request, requester, bearer
):
    response = get(client, beihang_request, "gates/", bearer(requester))
    assert response.status_code == 200
    body = response.json()
    assert body["next_step"] == "recommend"
    gates = {gate["code"]: gate for gate in body["gates"]}
    assert gates["screening_current"]["satisfied"] is True
    assert (
        gates["screening_resolved"]["satisfied"],
        gates["screening_resolved"]["outstanding"],
    ) == (
        False,
        1,
    )
    assert gates["checklist_complete"]["outstanding"] == 1
    assert body["missing"].startswith("1 match to resolve; 1 checklist item unanswered (CT-08)")
    shown = client.get(detail(beihang_request), headers=bearer(requester)).json()
    assert (shown["next_step"], shown["missing"]) == ("recommend", body["missing"])
    assert shown["gates"] == body["gates"]


# --- sign-offs ----------------------------------------------------------------------------


@pytest.fixture
def very_high_awaiting_sign_off(beihang_request, reviewer, approver):
    """The Beihang request confirmed as listed, recommended, and decided by an approver."""
    workflow.request_take_into_review(actor=reviewer, request=beihang_request)
    service.match_confirm(match=only_match(beihang_request), actor=reviewer, reason="Listed.")
    complete_checks(beihang_request, reviewer)
    workflow.request_recommend(
        actor=reviewer, request=beihang_request, outcome="approve", reasoning="Benefits."
    )
    workflow.request_decide(
        actor=approver, request=beihang_request, outcome="approved", reasoning="Agreed."
    )
    beihang_request.refresh_from_db()
    assert beihang_request.status == RequestStatus.AWAITING_SIGN_OFF
    return beihang_request


@pytest.mark.parametrize("role", ["requester", "reviewer", "auditor", "guidance_editor"])
def test_a_user_holding_no_sign_off_role_gets_403(
    client, request, very_high_awaiting_sign_off, bearer, role
):
    headers = bearer(request.getfixturevalue(role))
    before = audit_count()
    for action, body in (("sign-off", {}), ("refuse-sign-off", {"reason": "No."})):
        response = act(client, very_high_awaiting_sign_off, action, headers, body)
        assert response.status_code == 403, action
        assert response.json()["error"].startswith("Only those who sign off decisions")
    assert audit_count() == before


def test_an_approver_cannot_give_the_senior_officers_sign_off(
    client, very_high_awaiting_sign_off, approver, make_user, bearer
):
    another_approver = make_user("approver2", Role.APPROVER)
    for user, sentence in (
        (another_approver, "This sign-off is for a senior officer."),
        (approver, "This sign-off is for a senior officer."),
    ):
        response = act(client, very_high_awaiting_sign_off, "sign-off", bearer(user))
        assert response.status_code == 409
        assert (response.json()["code"], response.json()["error"]) == ("workflow_refused", sentence)
    very_high_awaiting_sign_off.refresh_from_db()
    assert very_high_awaiting_sign_off.status == RequestStatus.AWAITING_SIGN_OFF


def test_the_decider_may_not_also_sign_off(client, very_high_awaiting_sign_off, approver, bearer):
    add_role(approver, Role.SENIOR_OFFICER)
    response = act(client, very_high_awaiting_sign_off, "sign-off", bearer(approver))
    assert response.status_code == 409
    assert "No one gives two of a request's sign-offs" in response.json()["error"]


def test_a_senior_officer_refuses_the_sign_off_with_a_reason_and_the_request_returns_to_the_decider(
    client, very_high_awaiting_sign_off, senior_officer, bearer
):
    headers = bearer(senior_officer)
    response = act(client, very_high_awaiting_sign_off, "refuse-sign-off", headers, {})
    assert response.status_code == 400
    assert "reason" in response.json()["fields"]

    response = act(
        client,
        very_high_awaiting_sign_off,
        "refuse-sign-off",
        headers,
        {"reason": "The export licence question is open."},
    )

    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["decision"]) == ("recommended", None)
    (sign_off,) = get(client, very_high_awaiting_sign_off, "sign-offs/", headers).json()
    assert (sign_off["status"], sign_off["signed_by"], sign_off["reason"]) == (
        "refused",
        "senior",
        "The export licence question is open.",
    )
    assert AuditEvent.objects.filter(action="request.sign_off_refused").count() == 1


def test_a_low_tier_decision_is_signed_off_by_an_approver_in_place_of_a_missing_head(
    client, requester, reviewer, approver, bearer, policy
):
    pr = make_request(requester, title="Exchange of two students")
    advance(pr, to=RequestStatus.RECOMMENDED, requester=requester, reviewer=reviewer, tier="low")
    decided = act(
        client, pr, "decide", bearer(reviewer), {"outcome": "approved", "reasoning": "Agreed."}
    )
    assert decided.json()["status"] == "awaiting_sign_off"
    assert decided.json()["decision"]["outcome_phrase"] == (
        "Approved subject to sign-off by the head of department"
    )
    assert "sign_off" in client.get(detail(pr), headers=bearer(approver)).json()["actions"]

    signed = act(client, pr, "sign-off", bearer(approver))

    assert signed.status_code == 200, signed.json()
    assert signed.json()["status"] == "approved"
    (sign_off,) = signed.json()["decision"]["sign_offs"]
    assert (sign_off["signed_by"], sign_off["signed_as"], sign_off["in_place_of"]) == (
        "approver",
        "approver",
        "head of department",
    )


def test_a_head_of_department_signs_off_only_their_own_departments_decision(
    client, requester, reviewer, make_user, engineering, history, bearer, policy
):
    head_of_history = make_user("head-history", Role.HEAD_OF_DEPARTMENT, history)
    head_of_engineering = make_user("head-engineering", Role.HEAD_OF_DEPARTMENT, engineering)
    pr = make_request(requester, title="Exchange of two students")
    advance(pr, to=RequestStatus.RECOMMENDED, requester=requester, reviewer=reviewer, tier="low")
    workflow.request_decide(actor=reviewer, request=pr, outcome="approved", reasoning="Agreed.")

    # Another department's head cannot even see the request.
    assert act(client, pr, "sign-off", bearer(head_of_history)).status_code == 404
    signed = act(client, pr, "sign-off", bearer(head_of_engineering))
    assert signed.json()["status"] == "approved"
    assert signed.json()["decision"]["sign_offs"][0]["signed_as"] == "head of department"


def test_signing_off_a_request_that_awaits_no_sign_off_is_a_409(
    client, beihang_request, approver, bearer
):
    response = act(client, beihang_request, "sign-off", bearer(approver))
    assert response.status_code == 409
    assert response.json()["error"] == "Only a decision awaiting sign-off can be signed off."


# --- a whole review through the API ---------------------------------------------------------


def test_a_very_high_request_is_reviewed_decided_and_co_signed_through_the_api_alone(
    client, requester, reviewer, approver, senior_officer, watchlist, policy, bearer
):
    as_requester, as_reviewer = bearer(requester), bearer(reviewer)
    created = post(
        client,
        URL,
        {
            "title": "Joint lab on composite materials",
            "summary": "Shared samples and two visiting researchers.",
            "lead_academic": "Prof. Jane Smith",
            "collaboration_type": "joint_project",
            "work_location": "both",
            "no_nsi_sector": True,
            "partners": [
                {
                    "new_organisation": {"name": "Beihang University", "country": "CN"},
                    "role": "Co-lead",
                }
            ],
        },
        as_requester,
    )
    assert created.status_code == 201, created.json()
    reference = created.json()["reference"]
    base = f"{URL}{reference}/"

    def call(path, headers, data=None, method="post"):
        send = patch if method == "patch" else post
        return send(client, f"{base}{path}", data or {}, headers)

    assert call("submit/", as_requester).json()["status"] == "submitted"
    assert call("take-into-review/", as_reviewer).json()["status"] == "under_review"

    (match,) = client.get(f"{base}matches/", headers=as_reviewer).json()
    assert match["status"] == "potential"
    confirmed = call(f"matches/{match['id']}/confirm/", as_reviewer, {"reason": "The listed body."})
    assert confirmed.json()["status"] == "confirmed"

    checklist = client.get(f"{base}checklist/", headers=as_reviewer).json()
    answers = [
        {"ref_id": item["ref_id"], "answer": "met", "evidence_notes": "On file."}
        for item in checklist["items"]
    ]
    saved = call(
        "checklist/", as_reviewer, {"version": checklist["version"], "answers": answers}, "patch"
    )
    assert saved.json()["answered"] == item_count()

    missing = client.get(f"{base}gates/", headers=as_reviewer).json()
    assert missing["missing"] == "the risk has not been assessed"
    assessed = call("assess/", as_reviewer)
    assert (assessed.json()["tier"], assessed.json()["missing"]) == ("very_high", "")
    recommended = call("recommend/", as_reviewer, {"outcome": "approve", "reasoning": "Benefits."})
    assert recommended.json()["status"] == "recommended"

    decided = call("decide/", bearer(approver), {"outcome": "approved", "reasoning": "With care."})
    assert decided.status_code == 200, decided.json()
    assert decided.json()["status"] == "awaiting_sign_off"
    assert decided.json()["decision"]["state"] == "pending_sign_off"
    assert decided.json()["decision"]["outcome_phrase"] == (
        "Approved subject to sign-off by a senior officer"
    )
    assert decided.json()["next_step"] == "sign_off"

    signed = call("sign-off/", bearer(senior_officer))
    assert signed.status_code == 200, signed.json()
    assert signed.json()["status"] == "approved"
    assert signed.json()["decision"]["state"] == "in_force"
    (sign_off,) = client.get(f"{base}sign-offs/", headers=as_reviewer).json()
    assert (sign_off["label"], sign_off["status"], sign_off["signed_by"]) == (
        "A senior officer",
        "given",
        "senior",
    )
    actions = [
        a
        for a in AuditEvent.objects.filter(request__reference=reference)
        .order_by("id")
        .values_list("action", flat=True)
        if a.startswith(("request.", "screening.match"))
    ]
    assert actions == [
        "request.created",
        "request.submitted",
        "request.taken_into_review",
        "screening.match_confirmed",
        "request.assessed",
        "request.recommended",
        "request.decided_subject_to_sign_off",
        "request.signed_off",
        "request.decided",
    ]


def test_a_decision_made_before_the_gates_were_enforced_is_marked_so(
    client, requester, reviewer, bearer, policy
):
    pr = make_request(requester, title="Decided long ago")
    advance(pr, to=RequestStatus.APPROVED, requester=requester, reviewer=reviewer, tier="medium")
    headers = bearer(reviewer)
    decision = client.get(detail(pr), headers=headers).json()["decision"]
    assert (decision["outcome"], decision["state"], decision["gates_enforced"]) == (
        "approved",
        "in_force",
        True,
    )
    # As the migration marks decisions recorded before this change.
    pr.decisions.update(gates_enforced=False)
    assert client.get(detail(pr), headers=headers).json()["decision"]["gates_enforced"] is False


def test_a_reviewer_screens_a_request_again_through_the_api_after_a_partner_is_added(
    client, requester, reviewer
):
    pr = make_request(requester)
    workflow.request_submit(actor=requester, request=pr)
    workflow.request_take_into_review(actor=reviewer, request=pr)
    harbin = Organisation.objects.create(name="Harbin Institute of Technology", country="CN")
    partners = [workflow.PartnerInput(p.organisation, p.role) for p in pr.partners.all()]
    facts = workflow.RequestFacts(
        fields={}, partners=[*partners, workflow.PartnerInput(harbin, "Tests")]
    )
    workflow.request_update(actor=reviewer, request=pr, version=pr.version, facts=facts)
    codes = {g.code for g in open_gates(pr, "recommend")}
    assert "screening_current" in codes
    client.force_login(requester)
    response = post(client, f"{detail(pr)}screen/", {})
    assert response.status_code == 403
    client.force_login(reviewer)
    response = post(client, f"{detail(pr)}screen/", {})
    assert response.status_code == 200
    assert isinstance(response.json(), list)
    assert "screening_current" not in {g.code for g in open_gates(pr, "recommend")}
