"""Random sequences of review actions by random people never decide a request on unfinished
checks, by the wrong person, or without the sign-offs its route requires.

Each example is a list of actions (submit, take into review, screen, a new list version,
confirm or dismiss a match, answer or clear checklist items, assess, set the tier, recommend,
decide, sign off, refuse a sign-off, edit, reopen, and "progress": the next useful step for the
request's state) by people from a fixed cast, over two requests: one with an ordinary partner
and one whose partner is on a watchlist. Refusals are expected; after every step the
invariants below must hold. Every example runs in a savepoint rolled back at its end.
"""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessments import workflow
from assessments.checklists import (
    AnswerInput,
    checklist_answers_save,
    checklist_version_for_request,
)
from assessments.gates import assessment_changed_inputs, latest_assessment
from assessments.models import (
    Decision,
    MatchStatus,
    Organisation,
    PartnershipRequest,
    RequestStatus,
    ScreeningMatch,
    SignOff,
    Watchlist,
)
from assessments.models.requests import DECIDED_STATUSES
from assessments.routes import route_for
from assessments.scoring.assessing import request_assess_by
from assessments.screening import service as screening
from assessments.screening.service import match_confirm, match_dismiss, screen_request
from assessments.workflow import ConditionInput
from assessments.workflow.rules import HIGH_TIERS, request_policy_data
from tests.conftest import grant_role
from ukcn.models import Profile
from ukcn.refusals import Refusal
from ukcn.roles import DEPARTMENTAL_ROLES, Role, has_department_role, has_role

from .request_factories import ensure_checklist_and_policy, facts
from .screening.conftest import make_version

