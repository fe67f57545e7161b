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
    return {"name": policy.name, "note": note, "data": json.dumps(data)}


def test_editing_the_policy_publishes_a_new_active_version_and_keeps_the_old(admin_client):
    policy = ScoringPolicy.objects.get()
    data = policy.data
    data["thresholds"]["medium"] = 18
    response = admin_client.post(
        f"/admin/assessments/scoringpolicy/{policy.pk}/change/", policy_form(policy, data)
    )
    assert response.status_code == 302
    old, new = ScoringPolicy.objects.order_by("number")
    assert (old.is_active, new.is_active) == (False, True)
    assert old.data["thresholds"]["medium"] == 15
    assert new.data["thresholds"]["medium"] == 18
    assert new.note == "Raise the medium threshold"
    assert new.created_by.username == "admin"
    assert AuditEvent.objects.filter(action="scoring_policy.published").count() == 2


def test_the_policy_history_shows_each_change(admin_client):
    policy = ScoringPolicy.objects.get()
    data = policy.data
    data["weights"]["dual_use"] = 14
    admin_client.post(
        f"/admin/assessments/scoringpolicy/{policy.pk}/change/", policy_form(policy, data)
    )
    assert ScoringPolicy.history.count() == 3  # created, deactivated, new version created
    response = admin_client.get(f"/admin/assessments/scoringpolicy/{policy.pk}/history/")
    assert response.status_code == 200
    assert b"admin" in response.content


def test_overlapping_thresholds_are_refused_with_a_clear_message(admin_client):
    policy = ScoringPolicy.objects.get()
    data = policy.data
    data["thresholds"]["very_high"] = data["thresholds"]["high"]
    response = admin_client.post(
        f"/admin/assessments/scoringpolicy/{policy.pk}/change/", policy_form(policy, data)
    )
    assert response.status_code == 200
    assert (
        "thresholds must increase: very_high (30) must be above high (30), or the tiers "
        "would overlap." in response.content.decode()
    )
    assert ScoringPolicy.objects.count() == 1


def test_an_unknown_sector_code_is_refused(admin_client):
    policy = ScoringPolicy.objects.get()
    data = policy.data
    data["weights"]["nsi_sector"]["by_sector"]["time-travel"] = 50
    response = admin_client.post(
        f"/admin/assessments/scoringpolicy/{policy.pk}/change/", policy_form(policy, data)
    )
    assert "time-travel is not a sector code" in response.content.decode()
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
    data["weights"]["lab_access"] = 9
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
