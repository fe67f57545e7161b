"""The admin: the policy and the checklist are editable with history; bad policies are refused."""

import json

import pytest

from assessments.admin.checklist import ChecklistItemAdmin
from assessments.models import AuditEvent, ChecklistItem, ChecklistVersion, ScoringPolicy

from .checklist_factories import load_reference_data


@pytest.fixture
def admin_client(client, admin_user):
    load_reference_data()
    client.force_login(admin_user)
    return client


def policy_form(policy: ScoringPolicy, data: dict, note="Raise the medium threshold") -> dict:
    # The matrix grid posts the cells as shown (the policy's own), as a browser would.
    grid = {
        f"matrix__{sensitivity}__{partner}": tier
        for sensitivity, row in policy.data.get("matrix", {}).items()
        for partner, tier in row.items()
    }
    return {"name": policy.name, "note": note, "data": json.dumps(data), **grid}


def test_editing_the_policy_publishes_a_new_active_version_and_keeps_the_old(admin_client):
    policy = ScoringPolicy.objects.get()
    data = policy.data
    data["matrix"]["high"]["low"] = "high"
    response = admin_client.post(
        f"/admin/assessments/scoringpolicy/{policy.pk}/change/", policy_form(policy, data)
    )
    assert response.status_code == 302
    old, new = ScoringPolicy.objects.order_by("number")
    assert (old.is_active, new.is_active) == (False, True)
    assert old.data["matrix"]["high"]["low"] == "medium"
    assert new.data["matrix"]["high"]["low"] == "high"
    assert new.note == "Raise the medium threshold"
    assert new.created_by.username == "admin"
    assert AuditEvent.objects.filter(action="scoring_policy.published").count() == 2


def test_the_policy_history_shows_each_change(admin_client):
    policy = ScoringPolicy.objects.get()
    data = policy.data
    data["sensitivity"]["dual_use"] = "medium"
    admin_client.post(
        f"/admin/assessments/scoringpolicy/{policy.pk}/change/", policy_form(policy, data)
    )
    assert ScoringPolicy.history.count() == 3  # created, deactivated, new version created
    response = admin_client.get(f"/admin/assessments/scoringpolicy/{policy.pk}/history/")
    assert response.status_code == 200
    assert b"admin" in response.content


def test_a_matrix_that_falls_as_risk_rises_is_refused_with_a_clear_message(admin_client):
    policy = ScoringPolicy.objects.get()
    data = policy.data
    data["matrix"]["medium"]["very_high"] = "low"
    response = admin_client.post(
        f"/admin/assessments/scoringpolicy/{policy.pk}/change/", policy_form(policy, data)
    )
    assert response.status_code == 200
    assert (
        "matrix: medium \u00d7 very_high gives low, lower than the less risky low \u00d7 "
        "very_high (high)" in response.content.decode()
    )
    assert ScoringPolicy.objects.count() == 1


def test_the_matrix_grid_edits_a_cell_as_a_new_version(admin_client):
    policy = ScoringPolicy.objects.get()
    form = policy_form(policy, policy.data, note="Committee for medium data risk in high places")
    form["matrix__medium__high"] = "very_high"
    response = admin_client.post(f"/admin/assessments/scoringpolicy/{policy.pk}/change/", form)
    assert response.status_code == 302
    new = ScoringPolicy.objects.get(is_active=True)
    assert new.number == 2
    assert new.data["matrix"]["medium"]["high"] == "very_high"
    assert ScoringPolicy.objects.get(number=1).data["matrix"]["medium"]["high"] == "high"
    page = admin_client.get(f"/admin/assessments/scoringpolicy/{new.pk}/change/").content
    assert b'<option value="very_high" selected>' in page