S = RequestStatus
CAST = (
    "requester",
    "reviewer1",
    "reviewer2",
    "approver1",
    "approver2",
    "head",
    "senior",
    "everything",  # requester + reviewer + approver for the same department
    "superuser",
)
BEIHANG = {
    "id": "beihang",
    "name": "Beihang University",
    "aliases": ["BUAA", "北京航空航天大学"],
    "country": "CN",
    "risk_level": "very_high",
    "categories": ["Seven Sons of National Defence"],
}
OUTCOMES = (S.APPROVED, S.APPROVED_WITH_CONDITIONS, S.DECLINED)
TIERS = ("low", "medium", "high", "very_high")
ACTIONS = (
    # "progress" is listed several times so that sequences get far enough to be decided.
    *["progress"] * 16,
    "submit",
    "take",
    "screen",
    "list_update",
    "confirm",
    "dismiss",
    "answer_all",
    "answer_some",
    "clear_answer",
    "assess",
    "set_tier",
    "recommend",
    "decide",
    "sign_off",
    "refuse_sign_off",
    "edit",
    "reopen",
)
EXPECTED = (Refusal,)  # the one error every service refuses with
INVARIANTS = settings(
    max_examples=15,
    deadline=None,
    derandomize=True,  # the same examples every run: `make test` stays reproducible
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

steps = st.lists(
    st.tuples(
        st.sampled_from(ACTIONS),
        st.integers(0, len(CAST) - 1),
        st.integers(0, 1),
        st.integers(0, 3),
    ),
    min_size=25,
    max_size=40,
)


class World:
    """The cast, the two requests and what the invariants need remembered between steps."""

    def __init__(self, department):
        users = get_user_model().objects
        self.people = {}
        for name in CAST:
            if name == "superuser":
                user = users.create_superuser(username="root", password="x", email="r@x.ac.uk")
            else:
                user = users.create_user(username=name, password="x", email=f"{name}@x.ac.uk")
            Profile.objects.create(user=user, department=department)
            self.people[name] = user
        for name, role in [
            ("requester", Role.REQUESTER),
            ("reviewer1", Role.REVIEWER),
            ("reviewer2", Role.REVIEWER),
            ("approver1", Role.APPROVER),
            ("approver2", Role.APPROVER),
            ("head", Role.HEAD_OF_DEPARTMENT),
            ("senior", Role.SENIOR_OFFICER),
            ("everything", Role.REQUESTER),
            ("everything", Role.REVIEWER),
            ("everything", Role.APPROVER),
        ]:
            grant_role(self.people[name], role, department if role in DEPARTMENTAL_ROLES else None)
        tsinghua = Organisation.objects.create(name="Tsinghua University", country="CN")
        beihang = Organisation.objects.create(name="Beihang University", country="CN")
        self.requests = [
            workflow.request_create(
                actor=self.people["requester"],
                facts=facts(partners=[workflow.PartnerInput(tsinghua, "Co-lead")]),
            ),
            workflow.request_create(
                actor=self.people["everything"],
                facts=facts(partners=[workflow.PartnerInput(beihang, "Co-lead")]),
            ),
        ]
        self.ever_high = set()
        self.decisions_seen = set()
        self.list_number = 1
        self.edits = 0

    def user(self, index):
        user = self.people[CAST[index]]
        user.__dict__.pop("_ukcn_assignments", None)
        return user


# --- the actions ------------------------------------------------------------------------------


def _answers(request, value, only=None):
    version = checklist_version_for_request(request)
    return [
        AnswerInput(
            item["ref_id"],
            value,
            evidence_notes="Seen the agreement." if value in ("met", "partly_met") else "",
            explanation="Not in this project." if value == "not_applicable" else "",
        )
        for item in version.items
        if only is None or item["ref_id"] in only
    ]


def _potential(request):
    return ScreeningMatch.objects.filter(
        partner__request=request, status=MatchStatus.POTENTIAL
    ).first()


def _decide(world, actor, request, choice):
    outcome = OUTCOMES[choice % 3]
    conditions = []
    if outcome == S.APPROVED_WITH_CONDITIONS:
        due = timezone.localdate() + timedelta(days=60)
        conditions = [ConditionInput(text="Report each year", due_date=due)]
    workflow.request_decide(
        actor=actor, request=request, outcome=outcome, reasoning="Decided.", conditions=conditions
    )


def _edit(world, actor, request, choice):
    world.edits += 1
    partners = [
        workflow.PartnerInput(p.organisation, p.role)
        for p in request.partners.select_related("organisation")
    ]
    overrides = {"partners": partners}
    if choice % 2:
        overrides["funding"] = [
            {"funder_name": f"Funder {world.edits}", "country": "CN", "funder_type": "other"}
        ]
    else:
        overrides["title"] = f"Edited title {world.edits}"
    workflow.request_update(
        actor=actor, request=request, version=request.version, facts=facts(**overrides)
    )


def _list_update(world, actor, request, choice):
    """A new version of the list: Beihang's entry changes (or leaves), so screening is stale."""
    world.list_number += 1
    row = dict(BEIHANG, risk_level=("very_high", "high", "medium", "very_high")[choice])
    rows = [] if choice == 3 else [row]
    make_version(world.watchlist, rows, world.list_number)


# Who "progress" picks for each state (by the drawn person's index): people who might take
# the step, including those segregation of duties must stop (everything, superuser).
PLAUSIBLE = {
    S.DRAFT: ("requester", "everything", "superuser"),
    S.SUBMITTED: ("reviewer1", "reviewer2", "everything", "superuser"),
    S.UNDER_REVIEW: ("reviewer1", "reviewer2", "everything", "superuser", "reviewer1"),
    S.RECOMMENDED: (
        "recommender",
        "reviewer2",
        "approver1",
        "approver2",
        "everything",
        "superuser",
        "recommender",
    ),
    S.AWAITING_SIGN_OFF: ("head", "senior", "approver1", "approver2", "everything", "superuser"),
}


def _plausible(world, request, person):
    name = PLAUSIBLE.get(request.status, CAST)[person % len(PLAUSIBLE.get(request.status, CAST))]
    if name == "recommender":
        latest = request.recommendations.order_by("-id").first()
        user = latest.recommended_by if latest else world.people["reviewer1"]
    else:
        user = world.people[name]
    user.__dict__.pop("_ukcn_assignments", None)
    return user


def _progress(world, person, request, choice):
    """The next useful step for the request's state (or an attempt to skip one), tried by a
    plausible person: the one the step needs, or one segregation of duties must stop."""
    from assessments.gates import open_gates

    actor = _plausible(world, request, person)
    if request.status == S.DRAFT:
        return workflow.request_submit(actor=actor, request=request)
    if request.status == S.SUBMITTED:
        return workflow.request_take_into_review(actor=actor, request=request)
    if request.status == S.UNDER_REVIEW:
        missing = {gate.code for gate in open_gates(request, "recommend")}
        if "screening_current" in missing:
            return screen_request(request=request, actor=actor, alert=True)
        if "screening_resolved" in missing:
            match = _potential(request)
            decide_match = match_confirm if choice == 0 else match_dismiss
            return decide_match(match=match, actor=actor, reason="Checked the address.")
        if "checklist_complete" in missing:
            value = ("met", "met", "not_met", "not_applicable")[choice]
            return checklist_answers_save(
                request=request, actor=actor, answers=_answers(request, value)
            )
        if "assessment_current" in missing:
            return request_assess_by(request=request, actor=actor)
        if choice >= 2 and request.tier not in HIGH_TIERS:
            return workflow.request_set_tier(
                actor=actor, request=request, tier=TIERS[choice], reason="Defence links."
            )
        return workflow.request_recommend(
            actor=actor, request=request, outcome="approve", reasoning="Proportionate."
        )
    if request.status == S.RECOMMENDED:
        if choice == 3 and request.tier in HIGH_TIERS:
            return workflow.request_set_tier(
                actor=actor, request=request, tier="medium", reason="Civil work only."
            )
        stale = any(g.code == "assessment_current" for g in open_gates(request, "decide"))
        if choice == 2 and stale:
            return request_assess_by(request=request, actor=actor)
        return _decide(world, actor, request, choice)
    if request.status == S.AWAITING_SIGN_OFF:
        return workflow.request_sign_off(actor=actor, request=request)
    if request.status in DECIDED_STATUSES and _potential(request):
        return match_dismiss(match=_potential(request), actor=actor, reason="A namesake.")
    return None


def _match(world, actor, request, choice, decide_match):
    match = _potential(request) or ScreeningMatch.objects.filter(partner__request=request).first()
    if match is not None:
        decide_match(match=match, actor=actor, reason="Reviewed.")


ACT = {
    "submit": lambda w, a, r, c: workflow.request_submit(actor=a, request=r),
    "take": lambda w, a, r, c: workflow.request_take_into_review(actor=a, request=r),
    "screen": lambda w, a, r, c: screen_request(request=r, actor=a, alert=True),
    "list_update": _list_update,
    "confirm": lambda w, a, r, c: _match(w, a, r, c, match_confirm),
    "dismiss": lambda w, a, r, c: _match(w, a, r, c, match_dismiss),
    "answer_all": lambda w, a, r, c: checklist_answers_save(
        request=r, actor=a, answers=_answers(r, ("met", "not_met", "unsure", "partly_met")[c])
    ),
    "answer_some": lambda w, a, r, c: checklist_answers_save(
        request=r, actor=a, answers=_answers(r, "met", only={f"GP-0{n}" for n in range(1, c + 3)})
    ),
    "clear_answer": lambda w, a, r, c: checklist_answers_save(
        request=r, actor=a, answers=_answers(r, "", only={f"GP-0{c + 1}"})
    ),
    "assess": lambda w, a, r, c: request_assess_by(request=r, actor=a),
    "set_tier": lambda w, a, r, c: workflow.request_set_tier(
        actor=a, request=r, tier=TIERS[c], reason="On reflection."
    ),
    "recommend": lambda w, a, r, c: workflow.request_recommend(
        actor=a,
        request=r,
        outcome=("approve", "approve_with_conditions", "decline", "approve")[c],
        reasoning="Recommended.",
    ),
    "decide": _decide,
    "sign_off": lambda w, a, r, c: workflow.request_sign_off(actor=a, request=r),
    "refuse_sign_off": lambda w, a, r, c: workflow.request_sign_off_refuse(
        actor=a, request=r, reason="Not convinced." if c else ""
    ),
    "edit": _edit,
    "reopen": lambda w, a, r, c: workflow.request_reopen(actor=a, request=r, reason="Check again."),
}


# --- the invariants -----------------------------------------------------------------------------


def _holds(user, request, role) -> bool:
    if role in DEPARTMENTAL_ROLES:
        return has_department_role(user, request.department_id, role)
    return has_role(user, role)


def check_invariants(world):
    for request in world.requests:
        request = PartnershipRequest.objects.get(pk=request.pk)
        if request.status != S.DRAFT and request.tier in HIGH_TIERS:
            world.ever_high.add(request.pk)
        recommenders = set(request.recommendations.values_list("recommended_by_id", flat=True))
        authors = {request.created_by_id, request.submitted_by_id}
        assert not recommenders & authors, "recommended by whoever registered or submitted it"
        if request.status not in DECIDED_STATUSES:
            continue
        decision = request.decisions.filter(superseded=False).order_by("-id").first()
        assert decision is not None and decision.state == Decision.State.IN_FORCE
        if decision.pk in world.decisions_seen:
            continue  # checked when it took effect; later re-screening may open matches again
        world.decisions_seen.add(decision.pk)
        check_decision(world, request, decision, recommenders, authors)


def check_decision(world, request, decision, recommenders, authors):
    decider = decision.decided_by
    assert decision.outcome == request.status
    assert not ScreeningMatch.objects.filter(
        partner__request=request, status=MatchStatus.POTENTIAL
    ).exists(), "decided with a potential match open"
    items = {item["ref_id"] for item in checklist_version_for_request(request).items}
    answered = set(request.checklist_answers.values_list("ref_id", flat=True))
    assert items <= answered, f"decided with {sorted(items - answered)} unanswered"
    assessment = latest_assessment(request)
    assert assessment is not None, "decided without an assessment"
    assert not assessment_changed_inputs(request, assessment), "decided on a stale assessment"
    assert decider.pk not in authors, "decided by whoever registered or submitted it"
    if request.pk in world.ever_high:
        assert has_role(decider, Role.APPROVER), "a request once high decided without an approver"
        assert decider.pk not in recommenders, "a request once high decided by its recommender"
    route = route_for(request_policy_data(request), decision.tier)
    sign_offs = list(decision.sign_offs.order_by("order"))
    assert [s.role for s in sign_offs] == [step.role for step in route.sign_offs]
    assert all(s.status == SignOff.Status.GIVEN for s in sign_offs), "a sign-off missing"
    signers = [s.signed_by_id for s in sign_offs]
    assert len({decider.pk, *signers}) == len(signers) + 1, "someone gave two sign-offs"
    assert not set(signers) & (authors | recommenders), "signed by an author or recommender"
    for sign_off in sign_offs:
        # The department has a head, so nobody may sign in the head's place.
        assert not sign_off.in_place_of
        assert _holds(sign_off.signed_by, request, sign_off.role)


@pytest.fixture
def world_base(db, engineering):
    ensure_checklist_and_policy()
    watchlist = Watchlist.objects.create(name="Defence tracker", format="aspi", blocking=True)
    make_version(watchlist, [BEIHANG], 1)
    return engineering, watchlist


def test_no_sequence_of_actions_decides_a_request_on_unfinished_checks_or_by_the_wrong_people(
    world_base,
):
    department, watchlist = world_base
    tally = {"decided": 0, "sign_offs": 0}

    @INVARIANTS
    @given(steps)
    def run(actions):
        screening._cache.update(version_ids=None, index=None)
        with transaction.atomic():
            world = World(department)
            world.watchlist = watchlist
            for kind, person, which, choice in actions:
                request = PartnershipRequest.objects.get(pk=world.requests[which].pk)
                try:
                    with transaction.atomic():
                        if kind == "progress":
                            _progress(world, person, request, choice)
                        else:
                            ACT[kind](world, world.user(person), request, choice)
                except EXPECTED:
                    pass
                check_invariants(world)
            tally["decided"] += len(world.decisions_seen)
            tally["sign_offs"] += SignOff.objects.filter(status=SignOff.Status.GIVEN).count()
            transaction.set_rollback(True)
        screening._cache.update(version_ids=None, index=None)

    run()
    # The sequences must reach decisions and sign-offs, or the invariants were never tested.
    assert tally["decided"] >= 5
    assert tally["sign_offs"] >= 2


REGRESSIONS = ("clear_answer", "answer_all", "list_update", "screen", "assess", "set_tier")
CENTRAL = ("reviewer1", "reviewer2", "approver1", "approver2", "everything", "superuser")

endgames = st.tuples(
    st.integers(0, 1),  # which request
    st.sampled_from(("reviewer1", "reviewer2", "everything", "superuser")),  # who recommends
    st.sampled_from(TIERS),  # the tier set before the recommendation
    st.lists(
        st.tuples(st.sampled_from(REGRESSIONS), st.integers(0, len(CAST) - 1), st.integers(0, 3)),
        max_size=3,
    ),
    st.sampled_from((*CENTRAL, "recommender")),  # who decides
    st.integers(0, 3),  # the outcome
    # Who tries to sign off, in turn.
    st.lists(
        st.sampled_from(("head", "senior", "approver1", "approver2", "everything", "superuser")),
        min_size=1,
        max_size=3,
    ),
)


def test_a_recommended_request_is_decided_only_on_current_checks_by_the_right_people(world_base):
    """The end of the review, drawn directly: a finished review recommended at some tier by
    someone, then perhaps a change to what it rests on, then a decision and sign-offs tried by
    anyone. Many more of these examples reach a decision than the free sequences above."""
    from .request_factories import complete_checks

    department, watchlist = world_base
    tally = {"decided": 0, "ever_high": 0}

    @settings(INVARIANTS, max_examples=40)
    @given(endgames)
    def run(endgame):
        which, recommender, tier, regressions, decider, outcome, signers = endgame
        screening._cache.update(version_ids=None, index=None)
        with transaction.atomic():
            world = World(department)
            world.watchlist = watchlist
            request = world.requests[which]
            submitter = world.people["requester"]
            workflow.request_submit(actor=submitter, request=request)
            reviewer = world.people[recommender]
            if reviewer.pk == request.created_by_id:
                reviewer = world.people["reviewer2"]  # its author may not review it
            workflow.request_take_into_review(actor=reviewer, request=request)
            complete_checks(request, reviewer)
            try:
                with transaction.atomic():
                    workflow.request_set_tier(
                        actor=reviewer, request=request, tier=tier, reason="Judgement."
                    )
            except EXPECTED:
                pass
            check_invariants(world)
            workflow.request_recommend(
                actor=reviewer, request=request, outcome="approve", reasoning="Fine."
            )
            for kind, person, choice in regressions:
                request = PartnershipRequest.objects.get(pk=request.pk)
                try:
                    with transaction.atomic():
                        ACT[kind](world, world.user(person), request, choice)
                except EXPECTED:
                    pass
                check_invariants(world)
            deciding = reviewer if decider == "recommender" else world.people[decider]
            deciding.__dict__.pop("_ukcn_assignments", None)
            request = PartnershipRequest.objects.get(pk=request.pk)
            try:
                with transaction.atomic():
                    _decide(world, deciding, request, outcome)
            except EXPECTED:
                pass
            check_invariants(world)
            for person in signers:
                try:
                    with transaction.atomic():
                        workflow.request_sign_off(
                            actor=world.user(CAST.index(person)), request=request
                        )
                except EXPECTED:
                    pass
                check_invariants(world)
            tally["decided"] += len(world.decisions_seen)
            tally["ever_high"] += len(world.decisions_seen) and request.pk in world.ever_high
            transaction.set_rollback(True)
        screening._cache.update(version_ids=None, index=None)

    run()
    assert tally["decided"] >= 5 and tally["ever_high"] >= 2
