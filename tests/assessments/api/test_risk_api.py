"""The two-axis risk model over the API: the intake answers (checked by the same
request_facts_validate as the web form) and an assessment's matrix cell, levels and controls."""

import json

from assessments import workflow
from assessments.checklists import AnswerInput, checklist_answers_save
from assessments.scoring.assessing import request_assess
from tests.assessments.request_factories import ensure_checklist_and_policy, make_request

from .test_requests_api import payload

API = "/api/v1/requests/"


def _api_post(client, headers, **fields):
    return client.post(
        API, json.dumps(payload(**fields)), content_type="application/json", headers=headers
    )


def test_the_api_takes_the_intake_answers_and_refuses_bad_ones_with_a_400(
    client, requester, bearer
):
    headers = bearer(requester)
    refused = _api_post(client, headers, research_kind="applied", technology_readiness="basic")
    assert refused.status_code == 400
    assert refused.json()["fields"]["technology_readiness"] == [
        "Applied research has a technology readiness level: choose one from 1 to 9."
    ]
    too_much = _api_post(client, headers, largest_foreign_funding_share=150)
    assert too_much.status_code == 400
    assert "largest_foreign_funding_share" in too_much.json()["fields"]
    created = _api_post(
        client,
        headers,
        research_kind="basic",
        technology_readiness="basic",
        largest_foreign_funding_share=30,
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["research_kind"], body["technology_readiness"]) == ("basic", "basic")
    assert body["largest_foreign_funding_share"] == 30


def test_an_assessment_shows_its_cell_levels_and_controls(client, requester, reviewer, bearer):
    ensure_checklist_and_policy()
    pr = make_request(requester, export_controlled=True)
    workflow.request_submit(actor=requester, request=pr)
    workflow.request_take_into_review(actor=reviewer, request=pr)
    checklist_answers_save(
        request=pr,
        actor=reviewer,
        answers=[AnswerInput("CT-01", "met", evidence_notes="Technology-control plan, v1.")],
    )
    assessment = request_assess(request=pr, actor=reviewer, confirmed_matches=[])
    body = client.get(
        f"{API}{pr.reference}/assessments/{assessment.pk}/", headers=bearer(reviewer)
    ).json()
    assert (body["tier"], body["outcome"]) == ("high", "mitigation_required")
    assert body["inherent"] is None and body["residual"] is None
    assert body["summary"].startswith("Sensitivity medium (export-controlled technology;")
    assert body["matrix"] == {
        "sensitivity": "medium",
        "sensitivity_before_controls": "high",
        "partner": "high",
        "partner_before_controls": "high",
        "cell_tier": "high",
        "cell_tier_before_controls": "very_high",
        "outcome_label": "Mitigation required",
    }
    export = next(f for f in body["factors"] if f["code"] == "export_control")
    assert (export["axis"], export["level"], export["lowered_to"], export["points"]) == (
        "sensitivity",
        "high",
        "medium",
        None,
    )
    assert export["lowered_by"] == ["CT-01"]
    controls = {c["ref_id"]: c for c in body["controls"]}
    assert controls["CT-01"]["lowered"] == ["export_control"]
    assert controls["CT-08"]["lowered"] == []  # the partner is in China; not answered
