from datetime import date, timedelta

import pytest
from django.utils import timezone

from assessments import workflow
from assessments.models import (
    AuditEvent,
    Condition,
    Decision,
    Organisation,
    PartnershipRequest,
    RequestStatus,
)
from assessments.workflow import ConditionInput
from ukcn.refusals import Refusal
from ukcn.roles import Role

from .request_factories import add_role, advance, facts, give_sign_offs, make_request, signer_for

S = RequestStatus


def assert_unchanged(request, *, status, events):
    """A refused action leaves the request and the audit trail exactly as they were."""
    fresh = PartnershipRequest.objects.get(pk=request.pk)
    assert fresh.status == status
    assert fresh.version == request.version
    assert AuditEvent.objects.count() == events


# --- create and update -----------------------------------------------------------------------


def test_create_gives_sequential_references_for_the_year_and_audits_the_facts(requester):
    first = make_request(requester)
    second = make_request(requester, title="Second")
    year = timezone.localdate().year
    assert first.reference == f"PR-{year}-0001"
    assert second.reference == f"PR-{year}-0002"
    assert first.status == S.DRAFT
    assert first.department == requester.profile.department
    event = AuditEvent.objects.get(action="request.created", request=first)
    assert event.changes["title"] == [None, "Joint centre for low-carbon materials"]
    assert event.changes["partners"] == [None, ["Tsinghua University (清华大学) (CN): Co-lead"]]


def test_create_continues_after_the_highest_reference_even_with_gaps(requester):
    first = make_request(requester)
    year = timezone.localdate().year
    PartnershipRequest.objects.filter(pk=first.pk).update(reference=f"PR-{year}-0041")
    assert make_request(requester).reference == f"PR-{year}-0042"


@pytest.mark.parametrize("role_fixture", ["approver", "auditor", "guidance_editor"])
def test_create_is_refused_to_roles_that_do_not_register_requests(db, request, role_fixture):
    user = request.getfixturevalue(role_fixture)
    with pytest.raises(Refusal, match="Only requesters and reviewers"):
        make_request(user)
    assert not PartnershipRequest.objects.exists()
    assert not AuditEvent.objects.exists()


def test_a_reviewer_registers_for_any_department_but_a_requester_only_for_their_own(
    requester, reviewer, history
):
    on_behalf = workflow.request_create(actor=reviewer, facts=facts(), department=history)
    assert on_behalf.department == history
    with pytest.raises(Refusal, match="only for a department they are requester for"):
        workflow.request_create(actor=requester, facts=facts(), department=history)
    with pytest.raises(Refusal, match="needs a department"):
        workflow.request_create(actor=reviewer, facts=facts())


def test_a_back_dated_request_takes_its_reference_year_from_the_registration_date(requester):
    pr = workflow.request_create(actor=requester, facts=facts(), registered_on=date(2024, 3, 5))
    assert pr.reference == "PR-2024-0001"
    assert PartnershipRequest.objects.get(pk=pr.pk).created_at.date() == date(2024, 3, 5)
    assert AuditEvent.objects.get().changes["registered_on"] == [None, "2024-03-05"]
    with pytest.raises(Refusal, match="future"):
        workflow.request_create(
            actor=requester, facts=facts(), registered_on=timezone.localdate() + timedelta(days=1)
        )


def test_create_refuses_a_partner_listed_twice_and_creates_nothing(requester):
    organisation = Organisation.objects.create(name="Zhejiang University", country="CN")
    partners = [workflow.PartnerInput(organisation), workflow.PartnerInput(organisation)]
    with pytest.raises(Refusal, match="listed twice"):
        make_request(requester, partners=partners)
    assert not PartnershipRequest.objects.exists()


def test_update_records_old_and_new_values_of_each_changed_field(requester):
    pr = make_request(requester)
    workflow.request_update(
        actor=requester,
        request=pr,
        version=pr.version,
        facts=facts(title="Battery materials centre", dual_use=True),
    )
    assert pr.version == 2
    event = AuditEvent.objects.get(action="request.updated")
    assert event.changes == {
        "title": ["Joint centre for low-carbon materials", "Battery materials centre"],
        "dual_use": [False, True],
    }
    assert PartnershipRequest.objects.get(pk=pr.pk).title == "Battery materials centre"


