"""Decision integrity: the gates before recommend, decide and sign-off; tier rules; segregation
of duties; the review routes and their sign-offs; visibility; re-screening after a decision;
role assignments. Each test calls the workflow functions the web and the API call."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.utils import timezone

from assessments import workflow
from assessments.checklists import (
    AnswerInput,
    checklist_answers_save,
    checklist_version_for_request,
)
from assessments.gates import (
    _REGISTRY,
    Gate,
    gate_register,
    gates_summary,
    open_gates,
    request_gates,
)
from assessments.models import (
    AuditEvent,
    Decision,
    MatchStatus,
    Organisation,
    PartnershipRequest,
    RequestStatus,
    ScreeningAlert,
    ScreeningMatch,
    SignOff,
    Watchlist,
)
from assessments.permissions import visible_requests
from assessments.scoring.assessing import request_assess, request_assess_by
from assessments.scoring.versions import scoring_policy_active, scoring_policy_publish
from assessments.screening import service as screening
from assessments.screening.service import (
    match_confirm,
    match_dismiss,
    request_under_rereview,
    requests_under_rereview,
    screen_request,
)
from ukcn.assignments import role_grant, role_revoke
from ukcn.models import Profile, RoleAssignment
from ukcn.refusals import Refusal
from ukcn.roles import Role, has_role

from .request_factories import (
    add_role,
    complete_checks,
    ensure_checklist_and_policy,
    facts,
    make_request,
)
from .screening.conftest import make_version

S = RequestStatus
BEIHANG = {
    "id": "beihang",
    "name": "Beihang University",
    "aliases": ["Beijing University of Aeronautics and Astronautics", "北京航空航天大学"],
    "country": "CN",
    "risk_level": "very_high",
    "categories": ["Seven Sons of National Defence"],
}
HARBIN = {
    "id": "hit",
    "name": "Harbin Institute of Technology",
    "aliases": [],
    "country": "CN",
    "risk_level": "very_high",
    "categories": [],
}


@pytest.fixture(autouse=True)
def fresh_index_cache():
    # Ids repeat after rollbacks, so the screening index cache must not leak between tests.
    screening._cache.update(version_ids=None, index=None)
    yield
    screening._cache.update(version_ids=None, index=None)


@pytest.fixture(autouse=True)
def reference_data(db):
    ensure_checklist_and_policy()


@pytest.fixture
def tracker(db):
    """A blocking list with Harbin on it (not Beihang, not Tsinghua)."""
    watchlist = Watchlist.objects.create(name="Defence tracker", format="aspi", blocking=True)
    make_version(watchlist, [HARBIN], 1)
    return watchlist


@pytest.fixture
def head(make_user, engineering):
    return make_user("head", Role.HEAD_OF_DEPARTMENT, engineering)


@pytest.fixture
def senior(make_user):
    return make_user("senior", Role.SENIOR_OFFICER)


@pytest.fixture
def second_approver(make_user):
    return make_user("approver2", Role.APPROVER)


def beihang_request(requester):
    beihang, _ = Organisation.objects.get_or_create(
        name="Beihang University", defaults={"country": "CN"}
    )
    return make_request(requester, partners=[workflow.PartnerInput(beihang, "Co-lead")])


def in_review(pr, requester, reviewer):
    """Submitted (so screened) and taken into review; nothing resolved, answered or assessed."""
    workflow.request_submit(actor=requester, request=pr)
    workflow.request_take_into_review(actor=reviewer, request=pr)
    pr.refresh_from_db()
    return pr


def checked(requester, reviewer, pr=None):
    """A request in review with every check finished."""
    pr = in_review(pr or make_request(requester), requester, reviewer)
    return complete_checks(pr, reviewer)


def set_tier(pr, actor, tier):
    workflow.request_set_tier(actor=actor, request=pr, tier=tier, reason="Set for the test.")
    pr.refresh_from_db()
    return pr


def recommended(requester, reviewer, tier=None, pr=None):
    pr = checked(requester, reviewer, pr)
    if tier and tier != pr.tier:
        set_tier(pr, reviewer, tier)
    workflow.request_recommend(actor=reviewer, request=pr, outcome="approve", reasoning="Fine.")
    pr.refresh_from_db()
    return pr


def answer(pr, reviewer, ref_id, value, **extra):
    checklist_answers_save(
        request=pr,
        actor=reviewer,
        answers=[AnswerInput(ref_id, value, evidence_notes=extra.get("notes", "Seen it."))],
    )


def recommend(pr, actor):
    return workflow.request_recommend(actor=actor, request=pr, outcome="approve", reasoning="Ok.")


def decide(pr, actor, outcome=S.APPROVED):
    return workflow.request_decide(actor=actor, request=pr, outcome=outcome, reasoning="Agreed.")


def status(pr):
    return PartnershipRequest.objects.get(pk=pr.pk).status


# --- the gates before recommend and decide ----------------------------------------------------


def test_recommending_is_refused_while_a_screening_match_is_still_potential(
    requester, reviewer, tracker
):
    make_version(tracker, [HARBIN, BEIHANG], 2)
    pr = in_review(beihang_request(requester), requester, reviewer)
    checklist_answers_save(
        request=pr,
        actor=reviewer,
        answers=[
            AnswerInput(item["ref_id"], "met", evidence_notes="Seen.")
            for item in checklist_version_for_request(pr).items
        ],
    )
    request_assess(request=pr, actor=reviewer)
    with pytest.raises(Refusal, match=r"^Not yet: .*Still missing: 1 match to resolve\.$"):
        recommend(pr, reviewer)
    assert status(pr) == S.UNDER_REVIEW
    match_dismiss(match=ScreeningMatch.objects.get(), actor=reviewer, reason="A namesake.")
    request_assess(request=pr, actor=reviewer)
    recommend(pr, reviewer)
    assert status(pr) == S.RECOMMENDED


def test_deciding_is_refused_when_a_new_potential_match_appears_after_the_recommendation(
    requester, reviewer, tracker
):
    pr = recommended(requester, reviewer, "medium", pr=beihang_request(requester))
    make_version(tracker, [HARBIN, BEIHANG], 2)
    screen_request(request=pr, actor=None, reason="list updated")
    with pytest.raises(Refusal, match="1 match to resolve"):
        decide(pr, reviewer)
    assert status(pr) == S.RECOMMENDED
    assert not Decision.objects.exists()


def test_recommend_and_decide_are_refused_for_a_partner_never_screened_against_the_active_lists(
    requester, reviewer, tracker
):
    pr = checked(requester, reviewer)
    make_version(tracker, [HARBIN], 2)  # a new version of the list: Tsinghua not screened on it
    with pytest.raises(Refusal, match=r"1 partner not screened against the active"):
        recommend(pr, reviewer)
    screen_request(request=pr, actor=reviewer, reason="new list version")
    recommend(pr, reviewer)  # nothing found: the assessment still stands
    make_version(tracker, [HARBIN], 3)
    with pytest.raises(Refusal, match=r"\(Tsinghua University\): screen again"):
        decide(pr, reviewer)
    assert status(pr) == S.RECOMMENDED


def test_a_partner_added_after_screening_counts_as_not_screened(requester, reviewer):
    pr = checked(requester, reviewer)
    fudan = Organisation.objects.create(name="Fudan University", country="CN")
    workflow.request_update(
        actor=reviewer,
        request=pr,
        version=pr.version,
        facts=facts(
            partners=[
                *[workflow.PartnerInput(p.organisation, p.role) for p in pr.partners.all()],
                workflow.PartnerInput(fudan, "Adviser"),
            ]
        ),
    )
    codes = [gate.code for gate in open_gates(pr, "recommend")]
    assert codes == ["screening_current", "assessment_current"]


def test_an_unanswered_checklist_item_refuses_recommend_and_decide_and_is_named(
    requester, reviewer
):
    # The partner is in China (a high jurisdiction in the country table), so the control for
    # that risk (CT-08, declarations) applies and must be answered.
    pr = checked(requester, reviewer)
    answer(pr, reviewer, "CT-08", "")
    request_assess(request=pr, actor=reviewer)
    with pytest.raises(Refusal, match=r"Still missing: 1 checklist item unanswered \(CT-08\)"):
        recommend(pr, reviewer)
    answer(pr, reviewer, "CT-08", "met", evidence_notes="Declarations reviewed.")
    request_assess(request=pr, actor=reviewer)
    recommend(pr, reviewer)
    answer(pr, reviewer, "CT-08", "")  # still answerable once recommended
    with pytest.raises(Refusal, match=r"checklist item unanswered \(CT-08\)"):
        decide(pr, reviewer)


def test_good_practices_and_controls_that_do_not_apply_are_not_required(requester, reviewer):
    pr = checked(requester, reviewer)
    # A relationship practice and a control for a risk this request does not have (its
    # staff do not travel): shown and recordable, never a gate.
    answer(pr, reviewer, "GP-03", "")
    answer(pr, reviewer, "CT-04", "")
    request_assess(request=pr, actor=reviewer)
    assert not open_gates(pr, "recommend")
    recommend(pr, reviewer)


def test_recommend_is_refused_without_an_assessment(requester, reviewer):
    pr = checked(requester, reviewer)
    pr.assessments.all().delete()
    with pytest.raises(Refusal, match="Still missing: the risk has not been assessed"):
        recommend(pr, reviewer)


def edit_title(pr, reviewer):
    workflow.request_update(
        actor=reviewer, request=pr, version=pr.version, facts=facts(title="A new title")
    )


def change_partner(pr, reviewer):
    other = Organisation.objects.create(name="Zhejiang University", country="CN")
    workflow.request_update(
        actor=reviewer,
        request=pr,
        version=pr.version,
        facts=facts(partners=[workflow.PartnerInput(other, "Co-lead")]),
    )
    screen_request(request=pr, actor=reviewer)  # so only the assessment is out of date


def change_funding(pr, reviewer):
    workflow.request_update(
        actor=reviewer,
        request=pr,
        version=pr.version,
        facts=facts(funding=[{"funder_name": "CSC", "country": "CN", "funder_type": "other"}]),
    )


def change_answer(pr, reviewer):
    answer(pr, reviewer, "GP-01", "not_met")


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (edit_title, "the request's details"),
        (change_partner, "the partners"),
        (change_funding, "the funding"),
        (change_answer, "checklist answers"),
    ],
)
def test_an_assessment_is_stale_after_the_inputs_it_rests_on_change(
    requester, reviewer, change, named
):
    pr = checked(requester, reviewer)
    assert not open_gates(pr, "recommend")
    change(pr, reviewer)
    pr.refresh_from_db()
    with pytest.raises(Refusal, match=rf"assessment out of date \({named} changed since\)"):
        recommend(pr, reviewer)
    request_assess(request=pr, actor=reviewer)
    recommend(pr, reviewer)
    assert status(pr) == S.RECOMMENDED


def test_a_screening_decision_makes_the_assessment_stale(requester, reviewer, tracker):
    make_version(tracker, [HARBIN, BEIHANG], 2)
    pr = in_review(beihang_request(requester), requester, reviewer)
    complete_checks(pr, reviewer)  # dismisses the match, then assesses
    match_confirm(
        match=ScreeningMatch.objects.get(), actor=reviewer, reason="On reflection, it is."
    )
    with pytest.raises(Refusal, match=r"assessment out of date \(screening decisions"):
        recommend(pr, reviewer)


def test_a_new_policy_version_does_not_make_an_open_assessment_stale(requester, reviewer):
    pr = checked(requester, reviewer)
    data = scoring_policy_active().data
    data["partner"]["funding_undisclosed"] = "very_high"
    scoring_policy_publish(data=data, actor=reviewer, source="test")
    assert not open_gates(pr, "recommend")
    recommend(pr, reviewer)
    decide(pr, reviewer, S.DECLINED)
    assert status(pr) == S.AWAITING_SIGN_OFF  # low: the head of department signs off next


def test_the_gate_list_sums_up_what_is_missing_in_one_sentence(requester, reviewer, tracker):
    make_version(tracker, [HARBIN, BEIHANG], 2)
    pr = in_review(beihang_request(requester), requester, reviewer)
    gates = request_gates(pr)
    assert [(g.code, g.satisfied) for g in gates] == [
        ("screening_current", True),
        ("screening_resolved", False),
        ("checklist_complete", False),
        ("assessment_current", False),
    ]
    summary = gates_summary(gates)
    # Only the controls whose risks the request presents: a partner in China (CT-08).
    assert summary == (
        "1 match to resolve; 1 checklist item unanswered (CT-08); the risk has not been assessed"
    )
    assert gates[2].outstanding == 1
    assert gates[1].as_dict() == {
        "code": "screening_resolved",
        "label": "Every screening match confirmed or dismissed",
        "satisfied": False,
        "message": "1 match to resolve",
        "outstanding": 1,
    }


# --- changing the tier by hand ----------------------------------------------------------------


def test_a_tier_change_needs_an_assessment_that_is_current(requester, reviewer):
    pr = in_review(make_request(requester), requester, reviewer)
    with pytest.raises(Refusal, match="Assess the risk first"):
        set_tier(pr, reviewer, "high")
    complete_checks(pr, reviewer)
    edit_title(pr, reviewer)
    with pytest.raises(Refusal, match=r"out of date \(the request's details changed"):
        set_tier(pr, reviewer, "high")
    assert AuditEvent.objects.filter(action="request.tier_set").count() == 0


def test_a_tier_change_needs_a_reason(requester, reviewer):
    pr = checked(requester, reviewer)
    with pytest.raises(Refusal, match="Say why"):
        workflow.request_set_tier(actor=reviewer, request=pr, tier="high", reason="")


def test_a_tier_never_goes_below_the_floor_of_a_confirmed_very_high_match(
    requester, reviewer, make_user, tracker
):
    make_version(tracker, [HARBIN, BEIHANG], 2)
    both = add_role(make_user("both", Role.REVIEWER), Role.APPROVER)
    pr = in_review(beihang_request(requester), requester, reviewer)
    match_confirm(match=ScreeningMatch.objects.get(), actor=reviewer, reason="The same body.")
    complete_checks(pr, reviewer)
    assert pr.tier == "very_high"
    with pytest.raises(Refusal, match="cannot go below very high"):
        set_tier(pr, both, "high")


def test_only_an_approver_who_did_not_recommend_lowers_a_high_tier(
    requester, reviewer, second_reviewer, approver, make_user
):
    both = add_role(make_user("both", Role.REVIEWER), Role.APPROVER)
    pr = checked(requester, reviewer)
    set_tier(pr, reviewer, "high")
    with pytest.raises(Refusal, match="Only an approver may lower a high tier"):
        set_tier(pr, reviewer, "medium")
    workflow.request_recommend(actor=both, request=pr, outcome="approve", reasoning="Ok.")
    with pytest.raises(Refusal, match="someone else must change the risk tier"):
        set_tier(pr, both, "medium")
    with pytest.raises(Refusal, match="Only an approver may lower a high tier"):
        set_tier(pr, second_reviewer, "medium")
    set_tier(pr, approver, "medium")
    assert (pr.tier, pr.highest_tier) == ("medium", "high")


def test_re_assessing_lower_keeps_a_high_tier_unless_an_approver_who_did_not_recommend_assesses(
    requester, reviewer, approver
):
    pr = checked(requester, reviewer)
    scored = pr.tier
    assert scored in ("low", "medium")
    set_tier(pr, reviewer, "high")
    request_assess_by(request=pr, actor=reviewer)
    pr.refresh_from_db()
    assert pr.tier == "high"
    event = AuditEvent.objects.filter(action="request.assessed").latest("id")
    assert event.changes["scored_tier"] == scored
    assert "Only an approver may lower a high tier" in event.changes["tier_kept_because"]
    workflow.request_recommend(actor=reviewer, request=pr, outcome="approve", reasoning="Ok.")
    request_assess_by(request=pr, actor=approver)
    pr.refresh_from_db()
    assert (pr.tier, pr.highest_tier) == (scored, "high")


def test_after_lowering_a_high_tier_an_approver_who_did_not_recommend_must_still_decide(
    requester, reviewer, second_reviewer, approver, second_approver, make_user
):
    both = add_role(make_user("both", Role.REVIEWER), Role.APPROVER)
    pr = checked(requester, reviewer)
    set_tier(pr, reviewer, "very_high")
    workflow.request_recommend(actor=both, request=pr, outcome="approve", reasoning="Ok.")
    set_tier(pr, approver, "medium")
    with pytest.raises(Refusal, match="has been very high tier since it was submitted"):
        decide(pr, second_reviewer)
    with pytest.raises(Refusal, match="Four-eyes"):
        decide(pr, both)
    decide(pr, second_approver)
    assert status(pr) == S.APPROVED  # medium route: no sign-off


def test_an_upward_tier_change_by_a_reviewer_raises_the_highest_tier(requester, reviewer):
    pr = checked(requester, reviewer)
    set_tier(pr, reviewer, "high")
    assert pr.highest_tier == "high"


# --- segregation of duties ---------------------------------------------------------------------


def test_a_reviewer_who_registered_a_request_may_not_review_recommend_or_decide_it(
    make_user, engineering, reviewer
):
    registrant = add_role(make_user("registrant", Role.REVIEWER), Role.APPROVER)
    pr = workflow.request_create(actor=registrant, facts=facts(), department=engineering)
    workflow.request_submit(actor=registrant, request=pr)
    with pytest.raises(Refusal, match="Segregation of duties"):
        workflow.request_take_into_review(actor=registrant, request=pr)
    workflow.request_take_into_review(actor=reviewer, request=pr)
    complete_checks(pr, reviewer)
    with pytest.raises(Refusal, match="Segregation of duties"):
        answer(pr, registrant, "GP-01", "not_met")
    with pytest.raises(Refusal, match="Segregation of duties"):
        set_tier(pr, registrant, "high")
    with pytest.raises(Refusal, match="Segregation of duties"):
        recommend(pr, registrant)
    recommend(pr, reviewer)
    with pytest.raises(Refusal, match="Segregation of duties"):
        decide(pr, registrant)
    assert not {"take_into_review", "recommend", "decide", "set_tier", "assess"} & (
        workflow.request_actions_for(registrant, pr)
    )


def test_the_submitter_may_not_decide_screening_matches(requester, reviewer, tracker, make_user):
    make_version(tracker, [HARBIN, BEIHANG], 2)
    author = make_user("author", Role.REQUESTER, requester.profile.department)
    pr = beihang_request(author)
    dual = add_role(requester, Role.REVIEWER)
    workflow.request_submit(actor=dual, request=pr)  # submitted by someone other than the author
    with pytest.raises(Refusal, match="Segregation of duties"):
        match_dismiss(match=ScreeningMatch.objects.get(), actor=dual, reason="Mine, it is fine.")
    assert ScreeningMatch.objects.get().status == MatchStatus.POTENTIAL


def test_a_user_holding_requester_reviewer_and_approver_cannot_push_their_own_request_through(
    make_user, engineering
):
    everything = make_user("everything", Role.REQUESTER, engineering)
    add_role(everything, Role.REVIEWER)
    add_role(everything, Role.APPROVER)
    pr = make_request(everything)
    workflow.request_submit(actor=everything, request=pr)
    with pytest.raises(Refusal, match="Segregation of duties"):
        workflow.request_take_into_review(actor=everything, request=pr)
    assert status(pr) == S.SUBMITTED


def test_a_superuser_is_bound_by_segregation_of_duties_too(admin_user, engineering, reviewer):
    pr = workflow.request_create(actor=admin_user, facts=facts(), department=engineering)
    workflow.request_submit(actor=admin_user, request=pr)
    with pytest.raises(Refusal, match="Segregation of duties"):
        workflow.request_take_into_review(actor=admin_user, request=pr)
    workflow.request_take_into_review(actor=reviewer, request=pr)
    complete_checks(pr, reviewer)
    recommend(pr, reviewer)
    with pytest.raises(Refusal, match="Segregation of duties"):
        decide(pr, admin_user)


def test_a_head_of_department_who_registered_a_request_may_not_sign_it_off(
    make_user, engineering, reviewer
):
    author = make_user("author", Role.REQUESTER, engineering)
    add_role(author, Role.HEAD_OF_DEPARTMENT, engineering)
    pr = recommended(author, reviewer, "low", pr=make_request(author))
    decide(pr, reviewer)
    with pytest.raises(Refusal, match="Segregation of duties"):
        workflow.request_sign_off(actor=author, request=pr)
    other_head = make_user("other-head", Role.HEAD_OF_DEPARTMENT, engineering)
    workflow.request_sign_off(actor=other_head, request=pr)
    assert status(pr) == S.APPROVED


# --- routes and sign-offs ---------------------------------------------------------------------


def test_a_low_tier_decision_waits_for_the_head_of_department_to_sign_off(
    requester, reviewer, head, make_user, history
):
    pr = recommended(requester, reviewer, "low")
    decision = decide(pr, reviewer)  # the reviewer who recommended may decide a low tier
    assert status(pr) == S.AWAITING_SIGN_OFF
    assert decision.state == Decision.State.PENDING_SIGN_OFF
    assert decision.outcome_phrase == "Approved subject to sign-off by the head of department"
    assert not pr.conditions.exists()
    assert AuditEvent.objects.filter(action="request.decided_subject_to_sign_off").count() == 1
    assert not AuditEvent.objects.filter(action="request.decided").exists()
    elsewhere = make_user("history-head", Role.HEAD_OF_DEPARTMENT, history)
    with pytest.raises(Refusal, match="This sign-off is for the head of department"):
        workflow.request_sign_off(actor=elsewhere, request=pr)
    with pytest.raises(Refusal, match="This sign-off is for the head of department"):
        workflow.request_sign_off(actor=make_user("app", Role.APPROVER), request=pr)
    signed = workflow.request_sign_off(actor=head, request=pr)
    assert (signed.status, signed.signed_by, signed.signed_as, signed.in_place_of) == (
        SignOff.Status.GIVEN,
        head,
        Role.HEAD_OF_DEPARTMENT,
        "",
    )
    fresh = PartnershipRequest.objects.get(pk=pr.pk)
    assert fresh.status == S.APPROVED
    assert fresh.next_review_date == timezone.localdate() + timedelta(days=365)
    decision.refresh_from_db()
    assert decision.state == Decision.State.IN_FORCE
    assert AuditEvent.objects.filter(action="request.signed_off", actor=head).count() == 1
    assert AuditEvent.objects.filter(action="request.decided", request=pr).count() == 1


def test_an_approver_signs_off_in_place_of_a_missing_head_of_department_recorded_as_such(
    requester, reviewer, approver
):
    pr = recommended(requester, reviewer, "low")
    decide(pr, reviewer)
    signed = workflow.request_sign_off(actor=approver, request=pr)
    assert (signed.signed_as, signed.in_place_of) == (Role.APPROVER, Role.HEAD_OF_DEPARTMENT)
    assert status(pr) == S.APPROVED
    event = AuditEvent.objects.get(action="request.signed_off")
    assert event.changes["in_place_of"] == Role.HEAD_OF_DEPARTMENT
    assert "in place of the head of department" in event.summary


def test_a_medium_tier_request_is_decided_by_a_reviewer_alone(requester, reviewer):
    pr = recommended(requester, reviewer, "medium")
    decision = decide(pr, reviewer)
    assert status(pr) == S.APPROVED
    assert decision.state == Decision.State.IN_FORCE
    assert not SignOff.objects.exists()


def test_a_high_tier_request_is_decided_by_an_approver_who_did_not_recommend_it(
    requester, reviewer, second_reviewer, approver, make_user
):
    pr = recommended(requester, reviewer, "high")
    with pytest.raises(Refusal, match="needs an approver"):
        decide(pr, second_reviewer)
    decide(pr, approver)
    assert status(pr) == S.APPROVED
    assert not SignOff.objects.exists()


def test_a_very_high_decision_needs_an_approver_then_a_senior_officer_to_co_sign(
    requester, reviewer, approver, second_approver, senior
):
    pr = recommended(requester, reviewer, "very_high")
    decision = decide(pr, approver, S.DECLINED)
    assert decision.outcome_phrase == "Declined subject to sign-off by a senior officer"
    with pytest.raises(Refusal, match="This sign-off is for a senior officer"):
        workflow.request_sign_off(actor=second_approver, request=pr)
    workflow.request_sign_off(actor=senior, request=pr)
    assert status(pr) == S.DECLINED


def test_no_one_gives_two_sign_offs_and_deciding_counts_as_one(
    requester, reviewer, make_user, senior
):
    approver_and_senior = add_role(make_user("both", Role.APPROVER), Role.SENIOR_OFFICER)
    pr = recommended(requester, reviewer, "very_high")
    decide(pr, approver_and_senior)
    with pytest.raises(Refusal, match="No one gives two of a request's sign-offs"):
        workflow.request_sign_off(actor=approver_and_senior, request=pr)
    assert "sign_off" not in workflow.request_actions_for(approver_and_senior, pr)
    assert "sign_off" in workflow.request_actions_for(senior, pr)


def test_the_recommender_may_not_sign_off_a_low_tier_decision(
    requester, make_user, engineering, second_reviewer
):
    reviewer_and_head = make_user("rh", Role.REVIEWER)
    add_role(reviewer_and_head, Role.HEAD_OF_DEPARTMENT, engineering)
    pr = recommended(requester, reviewer_and_head, "low")
    decide(pr, second_reviewer)
    with pytest.raises(Refusal, match="You recommended this request"):
        workflow.request_sign_off(actor=reviewer_and_head, request=pr)


def test_a_sign_off_refused_without_a_reason_is_not_recorded(requester, reviewer, head):
    pr = recommended(requester, reviewer, "low")
    decide(pr, reviewer)
    with pytest.raises(Refusal, match="Say why"):
        workflow.request_sign_off_refuse(actor=head, request=pr, reason=" ")
    assert status(pr) == S.AWAITING_SIGN_OFF
    assert SignOff.objects.get().status == SignOff.Status.PENDING


def test_a_refused_sign_off_returns_the_request_to_the_decider_and_marks_the_decision_refused(
    requester, reviewer, head, make_user
):
    pr = recommended(requester, reviewer, "low")
    decision = decide(pr, reviewer)
    step = workflow.request_sign_off_refuse(actor=head, request=pr, reason="Ask the dean first.")
    assert (step.status, step.reason, step.signed_by) == (
        SignOff.Status.REFUSED,
        "Ask the dean first.",
        head,
    )
    decision.refresh_from_db()
    assert decision.state == Decision.State.REFUSED and decision.superseded
    assert status(pr) == S.RECOMMENDED
    assert AuditEvent.objects.get(action="request.sign_off_refused").changes["reason"] == [
        None,
        "Ask the dean first.",
    ]
    # The decider decides again; a head of department signs this time.
    decide(pr, reviewer)
    workflow.request_sign_off(
        actor=make_user("head2", Role.HEAD_OF_DEPARTMENT, pr.department), request=pr
    )
    assert status(pr) == S.APPROVED


# --- visibility ---------------------------------------------------------------------------------


def test_a_department_on_a_profile_alone_shows_no_requests(requester, make_user, engineering):
    pr = make_request(requester)
    former = make_user("former", None, engineering)
    assert Profile.objects.get(user=former).department == engineering
    assert not visible_requests(former).exists()
    assert visible_requests(requester).get() == pr


def test_a_head_of_department_sees_their_departments_requests_only(
    requester, other_requester, head
):
    ours = make_request(requester)
    make_request(other_requester)
    assert list(visible_requests(head)) == [ours]


# --- re-screening after a decision --------------------------------------------------------------


def decided_beihang(requester, reviewer, tracker):
    """Beihang decided (medium, approved) while no list named it; then a list names it."""
    pr = recommended(requester, reviewer, "medium", pr=beihang_request(requester))
    decide(pr, reviewer)
    make_version(tracker, [HARBIN, BEIHANG], 2)
    screen_request(request=pr, actor=None, alert=True, reason="re-screening")
    return pr


def test_a_new_potential_match_after_a_decision_puts_it_under_re_review(
    requester, reviewer, tracker
):
    pr = decided_beihang(requester, reviewer, tracker)
    assert status(pr) == S.APPROVED
    assert request_under_rereview(PartnershipRequest.objects.get(pk=pr.pk))
    assert list(requests_under_rereview()) == [pr]
    assert ScreeningAlert.objects.filter(request=pr, cleared_at__isnull=True).count() == 1


def test_confirming_the_new_match_reopens_the_decided_request(requester, reviewer, tracker):
    pr = decided_beihang(requester, reviewer, tracker)
    match_confirm(match=ScreeningMatch.objects.get(), actor=reviewer, reason="It is them.")
    assert status(pr) == S.UNDER_REVIEW
    assert Decision.objects.get().superseded
    assert not request_under_rereview(PartnershipRequest.objects.get(pk=pr.pk))


def test_dismissing_the_new_match_clears_the_re_review_and_keeps_the_decision(
    requester, reviewer, tracker
):
    pr = decided_beihang(requester, reviewer, tracker)
    match_dismiss(match=ScreeningMatch.objects.get(), actor=reviewer, reason="A namesake.")
    assert status(pr) == S.APPROVED
    assert not request_under_rereview(PartnershipRequest.objects.get(pk=pr.pk))
    assert not Decision.objects.get().superseded


# --- gates other modules register ---------------------------------------------------------------


@pytest.fixture
def export_licence_gate():
    state = {"granted": False}

    @gate_register("test_export_licence", "An export licence where one is needed", order=50)
    def check(request, context):
        if state["granted"]:
            return Gate("test_export_licence", "An export licence", True)
        return Gate("test_export_licence", "An export licence", False, "export licence pending")

    yield state
    _REGISTRY.pop("test_export_licence")


def test_a_gate_registered_by_another_module_blocks_the_decision(
    requester, reviewer, export_licence_gate
):
    export_licence_gate["granted"] = True
    pr = recommended(requester, reviewer, "medium")
    export_licence_gate["granted"] = False
    with pytest.raises(Refusal, match="Still missing: export licence pending"):
        decide(pr, reviewer)
    export_licence_gate["granted"] = True
    decide(pr, reviewer)
    assert status(pr) == S.APPROVED


def test_a_gate_registered_for_the_decision_only_does_not_block_the_recommendation(
    requester, reviewer
):
    @gate_register("test_decide_only", "Decide only", steps=("decide",))
    def check(request, context):
        return Gate("test_decide_only", "Decide only", False, "a decide-only check")

    try:
        pr = checked(requester, reviewer)
        recommend(pr, reviewer)
        with pytest.raises(Refusal, match="a decide-only check"):
            decide(pr, reviewer)
    finally:
        _REGISTRY.pop("test_decide_only")


def test_registering_a_gate_for_an_unknown_step_is_refused():
    with pytest.raises(ValueError, match="Unknown workflow steps"):
        gate_register("x", "X", steps=("approve",))


# --- role assignments -------------------------------------------------------------------------


def test_the_migration_turns_groups_and_profile_departments_into_assignments(
    django_user_model, engineering
):
    migration = importlib.import_module("ukcn.migrations.0004_role_assignments")

    def member(name, group, department):
        user = django_user_model.objects.create_user(username=name, password="x")
        Profile.objects.create(user=user, department=department)
        user.groups.add(Group.objects.get_or_create(name=group)[0])
        return user

    requester = member("old-requester", "requester", engineering)
    homeless = member("no-department", "requester", None)
    reviewer = member("old-reviewer", "reviewer", engineering)
    migration.groups_to_assignments(apps, None)
    migration.groups_to_assignments(apps, None)  # idempotent
    rows = set(RoleAssignment.objects.values_list("user__username", "role", "department_id"))
    assert rows == {
        ("old-requester", "requester", engineering.pk),
        ("old-reviewer", "reviewer", None),
    }
    assert not RoleAssignment.objects.filter(user=homeless).exists()
    assert has_role(requester, Role.REQUESTER) and has_role(reviewer, Role.REVIEWER)


def test_granting_and_revoking_a_role_is_audited_and_keeps_the_group_in_step(
    make_user, admin_user, engineering, history
):
    user = make_user("newcomer")
    assignment = role_grant(
        user=user, role=Role.REQUESTER, department=engineering, actor=admin_user
    )
    role_grant(user=user, role=Role.REQUESTER, department=engineering, actor=admin_user)
    second = role_grant(user=user, role=Role.REQUESTER, department=history, actor=admin_user)
    granted = AuditEvent.objects.filter(action="role.granted")
    assert granted.count() == 2
    assert granted.first().changes["source"] == RoleAssignment.Source.MANUAL
    assert user.groups.filter(name="requester").exists()
    assert has_role(user, Role.REQUESTER)
    role_revoke(assignment=assignment, actor=admin_user)
    assert user.groups.filter(name="requester").exists()  # still requester for history
    role_revoke(assignment=second, actor=admin_user)
    assert AuditEvent.objects.filter(action="role.revoked").count() == 2
    assert not user.groups.filter(name="requester").exists()
    assert not has_role(user, Role.REQUESTER)


def test_granting_a_departmental_role_without_a_department_is_refused(make_user):
    user = make_user("newcomer")
    with pytest.raises(Refusal, match="holds the role for a department"):
        role_grant(user=user, role=Role.HEAD_OF_DEPARTMENT)
    assert not RoleAssignment.objects.filter(user=user).exists()


def test_the_database_refuses_a_departmental_role_without_a_department(make_user, engineering):
    user = make_user("newcomer")
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(user=user, role=Role.REQUESTER, department=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(user=user, role=Role.REVIEWER, department=engineering)
    assert not RoleAssignment.objects.filter(user=user).exists()


def test_an_identity_provider_assignment_says_where_it_came_from(make_user):
    user = make_user("sso")
    assignment = role_grant(
        user=user, role=Role.AUDITOR, source=RoleAssignment.Source.IDENTITY_PROVIDER
    )
    assert assignment.get_source_display() == "From the identity provider"
    assert AuditEvent.objects.get(action="role.granted").changes["source"] == "identity_provider"


def test_a_decision_whose_only_head_of_department_may_not_sign_is_signed_off_by_an_approver(
    requester, make_user, engineering, second_reviewer, approver
):
    reviewer_and_head = make_user("rh", Role.REVIEWER)
    add_role(reviewer_and_head, Role.HEAD_OF_DEPARTMENT, engineering)
    pr = recommended(requester, reviewer_and_head, "low")
    decide(pr, second_reviewer)
    with pytest.raises(Refusal, match="recommended this request"):
        workflow.request_sign_off(actor=reviewer_and_head, request=pr)
    step = workflow.request_sign_off(actor=approver, request=pr)
    assert (step.signed_as, step.in_place_of) == ("approver", "head of department")
    assert status(pr) == S.APPROVED


def test_a_match_confirmed_while_a_decision_awaits_sign_off_returns_the_request_to_review(
    requester, reviewer, second_reviewer, tracker
):
    pr = recommended(requester, reviewer, "low", pr=beihang_request(requester))
    decide(pr, second_reviewer)
    assert status(pr) == S.AWAITING_SIGN_OFF
    make_version(tracker, [HARBIN, BEIHANG], 2)
    screen_request(request=pr, actor=None, alert=True, reason="re-screening")
    match_confirm(match=ScreeningMatch.objects.get(), actor=reviewer, reason="It is them.")
    assert status(pr) == S.UNDER_REVIEW
    assert Decision.objects.get().superseded
    assert AuditEvent.objects.filter(action="request.returned_to_review").exists()


def test_confirming_a_dismissed_match_on_a_decided_request_reopens_it(requester, reviewer, tracker):
    pr = decided_beihang(requester, reviewer, tracker)
    match = ScreeningMatch.objects.get()
    match_dismiss(match=match, actor=reviewer, reason="A namesake.")
    assert status(pr) == S.APPROVED
    match_confirm(match=match, actor=reviewer, reason="On a second look, it is them.")
    assert status(pr) == S.UNDER_REVIEW
    assert Decision.objects.get().superseded
