"""The request pages around the decision gates: what is missing, stale assessments, sign-offs,
re-review and decisions made before the gates."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments import workflow
from assessments.checklists import AnswerInput, checklist_answers_save
from assessments.models import AuditEvent, Decision, PartnershipRequest, RequestStatus, SignOff
from assessments.scoring.versions import scoring_policy_active, scoring_policy_publish
from assessments.screening.service import screen_request
from tests.assessments.reports.audit_report_data import _tracker
from ukcn.roles import Role

from .request_factories import advance, complete_checks, ensure_checklist_and_policy, make_request

S = RequestStatus


@pytest.fixture
def head(make_user, engineering):
    return make_user("head", Role.HEAD_OF_DEPARTMENT, engineering)


@pytest.fixture
def senior_officer(make_user):
    return make_user("senior", Role.SENIOR_OFFICER)


def detail_url(pr):
    return reverse("assessments:request_detail", args=[pr.reference])


def action_url(pr, action):
    return reverse("assessments:request_action", args=[pr.reference, action])


def sign_off_url(pr):
    return reverse("assessments:request_sign_off", args=[pr.reference])


def refuse_url(pr):
    return reverse("assessments:request_sign_off_refuse", args=[pr.reference])


def in_review(requester, reviewer):
    """Submitted and taken into review, nothing checked yet."""
    ensure_checklist_and_policy()
    pr = make_request(requester)
    workflow.request_submit(actor=requester, request=pr)
    workflow.request_take_into_review(actor=reviewer, request=pr)
    return pr


def awaiting_head(requester, reviewer):
    """A low tier request decided by the reviewer, awaiting the head of department."""
    pr = advance(make_request(requester), to=S.RECOMMENDED, requester=requester, reviewer=reviewer)
    workflow.request_decide(actor=reviewer, request=pr, outcome=S.APPROVED, reasoning="Fine.")
    return pr


def page(client, user, pr) -> str:
    client.force_login(user)
    return client.get(detail_url(pr)).content.decode()


def section(body: str, element_id: str) -> str:
    start = body.index(f'id="{element_id}"')
    return body[start : body.index("</section>", start)]


# --- "Before the next step" -------------------------------------------------------------------


def test_the_page_lists_each_missing_gate_with_where_to_put_it_right(client, requester, reviewer):
    pr = in_review(requester, reviewer)
    panel = section(page(client, reviewer, pr), "gates")
    assert "Before the recommendation" in panel
    # The default request's partner is in China: the declarations control (CT-08) applies.
    assert "Still missing:" in panel and "1 checklist item unanswered (CT-08)" in panel
    assert "the risk has not been assessed" in panel
    assert f'href="/requests/{pr.reference}/checklist/">Answer the checklist</a>' in panel
    assert 'href="#assessment">Assess the risk</a>' in panel
    assert panel.count("Missing: ") == 2  # the checklist and the assessment; screening is done


def test_the_page_ticks_every_gate_once_the_checks_are_finished(client, requester, reviewer):
    pr = complete_checks(in_review(requester, reviewer), reviewer)
    panel = section(page(client, reviewer, pr), "gates")
    assert "Every check is finished: the recommendation may go ahead." in panel
    assert "Missing: " not in panel
    assert panel.count("Done: ") == 4


def test_a_decided_request_has_no_gate_panel(client, requester, reviewer, head):
    pr = advance(make_request(requester), to=S.APPROVED, requester=requester, reviewer=reviewer)
    assert 'id="gates"' not in page(client, reviewer, pr)


def test_the_recommend_form_stays_and_says_what_is_missing(client, requester, reviewer):
    pr = in_review(requester, reviewer)
    body = page(client, reviewer, pr)
    assert 'aria-label="Recommend"' in body
    assert "Not yet: a recommendation needs every check finished; 2 still open" in body
    assert 'aria-describedby="recommend-missing"' in body


def test_recommending_before_the_checks_shows_the_refusal_and_changes_nothing(
    client, requester, reviewer
):
    pr = in_review(requester, reviewer)
    client.force_login(reviewer)
    response = client.post(
        action_url(pr, "recommend"),
        {"recommend-outcome": "approve", "recommend-reasoning": "Fine."},
        follow=True,
    )
    body = response.content.decode()
    assert "Not yet: a recommendation needs every check finished. Still missing:" in body
    assert PartnershipRequest.objects.get(pk=pr.pk).status == S.UNDER_REVIEW


def test_the_decide_form_says_what_is_missing_when_an_answer_changed(
    client, requester, reviewer, second_reviewer
):
    pr = advance(make_request(requester), to=S.RECOMMENDED, requester=requester, reviewer=reviewer)
    checklist_answers_save(
        request=pr,
        actor=second_reviewer,
        answers=[AnswerInput("GP-01", "not_met", evidence_notes="No.")],
    )
    body = page(client, second_reviewer, pr)
    assert "Before the decision" in body
    assert "Not yet: a decision needs every check finished; 1 still open" in body
    assert "assessment out of date (checklist answers changed since)" in body


# --- a stale assessment -------------------------------------------------------------------------


def test_a_stale_assessment_is_named_and_the_page_offers_to_assess_again(
    client, requester, reviewer
):
    pr = complete_checks(in_review(requester, reviewer), reviewer)
    checklist_answers_save(
        request=pr, actor=reviewer, answers=[AnswerInput("GP-01", "not_met", evidence_notes="No.")]
    )
    body = page(client, reviewer, pr)
    stale = body.split('id="assessment"')[1]
    assert "This assessment is out of date:" in stale
    assert "checklist answers changed since it was made" in stale
    assert "Assess again</button>" in stale.split('id="assessment-stale"')[1].split("</div>")[0]
    assert stale.count("Assess again</button>") == 1


def test_a_current_assessment_carries_no_warning(client, requester, reviewer):
    pr = complete_checks(in_review(requester, reviewer), reviewer)
    assert "This assessment is out of date" not in page(client, reviewer, pr)


def test_a_new_policy_version_keeps_the_assessment_current_and_offers_to_assess_again(
    client, requester, reviewer
):
    pr = complete_checks(in_review(requester, reviewer), reviewer)
    active = scoring_policy_active()
    data = {**active.data, "name": "Stricter thresholds"}
    scoring_policy_publish(data=data, actor=None, note="Test", source="test")
    body = page(client, reviewer, pr)
    assert "This assessment is out of date" not in body
    note = body.split('id="newer-policy"')[1].split("</p>")[0]
    assert f"version {active.number + 1} is now active" in note
    assert "assess again to score the request under the new policy" in note
    workflow.request_recommend(actor=reviewer, request=pr, outcome="approve", reasoning="Fine.")
    assert PartnershipRequest.objects.get(pk=pr.pk).status == S.RECOMMENDED


# --- the tier form ----------------------------------------------------------------------------


def test_changing_the_tier_without_a_reason_is_refused_by_the_form(client, requester, reviewer):
    pr = complete_checks(in_review(requester, reviewer), reviewer)
    tier = pr.tier
    client.force_login(reviewer)
    response = client.post(action_url(pr, "set_tier"), {"tier-tier": "medium"}, follow=True)
    assert "Why this tier: This field is required." in response.content.decode()
    assert PartnershipRequest.objects.get(pk=pr.pk).tier == tier


def test_the_tier_form_says_the_reason_is_required(client, requester, reviewer):
    pr = complete_checks(in_review(requester, reviewer), reviewer)
    body = page(client, reviewer, pr)
    assert "Required: the reason goes on the record." in body
    assert 'name="tier-reason"' in body and "required" in body.split('name="tier-reason"')[1][:80]


# --- sign-offs --------------------------------------------------------------------------------


def test_a_decision_awaiting_sign_off_shows_its_route_and_steps(client, requester, reviewer, head):
    pr = awaiting_head(requester, reviewer)
    panel = section(page(client, requester, pr), "sign-off-heading")
    assert "Approved subject to sign-off by the head of department" in panel
    assert "the head of department signs off" in panel  # the route
    assert "Awaited" in panel and "Sign-off 1: The head of department" in panel


def test_the_head_of_department_is_offered_both_sign_off_forms(client, requester, reviewer, head):
    pr = awaiting_head(requester, reviewer)
    body = page(client, head, pr)
    assert f'action="{sign_off_url(pr)}"' in body and ">Sign off</button>" in body
    assert f'action="{refuse_url(pr)}"' in body and "Refuse (with a reason)" in body


def test_the_decider_is_not_offered_the_sign_off(client, requester, reviewer, head):
    pr = awaiting_head(requester, reviewer)
    body = page(client, reviewer, pr)
    assert sign_off_url(pr) not in body


def test_the_head_of_department_signs_off_and_the_decision_holds(client, requester, reviewer, head):
    pr = awaiting_head(requester, reviewer)
    client.force_login(head)
    response = client.post(sign_off_url(pr), follow=True)
    body = response.content.decode()
    assert "Signed off as the head of department. The decision now holds: approved." in body
    assert PartnershipRequest.objects.get(pk=pr.pk).status == S.APPROVED
    assert AuditEvent.objects.get(action="request.signed_off").actor == head
    assert "given by head as head of department" in body


def test_refusing_without_a_reason_is_refused_and_changes_nothing(
    client, requester, reviewer, head
):
    pr = awaiting_head(requester, reviewer)
    client.force_login(head)
    response = client.post(refuse_url(pr), {"refuse-reason": "  "}, follow=True)
    assert "Why do you refuse to sign off?: This field is required." in response.content.decode()
    assert PartnershipRequest.objects.get(pk=pr.pk).status == S.AWAITING_SIGN_OFF
    assert SignOff.objects.get(request=pr).status == SignOff.Status.PENDING


def test_refusing_with_a_reason_returns_the_request_to_the_decider(
    client, requester, reviewer, head
):
    pr = awaiting_head(requester, reviewer)
    client.force_login(head)
    response = client.post(
        refuse_url(pr), {"refuse-reason": "The partner's funding is unclear."}, follow=True
    )
    body = response.content.decode()
    assert "Sign-off refused: the request is back with the decider" in body
    assert PartnershipRequest.objects.get(pk=pr.pk).status == S.RECOMMENDED
    assert "sign-off refused</span>" in body
    assert "Reason: The partner&#x27;s funding is unclear." in body


def test_someone_whose_role_is_not_the_one_awaited_is_refused_with_a_sentence(
    client, requester, reviewer, head, senior_officer
):
    pr = awaiting_head(requester, reviewer)
    client.force_login(senior_officer)
    response = client.post(sign_off_url(pr), follow=True)
    assert "This sign-off is for the head of department." in response.content.decode()
    assert PartnershipRequest.objects.get(pk=pr.pk).status == S.AWAITING_SIGN_OFF
    response = client.post(refuse_url(pr), {"refuse-reason": "No."}, follow=True)
    assert "This sign-off is for the head of department." in response.content.decode()
    assert SignOff.objects.get(request=pr).status == SignOff.Status.PENDING


def test_the_decider_cannot_sign_off_their_own_decision_through_the_page(
    client, requester, reviewer, make_user, engineering
):
    pr = awaiting_head(requester, reviewer)
    # The reviewer also heads the department: still no second sign-off from the decider.
    from tests.conftest import grant_role

    grant_role(reviewer, Role.HEAD_OF_DEPARTMENT, engineering)
    client.force_login(reviewer)
    response = client.post(sign_off_url(pr), follow=True)
    assert "No one gives two of a request&#x27;s sign-offs" in response.content.decode()
    assert PartnershipRequest.objects.get(pk=pr.pk).status == S.AWAITING_SIGN_OFF


def test_another_departments_head_cannot_reach_the_request(
    client, requester, reviewer, head, make_user, history
):
    pr = awaiting_head(requester, reviewer)
    client.force_login(make_user("otherhead", Role.HEAD_OF_DEPARTMENT, history))
    assert client.post(sign_off_url(pr)).status_code == 404
    assert client.post(refuse_url(pr), {"refuse-reason": "No."}).status_code == 404


def test_an_approver_signs_in_place_of_a_missing_head_and_the_page_says_so(
    client, requester, reviewer, approver
):
    pr = awaiting_head(requester, reviewer)  # the department has no head
    client.force_login(approver)
    body = client.post(sign_off_url(pr), follow=True).content.decode()
    assert PartnershipRequest.objects.get(pk=pr.pk).status == S.APPROVED
    assert "in place of the head of department (nobody held that role)" in body


def test_the_sign_off_views_accept_only_post(client, requester, reviewer, head):
    pr = awaiting_head(requester, reviewer)
    client.force_login(head)
    assert client.get(sign_off_url(pr)).status_code == 405
    assert client.get(refuse_url(pr)).status_code == 405


def test_a_decided_request_keeps_its_sign_offs_in_the_history(client, requester, reviewer, head):
    pr = awaiting_head(requester, reviewer)
    workflow.request_sign_off(actor=head, request=pr)
    history = section(page(client, requester, pr), "review-heading")
    assert "Decided: Approved</strong>" in history
    assert "Sign-off 1: The head of department, given by head" in history


def test_the_dashboard_shows_a_head_the_decisions_awaiting_their_sign_off(
    client, requester, reviewer, head
):
    pr = awaiting_head(requester, reviewer)
    client.force_login(head)
    body = client.get(reverse("dashboard")).content.decode()
    panel = body.split('data-panel="awaiting_sign_off"')[1].split("</section>")[0]
    assert pr.reference in panel


# --- under re-review --------------------------------------------------------------------------


def rescreened_after_decision(requester, reviewer, head):
    pr = advance(make_request(requester), to=S.APPROVED, requester=requester, reviewer=reviewer)
    _tracker()  # a new list names the partner (Tsinghua University)
    screen_request(request=pr, actor=None, alert=True, reason="re-screening")
    return pr


def test_a_new_potential_match_after_the_decision_marks_it_under_re_review(
    client, requester, reviewer, head
):
    pr = rescreened_after_decision(requester, reviewer, head)
    body = page(client, reviewer, pr)
    assert "Under re-review</span>" in body
    assert "Screening found a new or changed potential match after this request was decided" in body


def test_the_list_and_the_dashboard_show_the_re_review(client, requester, reviewer, head):
    pr = rescreened_after_decision(requester, reviewer, head)
    quiet = advance(
        make_request(requester, title="Quiet"), to=S.SUBMITTED, requester=requester, reviewer=None
    )
    client.force_login(reviewer)
    listing = client.get(reverse("assessments:request_list")).content.decode()
    row = listing.split(f">{pr.reference}</a>")[1].split("</tr>")[0]
    assert "Under re-review" in row
    assert "Under re-review" not in listing.split(f">{quiet.reference}</a>")[1].split("</tr>")[0]
    dashboard = client.get(reverse("dashboard")).content.decode()
    panel = dashboard.split('data-panel="under_rereview"')[1].split("</section>")[0]
    assert "Decisions under re-review" in panel and pr.reference in panel


def test_a_request_without_a_new_match_is_not_under_re_review(client, requester, reviewer, head):
    pr = advance(make_request(requester), to=S.APPROVED, requester=requester, reviewer=reviewer)
    assert "Under re-review" not in page(client, reviewer, pr)


def test_the_dashboard_panels_cost_the_same_queries_with_more_requests_under_re_review(
    client, requester, reviewer, head, django_assert_max_num_queries
):
    rescreened_after_decision(requester, reviewer, head)
    client.force_login(reviewer)
    with django_assert_max_num_queries(60) as first:
        client.get(reverse("dashboard"))
    for _ in range(3):
        pr = advance(make_request(requester), to=S.APPROVED, requester=requester, reviewer=reviewer)
        screen_request(request=pr, actor=None, alert=True, reason="re-screening")
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(reverse("dashboard"))


# --- decisions made before the gates -------------------------------------------------------------


def test_a_decision_made_before_the_gates_is_marked_on_the_page(client, requester, reviewer, head):
    pr = advance(make_request(requester), to=S.APPROVED, requester=requester, reviewer=reviewer)
    assert "decided before decision gates were enforced" not in page(client, reviewer, pr)
    Decision.objects.filter(request=pr).update(gates_enforced=False)
    body = page(client, reviewer, pr)
    assert "Decided before decision gates were enforced</span>" in body.split("</h1>")[1][:800]
    assert "decided before decision gates were enforced</span>" in section(body, "review-heading")


# --- roles in the navigation --------------------------------------------------------------------


def test_the_account_menu_lists_the_users_role_assignments(client, head, make_user, history):
    from tests.conftest import grant_role

    grant_role(head, Role.REQUESTER, history)
    client.force_login(head)
    body = client.get(reverse("dashboard")).content.decode()
    menu = body.split("Your roles")[1].split("Change password")[0]
    assert "Head of department, Department of Engineering" in menu
    assert "Requester, School of History" in menu


def test_a_user_without_assignments_is_told_so(client, make_user, engineering):
    user = make_user("nobody", None, engineering)  # a profile department alone grants nothing
    client.force_login(user)
    body = client.get(reverse("dashboard")).content.decode()
    assert "No role assigned: ask an administrator." in body


def test_an_approver_decides_with_a_condition_through_the_page_on_a_route_without_sign_off(
    client, requester, reviewer, approver
):
    pr = advance(
        make_request(requester),
        to=S.RECOMMENDED,
        requester=requester,
        reviewer=reviewer,
        tier="high",
    )
    due = (timezone.localdate() + timedelta(days=30)).isoformat()
    client.force_login(approver)
    response = client.post(
        action_url(pr, "decide"),
        {
            "decide-outcome": "approved_with_conditions",
            "decide-reasoning": "Agreed by the committee.",
            "decide-condition_text": "Data management plan",
            "decide-condition_owner": str(requester.pk),
            "decide-condition_due_date": due,
        },
    )
    assert response.status_code == 302
    pr.refresh_from_db()
    assert pr.status == S.APPROVED_WITH_CONDITIONS
    assert pr.conditions.get().owner == requester


def test_a_superuser_is_told_they_hold_every_role(client, admin_user):
    client.force_login(admin_user)
    body = client.get(reverse("dashboard")).content.decode()
    assert "Superuser (every role)" in body.split("Your roles")[1].split("Change password")[0]