def test_update_with_a_stale_version_is_a_conflict_and_changes_nothing(make_user, engineering):
    alice = make_user("alice", Role.REQUESTER, engineering)
    bob = make_user("bob", Role.REQUESTER, engineering)
    pr = make_request(alice)
    read_by_alice = pr.version
    read_by_bob = pr.version
    workflow.request_update(
        actor=bob, request=pr, version=read_by_bob, facts=facts(title="Bob's title")
    )
    events = AuditEvent.objects.count()
    with pytest.raises(Refusal, match="changed by someone else"):
        workflow.request_update(
            actor=alice,
            request=PartnershipRequest.objects.get(pk=pr.pk),
            version=read_by_alice,
            facts=facts(title="Alice's title"),
        )
    fresh = PartnershipRequest.objects.get(pk=pr.pk)
    assert fresh.title == "Bob's title"
    assert fresh.version == 2
    assert AuditEvent.objects.count() == events


def test_update_by_a_requester_of_another_department_is_refused(requester, other_requester):
    pr = make_request(requester)
    with pytest.raises(Refusal, match="department"):
        workflow.request_update(
            actor=other_requester, request=pr, version=pr.version, facts=facts(title="Hijack")
        )
    assert PartnershipRequest.objects.get(pk=pr.pk).title != "Hijack"


def test_a_requester_cannot_edit_after_submission_but_a_reviewer_can(requester, reviewer):
    pr = advance(make_request(requester), to=S.SUBMITTED, requester=requester, reviewer=reviewer)
    with pytest.raises(Refusal, match="only a reviewer"):
        workflow.request_update(
            actor=requester, request=pr, version=pr.version, facts=facts(title="Late")
        )
    workflow.request_update(
        actor=reviewer, request=pr, version=pr.version, facts=facts(title="Corrected")
    )
    assert PartnershipRequest.objects.get(pk=pr.pk).title == "Corrected"


def test_update_refuses_an_end_date_before_the_start(requester):
    pr = make_request(requester)
    with pytest.raises(Refusal, match="end date"):
        workflow.request_update(
            actor=requester,
            request=pr,
            version=pr.version,
            facts=facts(start_date=date(2028, 1, 1), end_date=date(2027, 1, 1)),
        )


# --- submit, withdraw, take into review ------------------------------------------------------


def test_submit_moves_a_draft_to_submitted_and_stamps_the_time(requester):
    pr = make_request(requester)
    workflow.request_submit(actor=requester, request=pr)
    fresh = PartnershipRequest.objects.get(pk=pr.pk)
    assert fresh.status == S.SUBMITTED
    assert fresh.submitted_at is not None
    event = AuditEvent.objects.get(action="request.submitted")
    assert event.changes["status"] == ["draft", "submitted"]


def test_submit_needs_a_partner(requester):
    pr = make_request(requester, partners=[])
    events = AuditEvent.objects.count()
    with pytest.raises(Refusal, match="at least one partner"):
        workflow.request_submit(actor=requester, request=pr)
    assert_unchanged(pr, status=S.DRAFT, events=events)


def test_submit_needs_sectors_or_an_explicit_none(requester):
    pr = make_request(requester, no_nsi_sector=False)
    with pytest.raises(Refusal, match="NSI Act sectors"):
        workflow.request_submit(actor=requester, request=pr)


def test_submit_is_refused_to_a_reviewer_and_to_another_department(
    requester, other_requester, reviewer
):
    pr = make_request(requester)
    events = AuditEvent.objects.count()
    for actor in (reviewer, other_requester):
        with pytest.raises(Refusal, match="Only its author or a requester"):
            workflow.request_submit(actor=actor, request=pr)
    assert_unchanged(pr, status=S.DRAFT, events=events)


def test_a_reviewer_who_registered_a_request_on_a_departments_behalf_submits_it(reviewer, history):
    pr = workflow.request_create(actor=reviewer, facts=facts(), department=history)
    workflow.request_submit(actor=reviewer, request=pr)
    assert PartnershipRequest.objects.get(pk=pr.pk).status == S.SUBMITTED