def test_a_grid_edit_the_matrix_rules_refuse_changes_nothing(admin_client):
    policy = ScoringPolicy.objects.get()
    form = policy_form(policy, policy.data)
    form["matrix__high__very_high"] = "low"
    response = admin_client.post(f"/admin/assessments/scoringpolicy/{policy.pk}/change/", form)
    assert response.status_code == 200
    assert "the matrix must not fall as risk rises" in response.content.decode()
    assert ScoringPolicy.objects.count() == 1


def test_an_unknown_sector_code_is_refused(admin_client):
    policy = ScoringPolicy.objects.get()
    data = policy.data
    data["sensitivity"]["nsi_sector"]["by_sector"]["time-travel"] = "high"
    response = admin_client.post(
        f"/admin/assessments/scoringpolicy/{policy.pk}/change/", policy_form(policy, data)
    )
    assert (
        "sensitivity.nsi_sector.by_sector: time-travel is not a sector code"
        in response.content.decode()
    )
    assert ScoringPolicy.objects.count() == 1


def test_text_that_is_not_json_is_refused(admin_client):
    policy = ScoringPolicy.objects.get()
    response = admin_client.post(
        f"/admin/assessments/scoringpolicy/{policy.pk}/change/",
        {"name": policy.name, "note": "", "data": "{thresholds: oops"},
    )
    assert response.status_code == 200
    assert "Enter a valid JSON" in response.content.decode()
    assert ScoringPolicy.objects.count() == 1


def test_adding_a_policy_starts_from_the_active_one(admin_client):
    response = admin_client.get("/admin/assessments/scoringpolicy/add/")
    assert "department_sign_off" in response.content.decode()


def test_an_older_version_can_be_made_active_again_as_a_new_version(admin_client):
    first = ScoringPolicy.objects.get()
    data = first.data
    data["sensitivity"]["lab_access"] = "high"
    admin_client.post(
        f"/admin/assessments/scoringpolicy/{first.pk}/change/", policy_form(first, data)
    )
    admin_client.post(
        "/admin/assessments/scoringpolicy/",
        {"action": "make_active_again", "_selected_action": [first.pk]},
    )
    active = ScoringPolicy.objects.get(is_active=True)
    assert active.number == 3
    assert active.data == ScoringPolicy.objects.get(number=1).data


def test_policies_cannot_be_deleted(admin_client):
    policy = ScoringPolicy.objects.get()
    response = admin_client.post(
        f"/admin/assessments/scoringpolicy/{policy.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 403
    assert ScoringPolicy.objects.exists()


def test_editing_a_checklist_item_keeps_history_and_freezes_a_new_version(admin_client):
    item = ChecklistItem.objects.get(ref_id="GP-04")
    response = admin_client.post(
        f"/admin/assessments/checklistitem/{item.pk}/change/",
        {
            "group": item.group,
            "question": "Can someone on the team work in the partner's language?",
            "help_text": item.help_text,
            "weight": 2,
            "evidence_required": "on",
            "order": item.order,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.weight == 2 and item.evidence_required
    assert item.history.count() == 2
    assert item.history.first().history_user.username == "admin"
    latest = ChecklistVersion.objects.get(number=2)
    gp04 = next(i for i in latest.items if i["ref_id"] == "GP-04")
    assert gp04["weight"] == 2
    old = next(i for i in ChecklistVersion.objects.get(number=1).items if i["ref_id"] == "GP-04")
    assert old["weight"] == 1
    assert AuditEvent.objects.filter(action="checklist.item_changed").exists()
    history = admin_client.get(f"/admin/assessments/checklistitem/{item.pk}/history/")
    assert history.status_code == 200


def test_the_checklist_item_admin_searches_by_reference_and_question(admin_client):
    assert ChecklistItemAdmin.search_fields == ["ref_id", "question"]
    response = admin_client.get("/admin/assessments/checklistitem/?q=translators")
    assert "GP-04" in response.content.decode()
    assert "GP-01" not in response.content.decode()


def test_assessments_are_read_only_in_the_admin(admin_client):
    assert admin_client.get("/admin/assessments/assessment/add/").status_code == 403
