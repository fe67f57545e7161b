"""The load_checklist command: idempotent, versioned, and all-or-nothing on a bad file."""

import io
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from assessments.checklists import CHECKLIST_FILE
from assessments.models import AuditEvent, ChecklistItem, ChecklistVersion, ScoringPolicy
from assessments.scoring.versions import POLICY_FILE


def run(**options) -> str:
    out = io.StringIO()
    call_command("load_checklist", stdout=out, **options)
    return out.getvalue()


def counts():
    return (
        ChecklistItem.objects.count(),
        ChecklistItem.history.count(),
        ChecklistVersion.objects.count(),
        ScoringPolicy.objects.count(),
        AuditEvent.objects.count(),
    )


def edited_checklist(tmp_path: Path, change) -> Path:
    content = yaml.safe_load(CHECKLIST_FILE.read_text())
    change(content["items"])
    path = tmp_path / "checklist.yaml"
    path.write_text(yaml.safe_dump(content, sort_keys=False))
    return path


def test_it_loads_thirteen_good_practices_and_eight_controls_in_four_groups(db):
    output = run()
    assert "21 created" in output
    assert ChecklistItem.objects.count() == 21
    assert set(ChecklistItem.objects.values_list("group", flat=True)) == {
        "connections",
        "mitigation",
        "knowledge",
        "controls",
    }
    # GP-06 ("came through the central process", true of every request) is gone.
    assert ChecklistItem.objects.filter(group="mitigation").count() == 5
    assert ChecklistItem.objects.filter(group="controls").count() == 8
    version = ChecklistVersion.objects.get()
    assert [item["ref_id"] for item in version.items] == [
        *(f"GP-{n:02d}" for n in range(1, 15) if n != 6),
        *(f"CT-{n:02d}" for n in range(1, 9)),
    ]
    policy = ScoringPolicy.objects.get()
    assert policy.is_active and policy.data["schema"] == 2
    # Every control the policy names is a checklist item; GP-13 names the current advisers.
    assert set(policy.data["controls"]) == set(
        ChecklistItem.objects.filter(group="controls").values_list("ref_id", flat=True)
    )
    advisers = ChecklistItem.objects.get(ref_id="GP-13").question
    assert all(name in advisers for name in ("RCAT", "ECJU", "ISU"))


def test_loading_over_the_first_policy_publishes_new_versions_and_retires_gp_06(db, tmp_path):
    from django.conf import settings

    first = yaml.safe_load(CHECKLIST_FILE.read_text())
    first["items"] = [i for i in first["items"] if i["group"] != "controls"]
    first["items"].insert(5, {"ref_id": "GP-06", "group": "mitigation", "question": "Central?"})
    old_checklist = tmp_path / "checklist_v1.yaml"
    old_checklist.write_text(yaml.safe_dump(first, sort_keys=False))
    v1_policy = Path(settings.BASE_DIR) / "assessments" / "data" / "scoring_policy_v1.yaml"
    run(checklist=old_checklist, policy=v1_policy)
    assert ScoringPolicy.objects.get(is_active=True).data.get("schema", 1) == 1

    output = run()
    assert "8 created" in output and "1 retired" in output and "version 2" in output
    assert "Scoring policy: version 2 is now active." in output
    assert not ChecklistItem.objects.get(ref_id="GP-06").is_active
    assert ScoringPolicy.objects.get(number=1).data["weights"]["export_control"] == 15
    assert ChecklistVersion.objects.get(number=1).items[5]["ref_id"] == "GP-06"


def test_a_policy_naming_a_control_the_checklist_lacks_is_refused(db, tmp_path):
    path = edited_checklist(
        tmp_path, lambda items: items.remove(next(i for i in items if i["ref_id"] == "CT-03"))
    )
    with pytest.raises(CommandError, match="the policy's controls CT-03 are not items in use"):
        run(checklist=path)
    assert counts() == (0, 0, 0, 0, 0)


def test_running_it_again_changes_nothing(db):
    run()
    before = counts()
    output = run()
    assert counts() == before
    assert "Checklist: file unchanged" in output
    assert "Scoring policy: file unchanged" in output


def test_a_changed_file_makes_a_new_checklist_version(db, tmp_path):
    run()

    def reword(items):
        items[0]["question"] = "Has the team built trust with the partner over time?"

    output = run(checklist=edited_checklist(tmp_path, reword))
    assert "0 created, 1 updated, 0 retired; version 2." in output
    assert ChecklistVersion.objects.count() == 2
    assert ChecklistItem.objects.get(ref_id="GP-01").question.startswith("Has the team built")
    old = ChecklistVersion.objects.get(number=1)
    assert old.items[0]["question"].startswith("Does the team have a working relationship")
    assert ChecklistItem.history.filter(ref_id="GP-01").count() == 2


def test_an_item_dropped_from_the_file_is_retired_not_deleted(db, tmp_path):
    run()

    def drop_gp_14(items):
        items.remove(next(item for item in items if item["ref_id"] == "GP-14"))

    output = run(checklist=edited_checklist(tmp_path, drop_gp_14))
    assert "1 retired" in output
    assert not ChecklistItem.objects.get(ref_id="GP-14").is_active
    assert len(ChecklistVersion.objects.get(number=2).items) == 20


def test_admin_edits_stand_when_the_unchanged_file_is_loaded_again(db):
    run()
    item = ChecklistItem.objects.get(ref_id="GP-03")
    item.weight = 4
    item.save()
    run()
    assert ChecklistItem.objects.get(ref_id="GP-03").weight == 4


def test_a_bad_checklist_file_is_refused_and_changes_nothing(db, tmp_path):
    run()
    before = counts()

    def break_it(items):
        items[2]["weight"] = 9

    with pytest.raises(CommandError, match=r"item 3 \(GP-03\): weight must be a whole number"):
        run(checklist=edited_checklist(tmp_path, break_it))
    assert counts() == before


def test_a_duplicate_ref_id_is_refused(db, tmp_path):
    def duplicate(items):
        items[1]["ref_id"] = "GP-01"

    with pytest.raises(CommandError, match="GP-01 appears more than once"):
        run(checklist=edited_checklist(tmp_path, duplicate))
    assert ChecklistItem.objects.count() == 0


def test_a_bad_policy_file_leaves_the_checklist_untouched_too(db, tmp_path):
    policy = yaml.safe_load(POLICY_FILE.read_text())
    policy["matrix"]["medium"]["low"] = "very_high"
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(policy))
    with pytest.raises(CommandError, match=r"the matrix must not fall as risk rises"):
        run(policy=path)
    assert counts() == (0, 0, 0, 0, 0)


def test_a_missing_file_is_a_one_line_error(db, tmp_path):
    with pytest.raises(CommandError, match=r"Cannot read .*nowhere\.yaml"):
        run(checklist=tmp_path / "nowhere.yaml")


def test_loading_is_audited(db):
    run()
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert actions == ["checklist.version_created", "scoring_policy.published"]