def test_submitting_twice_is_refused(requester):
    pr = make_request(requester)
    workflow.request_submit(actor=requester, request=pr)
    events = AuditEvent.objects.count()
    with pytest.raises(Refusal, match="Only a draft"):
        workflow.request_submit(actor=requester, request=pr)
    assert_unchanged(pr, status=S.SUBMITTED, events=events)


def test_a_requester_withdraws_an_open_request_with_a_reason(requester, reviewer):
    pr = advance(make_request(requester), to=S.UNDER_REVIEW, requester=requester, reviewer=reviewer)
    workflow.request_withdraw(actor=requester, request=pr, reason="Project cancelled")
    assert PartnershipRequest.objects.get(pk=pr.pk).status == S.WITHDRAWN
    assert AuditEvent.objects.get(action="request.withdrawn").changes["reason"] == [
        None,
        "Project cancelled",
    ]


def test_a_decided_request_cannot_be_withdrawn(requester, reviewer):
    pr = advance(make_request(requester), to=S.APPROVED, requester=requester, reviewer=reviewer)
    events = AuditEvent.objects.count()
    with pytest.raises(Refusal, match="cannot be withdrawn"):
        workflow.request_withdraw(actor=requester, request=pr)
    assert_unchanged(pr, status=S.APPROVED, events=events)


def test_a_reviewer_cannot_withdraw_a_request_someone_else_registered(requester, reviewer):
    pr = make_request(requester)
    with pytest.raises(Refusal, match="Only its author or a requester"):
        workflow.request_withdraw(actor=reviewer, request=pr)


def test_a_reviewer_takes_a_submitted_request_into_review_and_becomes_its_reviewer(
    requester, reviewer
):
    pr = advance(make_request(requester), to=S.SUBMITTED, requester=requester, reviewer=reviewer)
    workflow.request_take_into_review(actor=reviewer, request=pr)
    fresh = PartnershipRequest.objects.get(pk=pr.pk)
    assert fresh.status == S.UNDER_REVIEW
    assert fresh.reviewer == reviewer


def test_taking_into_review_is_refused_to_requesters_and_approvers(requester, approver):
    pr = advance(make_request(requester), to=S.SUBMITTED, requester=requester, reviewer=None)
    events = AuditEvent.objects.count()
    for actor in (requester, approver):
        with pytest.raises(Refusal, match="Only a reviewer"):
            workflow.request_take_into_review(actor=actor, request=pr)
    assert_unchanged(pr, status=S.SUBMITTED, events=events)


def test_a_draft_cannot_be_taken_into_review(requester, reviewer):
    pr = make_request(requester)
    with pytest.raises(Refusal, match="Only a submitted request"):
        workflow.request_take_into_review(actor=reviewer, request=pr)


# --- tier and recommendation -----------------------------------------------------------------


def test_a_reviewer_sets_the_tier_and_the_change_is_audited_with_its_reason(requester, reviewer):
    pr = advance(
        make_request(requester), to=S.UNDER_REVIEW, requester=requester, reviewer=reviewer, tier=""
    )
    assessed = pr.tier
    workflow.request_set_tier(actor=reviewer, request=pr, tier="high", reason="Defence links")
    fresh = PartnershipRequest.objects.get(pk=pr.pk)
    assert (fresh.tier, fresh.highest_tier) == ("high", "high")
    event = AuditEvent.objects.get(action="request.tier_set")
    assert event.changes["tier"] == [assessed, "high"]
    assert event.changes["reason"] == [None, "Defence links"]


