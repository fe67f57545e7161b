"""The load_checklist command: idempotent, versioned, and all-or-nothing on a bad file."""

import io
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from assessments.checklists import CHECKLIST_FILE
from assessments.models import AuditEvent, ChecklistItem, ChecklistVersion, ScoringPolicy
from assessments.policies import POLICY_FILE


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


def test_it_loads_the_fourteen_good_practices_in_three_groups(db):
    output = run()
    assert "14 created" in output
    assert ChecklistItem.objects.count() == 14
    assert set(ChecklistItem.objects.values_list("group", flat=True)) == {
        "connections",
        "mitigation",
        "knowledge",
    }
    assert ChecklistItem.objects.filter(group="mitigation").count() == 6
    version = ChecklistVersion.objects.get()
    assert [item["ref_id"] for item in version.items] == [f"GP-{n:02d}" for n in range(1, 15)]
    assert ScoringPolicy.objects.get().is_active


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
    output = run(checklist=edited_checklist(tmp_path, lambda items: items.pop()))
    assert "1 retired" in output
    assert not ChecklistItem.objects.get(ref_id="GP-14").is_active
    assert len(ChecklistVersion.objects.get(number=2).items) == 13


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
    policy["thresholds"]["high"] = 10
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(policy))
    with pytest.raises(CommandError, match=r"high \(10\) must be above medium \(15\)"):
        run(policy=path)
    assert counts() == (0, 0, 0, 0, 0)


def test_a_missing_file_is_a_one_line_error(db, tmp_path):
    with pytest.raises(CommandError, match=r"Cannot read .*nowhere\.yaml"):
        run(checklist=tmp_path / "nowhere.yaml")


def test_loading_is_audited(db):
    run()
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert actions == ["checklist.version_created", "scoring_policy.published"]
