"""Assessing a request: facts from the database, a snapshot that never changes, the tier set."""

import pytest

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
from assessments.scoring.assessing import request_assess, request_facts
from assessments.scoring.versions import scoring_policy_active, scoring_policy_publish
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
        research_kind="applied",
        technology_readiness="6",
        largest_foreign_funding_share=40,
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
    assert [(p.name, p.org_type, p.country) for p in facts.partners] == [
        ("Northern Institute of Technology", "military", "CN")
    ]
    # 13 good practices (GP-06 retired) and 8 controls.
    assert len(facts.answers) == 21
    assert all(answer.answer == "" and not answer.evidence for answer in facts.answers)
    # The country context row in force for the partner's country comes with the facts.
    [china] = facts.countries
    assert (china.code, china.name, china.level) == ("CN", "China", "high")
    assert china.source_note.startswith("Starting point for the office to review")
    assert (facts.research_kind, facts.technology_readiness) == ("applied", "6")
    assert facts.largest_foreign_share == 40


def test_assessing_saves_a_snapshot_sets_the_tier_and_audits_it(ai_request, reviewer):
    checklist_answers_save(
        request=ai_request,
        actor=reviewer,
        answers=[AnswerInput("CT-01", "met", evidence_notes="Technology-control plan v2")],
    )
    assessment = request_assess(
        request=ai_request, actor=reviewer, confirmed_matches=[match("high")]
    )
    ai_request.refresh_from_db()
    # Dual use (high) lowered one step by the technology-control plan: sensitivity medium
    # (AI, lab access and TRL 6 are medium too); partner high (match, military partner,
    # China, undisclosed funding); medium x high => high, which is also the match's floor.
    assert ai_request.tier == assessment.tier == "high"
    assert assessment.outcome == "mitigation_required"
    assert assessment.explanation["cell_tier_before_controls"] == "very_high"
    assert assessment.policy == scoring_policy_active()
    assert assessment.checklist_version.number == 1
    assert assessment.watchlist_version_ids == [7]
    assert assessment.floor == "high"
    assert assessment.inherent is assessment.residual is None
    codes = [factor["code"] for factor in assessment.factors]
    assert "watchlist_match" in codes and "funding_undisclosed" in codes
    assert assessment.facts["answers"][13] == {
        "ref_id": "CT-01",
        "weight": 3,
        "answer": "met",
        "evidence": True,
    }
    event = AuditEvent.objects.get(action="request.assessed")
    assert event.request == ai_request
    assert event.changes["tier"] == {"from": "", "to": "high"}
    assert event.changes["policy_version"] == assessment.policy.number
    assert (event.changes["sensitivity"], event.changes["partner"]) == ("medium", "high")
    assert "sensitivity medium" in event.summary.lower()


def test_a_low_risk_request_is_routed_to_department_sign_off(requester, engineering, reviewer):
    load_reference_data()
    request = make_request(created_by=requester, department=engineering)
    assessment = request_assess(request=request, actor=reviewer, confirmed_matches=[])
    assert assessment.tier == "low"
    assert assessment.route_code == "department_sign_off"
    assert assessment.outcome == "no_mitigation_needed"
    assert assessment.explanation["summary"] == (
        "Sensitivity none \u00d7 partner risk low \u21d2 low; no mitigation needed."
    )


def test_changing_the_policy_never_alters_an_existing_assessment(ai_request, reviewer):
    first = request_assess(request=ai_request, actor=reviewer, confirmed_matches=[])
    data = scoring_policy_active().data
    data["partner"]["funding_undisclosed"] = "low"
    data["matrix"] = {s: dict.fromkeys(data["matrix"][s], "low") for s in data["matrix"]}
    scoring_policy_publish(data=data, actor=reviewer, source="test")
    first.refresh_from_db()
    second = request_assess(request=ai_request, actor=reviewer, confirmed_matches=[])
    assert (first.tier, second.tier) == ("very_high", "low")
    assert (first.policy.number, second.policy.number) == (1, 2)
    assert Assessment.objects.filter(request=ai_request).count() == 2
    assert ScoringPolicy.objects.get(number=1).data["partner"]["funding_undisclosed"] == "high"
    assert first.explanation["cell_tier"] == "very_high"


def test_an_assessment_under_the_first_points_policy_stays_as_it_was_made(ai_request, reviewer):
    """Assessments made before the two-axis policy keep their points, and the first policy's
    engine still scores under it (schema 1)."""
    import yaml
    from django.conf import settings

    v1 = yaml.safe_load((settings.BASE_DIR / "assessments/data/scoring_policy_v1.yaml").read_text())
    scoring_policy_publish(data=v1, actor=reviewer, source="test")
    old = request_assess(request=ai_request, actor=reviewer, confirmed_matches=[])
    assert not old.is_matrix
    assert old.residual == old.inherent - old.mitigation > 0
    assert all("points" in factor for factor in old.factor_rows)
    scoring_policy_publish(
        data=ScoringPolicy.objects.get(number=1).data, actor=reviewer, source="test"
    )
    new = request_assess(request=ai_request, actor=reviewer, confirmed_matches=[])
    old.refresh_from_db()
    assert new.is_matrix and not old.is_matrix
    assert old.explanation == {} and old.outcome == ""
    assert new.residual is None and new.outcome


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