def test_the_tier_cannot_be_set_on_a_draft_by_a_requester_or_without_a_reason(requester, reviewer):
    pr = make_request(requester)
    with pytest.raises(Refusal, match="under review"):
        workflow.request_set_tier(actor=reviewer, request=pr, tier="low", reason="Guess")
    advance(pr, to=S.UNDER_REVIEW, requester=requester, reviewer=reviewer, tier="")
    assessed = PartnershipRequest.objects.get(pk=pr.pk).tier
    with pytest.raises(Refusal, match="Only a reviewer"):
        workflow.request_set_tier(actor=requester, request=pr, tier="high", reason="Worried")
    with pytest.raises(Refusal, match="not a risk tier"):
        workflow.request_set_tier(actor=reviewer, request=pr, tier="extreme", reason="Big")
    with pytest.raises(Refusal, match="Say why"):
        workflow.request_set_tier(actor=reviewer, request=pr, tier="high", reason="  ")
    assert PartnershipRequest.objects.get(pk=pr.pk).tier == assessed


def test_the_recommender_cannot_change_the_tier_afterwards_but_an_approver_can_lower_it(
    requester, reviewer, second_reviewer, approver
):
    pr = recommended(requester, reviewer, "high")
    events = AuditEvent.objects.count()
    with pytest.raises(Refusal, match="someone else must change the risk tier"):
        workflow.request_set_tier(actor=reviewer, request=pr, tier="low", reason="Known lab")
    assert "set_tier" not in workflow.request_actions_for(reviewer, pr)
    assert "set_tier" in workflow.request_actions_for(second_reviewer, pr)
    # A second reviewer may not lower a high tier either: that takes an approver.
    with pytest.raises(Refusal, match="Only an approver may lower a high tier"):
        workflow.request_set_tier(actor=second_reviewer, request=pr, tier="medium", reason="Ok")
    assert_unchanged(pr, status=S.RECOMMENDED, events=events)
    workflow.request_set_tier(actor=approver, request=pr, tier="medium", reason="Civil work only")
    fresh = PartnershipRequest.objects.get(pk=pr.pk)
    assert (fresh.tier, fresh.highest_tier) == ("medium", "high")


def test_a_reviewer_recommends_and_the_recommendation_is_kept(requester, reviewer):
    pr = advance(make_request(requester), to=S.UNDER_REVIEW, requester=requester, reviewer=reviewer)
    recommendation = workflow.request_recommend(
        actor=reviewer, request=pr, outcome="decline", reasoning="Partner on the Entity List."
    )
    assert PartnershipRequest.objects.get(pk=pr.pk).status == S.RECOMMENDED
    assert recommendation.recommended_by == reviewer
    assert AuditEvent.objects.get(action="request.recommended").changes["recommendation"] == [
        None,
        "decline",
    ]


def test_a_recommendation_needs_reasoning_a_reviewer_and_a_request_under_review(
    requester, reviewer, approver
):
    pr = advance(make_request(requester), to=S.SUBMITTED, requester=requester, reviewer=reviewer)
    with pytest.raises(Refusal, match="under review"):
        workflow.request_recommend(actor=reviewer, request=pr, outcome="approve", reasoning="Ok")
    workflow.request_take_into_review(actor=reviewer, request=pr)
    with pytest.raises(Refusal, match="reasoning"):
        workflow.request_recommend(actor=reviewer, request=pr, outcome="approve", reasoning=" ")
    with pytest.raises(Refusal, match="Only a reviewer"):
        workflow.request_recommend(actor=approver, request=pr, outcome="approve", reasoning="Ok")
    assert PartnershipRequest.objects.get(pk=pr.pk).status == S.UNDER_REVIEW


# --- decisions and four-eyes -----------------------------------------------------------------


def recommended(requester, reviewer, tier):
    return advance(
        make_request(requester), to=S.RECOMMENDED, requester=requester, reviewer=reviewer, tier=tier
    )


@pytest.mark.parametrize("tier", ["low", "medium"])
def test_a_reviewer_decides_a_low_or_medium_tier_request_they_recommended(
    requester, reviewer, tier
):
    pr = recommended(requester, reviewer, tier)
    decision = workflow.request_decide(
        actor=reviewer, request=pr, outcome=S.APPROVED, reasoning="Proportionate."
    )
    give_sign_offs(pr)  # low: the head of department signs off; medium: none
    fresh = PartnershipRequest.objects.get(pk=pr.pk)
    assert fresh.status == S.APPROVED
    assert decision.tier == tier
    assert fresh.decided_at is not None


