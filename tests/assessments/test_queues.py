from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from assessments import workflow
from assessments.models import Condition, RequestStatus
from assessments.queues import dashboard_panels

from .request_factories import advance, give_sign_offs, make_request

S = RequestStatus


def panel(user, key):
    return next((p for p in dashboard_panels(user) if p.key == key), None)


def test_a_reviewers_queue_holds_submitted_requests_and_those_they_review(
    requester, reviewer, second_reviewer
):
    submitted = advance(make_request(requester), to=S.SUBMITTED, requester=requester, reviewer=None)
    mine = advance(
        make_request(requester), to=S.UNDER_REVIEW, requester=requester, reviewer=reviewer
    )
    theirs = advance(
        make_request(requester), to=S.UNDER_REVIEW, requester=requester, reviewer=second_reviewer
    )
    make_request(requester)  # a draft is nobody's work yet
    queue = panel(reviewer, "my_queue")
    assert {r.pk for r in queue.requests} == {submitted.pk, mine.pk}
    assert theirs.pk not in {r.pk for r in queue.requests}
    assert queue.total == 2


def test_awaiting_decision_shows_each_role_the_tiers_it_may_decide(requester, reviewer, approver):
    low = advance(make_request(requester), to=S.RECOMMENDED, requester=requester, reviewer=reviewer)
    high = advance(
        make_request(requester),
        to=S.RECOMMENDED,
        requester=requester,
        reviewer=reviewer,
        tier="high",
    )
    assert [r.pk for r in panel(reviewer, "awaiting_decision").requests] == [low.pk]
    assert [r.pk for r in panel(approver, "awaiting_decision").requests] == [high.pk]


def test_overdue_conditions_and_reviews_due_appear_for_the_central_office(requester, reviewer):
    today = timezone.localdate()
    pr = advance(make_request(requester), to=S.RECOMMENDED, requester=requester, reviewer=reviewer)
    workflow.request_decide(
        actor=reviewer,
        request=pr,
        outcome=S.APPROVED_WITH_CONDITIONS,
        reasoning="Ok",
        conditions=[workflow.ConditionInput(text="Data plan", due_date=today + timedelta(days=1))],
        next_review_date=today + timedelta(days=20),
    )
    give_sign_offs(pr)  # a low tier decision holds once the head of department signs off
    assert panel(reviewer, "overdue_conditions").total == 0
    Condition.objects.update(due_date=today - timedelta(days=1))
    assert [c.text for c in panel(reviewer, "overdue_conditions").conditions] == ["Data plan"]
    assert [r.pk for r in panel(reviewer, "reviews_due").requests] == [pr.pk]


def test_a_requester_sees_their_departments_requests_and_no_review_queues(
    requester, other_requester
):
    mine = make_request(requester)
    make_request(other_requester)
    panels = {p.key: p for p in dashboard_panels(requester)}
    assert [r.pk for r in panels["department_requests"].requests] == [mine.pk]
    assert "my_queue" not in panels and "awaiting_decision" not in panels


def test_the_dashboard_page_shows_the_panels(client, requester, reviewer):
    pr = advance(make_request(requester), to=S.SUBMITTED, requester=requester, reviewer=None)
    client.force_login(reviewer)
    body = client.get(reverse("dashboard")).content.decode()
    assert "My queue" in body
    assert pr.reference in body


def test_the_decision_queue_is_the_workflows_own_rule(requester, reviewer, approver, make_user):
    # The queue is a query and the workflow checks one request at a time: they must agree, for
    # every role, tier, segregation of duties and four eyes.
    from assessments.workflow.rules import _decide_refusal
    from ukcn.roles import Role

    from .request_factories import add_role

    dual = add_role(
        add_role(make_user("dual", Role.REVIEWER), Role.APPROVER),
        Role.REQUESTER,
        requester.profile.department,
    )
    requests = [
        advance(
            make_request(requester), to=S.RECOMMENDED, requester=requester, reviewer=rev, tier=t
        )
        for t in ("low", "medium", "high", "very_high")
        for rev in (reviewer, dual)
    ]
    requests.append(
        advance(make_request(dual), to=S.RECOMMENDED, requester=dual, reviewer=reviewer)
    )
    for user in (reviewer, approver, dual, requester):
        panels = {p.key: p for p in dashboard_panels(user)}
        queued = (
            {r.pk for r in panels["awaiting_decision"].requests}
            if "awaiting_decision" in panels
            else set()
        )
        allowed = {r.pk for r in requests if _decide_refusal(user, r) is None}
        if user is approver:
            allowed = {
                r.pk for r in requests if r.pk in allowed and r.tier in ("high", "very_high")
            }
        assert queued == allowed, user


def test_a_policy_whose_medium_route_an_approver_decides_moves_the_queue(
    requester, reviewer, approver
):
    import copy

    from assessments.models import ScoringPolicy
    from assessments.scoring.versions import scoring_policy_publish
    from assessments.workflow.rules import decider_role

    from .request_factories import ensure_checklist_and_policy

    ensure_checklist_and_policy()
    data = copy.deepcopy(ScoringPolicy.objects.get(is_active=True).data)
    data.setdefault("routes", {}).setdefault("medium", {})["decided_by"] = "approver"
    data["routes"]["medium"].setdefault("sign_offs", [])
    scoring_policy_publish(data=data, actor=None, source="test")
    medium = advance(
        make_request(requester),
        to=S.RECOMMENDED,
        requester=requester,
        reviewer=reviewer,
        tier="medium",
    )
    assert decider_role(medium) == "approver"
    assert medium.pk not in {r.pk for r in panel(reviewer, "awaiting_decision").requests}
    assert medium.pk in {r.pk for r in panel(approver, "awaiting_decision").requests}


def test_a_requester_who_owns_a_condition_finds_it_in_their_queue(client, requester, reviewer):
    today = timezone.localdate()
    pr = advance(make_request(requester), to=S.RECOMMENDED, requester=requester, reviewer=reviewer)
    workflow.request_decide(
        actor=reviewer,
        request=pr,
        outcome=S.APPROVED_WITH_CONDITIONS,
        reasoning="Ok",
        conditions=[
            workflow.ConditionInput(
                text="Data plan", due_date=today + timedelta(days=30), owner=requester
            )
        ],
    )
    give_sign_offs(pr)
    assert [c.text for c in panel(requester, "my_conditions").conditions] == ["Data plan"]
    assert panel(reviewer, "my_conditions") is None  # owns none
    Condition.objects.update(status=Condition.Status.MET)
    assert panel(requester, "my_conditions") is None


def test_showing_the_first_ten_links_to_the_whole_queue_as_a_list(client, requester, reviewer):
    for _ in range(11):
        advance(make_request(requester), to=S.SUBMITTED, requester=requester, reviewer=None)
    make_request(requester)  # a draft: not in the queue
    client.force_login(reviewer)
    body = client.get("/").content.decode()
    assert "Showing the first 10 of 11" in body
    assert 'href="/requests/?queue=my_queue">see all 11</a>' in body
    listed = client.get("/requests/?queue=my_queue")
    assert listed.context["page"].paginator.count == 11
    assert "Your queue: <strong>My queue</strong>" in listed.content.decode()
    everything = client.get("/requests/?queue=not_mine")
    assert everything.context["page"].paginator.count == 12
    assert "You have no such queue" in everything.content.decode()
