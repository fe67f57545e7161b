"""Assessing a request: facts from the database, a snapshot that never changes, the tier set."""

import pytest

from assessments.assessing import request_assess, request_facts
from assessments.checklists import AnswerInput, checklist_answers_save
from assessments.models import (
    Assessment,
    AuditEvent,
    Discipline,
    FundingSource,
    RequestStatus,
    ScoringPolicy,
    Sector,
)
from assessments.policies import scoring_policy_active, scoring_policy_publish
from ukcn.refusals import Refusal

from .checklist_factories import add_partner, load_reference_data, make_request
from .scoring_data import match


@pytest.fixture
def ai_request(requester, engineering):
    load_reference_data()
    request = make_request(
        created_by=requester,
        department=engineering,
        title="Machine learning for power grids",
        dual_use=True,
        people_exchanged=3,
        lab_access=True,
        status=RequestStatus.UNDER_REVIEW,
    )
    # get_or_create: browser tests flush the tables the data migration filled.
    request.sectors.add(
        Sector.objects.get_or_create(
            code="artificial-intelligence", defaults={"name": "Artificial Intelligence"}
        )[0]
    )
    for code, name, group, exposure in [
        ("economics-business", "Economics & Business", "non_stem", True),
        ("computer-science", "Computer Science", "stem", False),
    ]:
        request.disciplines.add(
            Discipline.objects.get_or_create(
                code=code,
                defaults={"name": name, "group": group, "academic_freedom_exposure": exposure},
            )[0]
        )
    FundingSource.objects.create(
        request=request, funder_name="Provincial Science Fund", funder_type="partner_government"
    )
    FundingSource.objects.create(request=request, funder_type="other", origin_undisclosed=True)
    add_partner(request, "Northern Institute of Technology", "military")
    return request


def test_facts_are_gathered_from_the_request(ai_request):
    facts, version = request_facts(request=ai_request, confirmed_matches=[])
    assert version.number == 1
    assert [s.code for s in facts.sectors] == ["artificial-intelligence"]
    assert facts.dual_use and facts.lab_access and not facts.export_controlled
    assert facts.people_exchanged == 3
    assert facts.academic_freedom_disciplines == ("Economics & Business",)
    assert {(f.funder_type, f.undisclosed) for f in facts.funders} == {
        ("partner_government", False),
        ("other", True),
    }
    assert [(p.name, p.org_type) for p in facts.partners] == [
        ("Northern Institute of Technology", "military")
    ]
    assert len(facts.answers) == 14
    assert all(answer.answer == "" for answer in facts.answers)


def test_assessing_saves_a_snapshot_sets_the_tier_and_audits_it(ai_request, reviewer):
    checklist_answers_save(
        request=ai_request, actor=reviewer, answers=[AnswerInput("GP-06", "met")]
    )
    assessment = request_assess(
        request=ai_request, actor=reviewer, confirmed_matches=[match("high")]
    )
    ai_request.refresh_from_db()
    assert ai_request.tier == assessment.tier == "very_high"
    assert assessment.policy == scoring_policy_active()
    assert assessment.checklist_version.number == 1
    assert assessment.watchlist_version_ids == [7]
    assert assessment.floor == "high"
    assert assessment.residual == assessment.inherent - assessment.mitigation
    codes = [factor["code"] for factor in assessment.factors]
    assert "watchlist_match" in codes and "funding_undisclosed" in codes
    assert assessment.facts["answers"][5] == {"ref_id": "GP-06", "weight": 3, "answer": "met"}
    event = AuditEvent.objects.get(action="request.assessed")
    assert event.request == ai_request
    assert event.changes["tier"] == {"from": "", "to": "very_high"}
    assert event.changes["policy_version"] == assessment.policy.number


def test_a_low_risk_request_is_routed_to_department_sign_off(requester, engineering, reviewer):
    load_reference_data()
    request = make_request(created_by=requester, department=engineering)
    assessment = request_assess(request=request, actor=reviewer, confirmed_matches=[])
    assert assessment.tier == "low"
    assert assessment.route_code == "department_sign_off"
    assert assessment.inherent == 0


def test_changing_the_policy_never_alters_an_existing_assessment(ai_request, reviewer):
    first = request_assess(request=ai_request, actor=reviewer, confirmed_matches=[])
    data = scoring_policy_active().data
    data["weights"]["funding_undisclosed"] = 0
    data["thresholds"] = {"medium": 100, "high": 200, "very_high": 300}
    scoring_policy_publish(data=data, actor=reviewer, source="test")
    first.refresh_from_db()
    second = request_assess(request=ai_request, actor=reviewer, confirmed_matches=[])
    assert first.tier != second.tier
    assert (first.policy.number, second.policy.number) == (1, 2)
    assert Assessment.objects.filter(request=ai_request).count() == 2
    assert ScoringPolicy.objects.get(number=1).data["weights"]["funding_undisclosed"] == 15


def test_an_assessment_cannot_be_changed_after_it_is_made(ai_request, reviewer):
    assessment = request_assess(request=ai_request, actor=reviewer, confirmed_matches=[])
    assessment.tier = "low"
    with pytest.raises(ValueError, match="never changes"):
        assessment.save()


def test_assessing_without_an_active_policy_says_what_is_missing(requester, engineering, reviewer):
    request = make_request(created_by=requester, department=engineering)
    with pytest.raises(Refusal, match="load_checklist"):
        request_assess(request=request, actor=reviewer, confirmed_matches=[])
    assert not Assessment.objects.exists()