def test_every_decision_sets_the_next_review_date_twelve_months_ahead(requester, reviewer):
    pr = recommended(requester, reviewer, "low")
    workflow.request_decide(actor=reviewer, request=pr, outcome=S.DECLINED, reasoning="No.")
    give_sign_offs(pr)
    expected = timezone.localdate() + timedelta(days=365)
    assert PartnershipRequest.objects.get(pk=pr.pk).next_review_date == expected


@pytest.mark.parametrize("tier", ["high", "very_high"])
def test_a_reviewer_cannot_decide_a_high_tier_request(requester, reviewer, second_reviewer, tier):
    pr = recommended(requester, reviewer, tier)
    events = AuditEvent.objects.count()
    with pytest.raises(Refusal, match="needs an approver"):
        workflow.request_decide(
            actor=second_reviewer, request=pr, outcome=S.APPROVED, reasoning="Fine."
        )
    assert_unchanged(pr, status=S.RECOMMENDED, events=events)
    assert not Decision.objects.exists()


def test_the_person_who_recommended_a_high_tier_request_cannot_also_approve_it(
    requester, make_user
):
    both = add_role(make_user("dual", Role.REVIEWER), Role.APPROVER)
    pr = recommended(requester, both, "high")
    events = AuditEvent.objects.count()
    with pytest.raises(Refusal, match="Four-eyes"):
        workflow.request_decide(actor=both, request=pr, outcome=S.APPROVED, reasoning="Fine.")
    assert_unchanged(pr, status=S.RECOMMENDED, events=events)


def test_a_different_approver_decides_a_very_high_tier_request(requester, reviewer, approver):
    pr = recommended(requester, reviewer, "very_high")
    workflow.request_decide(
        actor=approver, request=pr, outcome=S.DECLINED, reasoning="Military end users."
    )
    assert PartnershipRequest.objects.get(pk=pr.pk).status == S.AWAITING_SIGN_OFF
    senior = signer_for(pr, Role.SENIOR_OFFICER)
    workflow.request_sign_off(actor=senior, request=pr)
    assert PartnershipRequest.objects.get(pk=pr.pk).status == S.DECLINED
    decision = Decision.objects.get()
    assert decision.decided_by == approver
    assert decision.sign_offs.get().signed_by == senior


def test_deciding_without_a_tier_is_refused_with_a_clear_message(requester, reviewer):
    pr = recommended(requester, reviewer, tier="")
    # The gates keep a request without a tier from being recommended; one recommended before
    # them (or whose tier was cleared in the database) is still refused with a clear sentence.
    PartnershipRequest.objects.filter(pk=pr.pk).update(tier="")
    with pytest.raises(Refusal, match="no risk tier yet"):
        workflow.request_decide(actor=reviewer, request=pr, outcome=S.APPROVED, reasoning="Ok")


def test_deciding_is_refused_before_a_recommendation_and_to_requesters(requester, reviewer):
    pr = advance(make_request(requester), to=S.UNDER_REVIEW, requester=requester, reviewer=reviewer)
    with pytest.raises(Refusal, match="Only a recommended request"):
        workflow.request_decide(actor=reviewer, request=pr, outcome=S.APPROVED, reasoning="Ok")
    workflow.request_recommend(actor=reviewer, request=pr, outcome="approve", reasoning="Ok")
    with pytest.raises(Refusal, match="Only reviewers and approvers decide"):
        workflow.request_decide(actor=requester, request=pr, outcome=S.APPROVED, reasoning="Ok")


def test_an_approval_with_conditions_needs_conditions_and_creates_them(requester, reviewer):
    pr = recommended(requester, reviewer, "medium")
    with pytest.raises(Refusal, match="at least one condition"):
        workflow.request_decide(
            actor=reviewer, request=pr, outcome=S.APPROVED_WITH_CONDITIONS, reasoning="Ok"
        )
    due = timezone.localdate() + timedelta(days=90)
    decision = workflow.request_decide(
        actor=reviewer,
        request=pr,
        outcome=S.APPROVED_WITH_CONDITIONS,
        reasoning="Ok with a data plan.",
        conditions=[
            ConditionInput(text="Agree a data management plan", due_date=due, owner=requester)
        ],
    )
    condition = Condition.objects.get()
    assert condition.decision == decision
    assert condition.owner == requester
    assert condition.status == Condition.Status.OPEN
    assert AuditEvent.objects.filter(action="condition.added").count() == 1


def test_conditions_on_a_plain_approval_are_refused(requester, reviewer):
    pr = recommended(requester, reviewer, "low")
    due = timezone.localdate() + timedelta(days=30)
    with pytest.raises(Refusal, match="only to an approval with conditions"):
        workflow.request_decide(
            actor=reviewer,
            request=pr,
            outcome=S.APPROVED,
            reasoning="Ok",
            conditions=[ConditionInput(text="x", due_date=due)],
        )


# --- reopening -------------------------------------------------------------------------------


def test_reopening_keeps_the_earlier_decision_marked_superseded(requester, reviewer):
    pr = advance(make_request(requester), to=S.APPROVED, requester=requester, reviewer=reviewer)
    workflow.request_reopen(actor=reviewer, request=pr, reason="Partner added to a watchlist")
    fresh = PartnershipRequest.objects.get(pk=pr.pk)
    assert fresh.status == S.UNDER_REVIEW
    assert fresh.next_review_date is None
    earlier = Decision.objects.get()
    assert earlier.superseded
    assert earlier.outcome == S.APPROVED
    # Reviewed again and decided again: two decisions on record, only the new one current.
    workflow.request_recommend(actor=reviewer, request=pr, outcome="decline", reasoning="Risk.")
    workflow.request_decide(actor=reviewer, request=pr, outcome=S.DECLINED, reasoning="Risk.")
    assert list(Decision.objects.order_by("id").values_list("superseded", flat=True)) == [
        True,
        False,
    ]


def test_reopening_is_refused_for_open_requests_requesters_and_without_a_reason(
    requester, reviewer
):
    pr = advance(make_request(requester), to=S.UNDER_REVIEW, requester=requester, reviewer=reviewer)
    with pytest.raises(Refusal, match="Only a decided request"):
        workflow.request_reopen(actor=reviewer, request=pr, reason="Check")
    workflow.request_recommend(actor=reviewer, request=pr, outcome="approve", reasoning="Ok")
    workflow.request_decide(actor=reviewer, request=pr, outcome=S.APPROVED, reasoning="Ok")
    give_sign_offs(pr)
    with pytest.raises(Refusal, match="reviewer or an approver"):
        workflow.request_reopen(actor=requester, request=pr, reason="Check")
    with pytest.raises(Refusal, match="Say why"):
        workflow.request_reopen(actor=reviewer, request=pr, reason="")
    assert PartnershipRequest.objects.get(pk=pr.pk).status == S.APPROVED


# --- conditions ------------------------------------------------------------------------------


def conditional(requester, reviewer, due):
    pr = recommended(requester, reviewer, "low")
    workflow.request_decide(
        actor=reviewer,
        request=pr,
        outcome=S.APPROVED_WITH_CONDITIONS,
        reasoning="Ok",
        conditions=[ConditionInput(text="Export licence check", due_date=due, owner=requester)],
    )
    return give_sign_offs(pr)


def test_the_owner_marks_a_condition_met(requester, reviewer):
    pr = conditional(requester, reviewer, timezone.localdate() + timedelta(days=10))
    condition = pr.conditions.get()
    workflow.condition_mark_met(actor=requester, condition=condition, note="Licence granted")
    condition.refresh_from_db()
    assert condition.status == Condition.Status.MET
    assert condition.met_at is not None
    with pytest.raises(Refusal, match="already met"):
        workflow.condition_mark_met(actor=reviewer, condition=condition)


def test_someone_else_cannot_mark_a_condition_met(requester, reviewer, other_requester):
    pr = conditional(requester, reviewer, timezone.localdate() + timedelta(days=10))
    with pytest.raises(Refusal, match="owner"):
        workflow.condition_mark_met(actor=other_requester, condition=pr.conditions.get())


def test_open_conditions_past_their_due_date_become_overdue(requester, reviewer):
    today = timezone.localdate()
    pr = conditional(requester, reviewer, today + timedelta(days=5))
    assert workflow.conditions_mark_overdue(today=today + timedelta(days=5)) == 0
    assert workflow.conditions_mark_overdue(today=today + timedelta(days=6)) == 1
    assert pr.conditions.get().status == Condition.Status.OVERDUE
    assert AuditEvent.objects.filter(action="condition.overdue", request=pr).count() == 1
    assert workflow.conditions_mark_overdue(today=today + timedelta(days=7)) == 0


def test_conditions_can_be_added_only_to_a_conditional_approval(requester, reviewer):
    due = timezone.localdate() + timedelta(days=30)
    plain = advance(make_request(requester), to=S.APPROVED, requester=requester, reviewer=reviewer)
    with pytest.raises(Refusal, match="approved with conditions"):
        workflow.condition_add(
            actor=reviewer, request=plain, item=ConditionInput(text="x", due_date=due)
        )
    pr = conditional(requester, reviewer, due)
    workflow.condition_add(
        actor=reviewer, request=pr, item=ConditionInput(text="Annual report", due_date=due)
    )
    assert pr.conditions.count() == 2
    with pytest.raises(Refusal, match="reviewer or an approver"):
        workflow.condition_add(
            actor=requester, request=pr, item=ConditionInput(text="x", due_date=due)
        )


# --- what the detail page offers -------------------------------------------------------------


def test_the_actions_offered_follow_role_and_state(requester, reviewer, approver, auditor):
    pr = make_request(requester)
    assert {"edit", "submit", "withdraw", "attach"} <= workflow.request_actions_for(requester, pr)
    assert workflow.request_actions_for(auditor, pr) == set()
    workflow.request_submit(actor=requester, request=pr)
    assert "take_into_review" in workflow.request_actions_for(reviewer, pr)
    assert "take_into_review" not in workflow.request_actions_for(approver, pr)
    assert "edit" not in workflow.request_actions_for(requester, pr)


def test_the_mark_overdue_conditions_command_reports_what_it_changed(requester, reviewer, capsys):
    from django.core.management import CommandError, call_command

    today = timezone.localdate()
    conditional(requester, reviewer, today + timedelta(days=1))
    call_command("mark_overdue_conditions", today=(today + timedelta(days=2)).isoformat())
    assert "1 condition marked overdue" in capsys.readouterr().out
    # The command is the scheduled job's function: the same audit event, and people are told.
    from assessments.models import AuditEvent, Notification

    event = AuditEvent.objects.get(action="condition.overdue")
    assert event.summary.startswith("Condition overdue on ")
    assert Notification.objects.filter(kind="condition_overdue").exists()
    with pytest.raises(CommandError, match="not a date"):
        call_command("mark_overdue_conditions", today="tomorrow")


def test_an_edit_keeps_the_partner_rows_that_stay_and_updates_their_role(requester):
    kept = Organisation.objects.create(name="Fudan University", country="CN")
    dropped = Organisation.objects.create(name="Peking University", country="CN")
    pr = make_request(
        requester,
        partners=[workflow.PartnerInput(kept, "Host"), workflow.PartnerInput(dropped, "Adviser")],
    )
    kept_row = pr.partners.get(organisation=kept)
    added = Organisation.objects.create(name="Wuhan University", country="CN")
    workflow.request_update(
        actor=requester,
        request=pr,
        version=pr.version,
        facts=facts(
            partners=[workflow.PartnerInput(kept, "Co-host"), workflow.PartnerInput(added, "")]
        ),
    )
    rows = {p.organisation.name: p for p in pr.partners.select_related("organisation")}
    assert set(rows) == {"Fudan University", "Wuhan University"}
    assert rows["Fudan University"].pk == kept_row.pk
    assert rows["Fudan University"].role == "Co-host"
    assert AuditEvent.objects.get(action="request.updated").changes["partners"] == [
        ["Fudan University (CN): Host", "Peking University (CN): Adviser"],
        ["Fudan University (CN): Co-host", "Wuhan University (CN)"],
    ]
