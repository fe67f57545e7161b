"""Subject-access export, people in portfolio exports (auditors, when asked), the ATAS CSV."""

import io
import json
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from assessments.models import AtasListVersion, AuditEvent
from assessments.people.atas import Outcome, atas_determine
from assessments.people.services import person_add
from tests.assessments.people.conftest import required_row
from tests.assessments.request_factories import make_request


def test_people_export_finds_one_person_across_requests_and_is_audited(requester, student):
    other = make_request(requester, title="Second project")
    person_add(request=other, actor=requester, row=required_row(name="  li wei   李伟"))
    person_add(request=other, actor=requester, row=required_row(name="Someone Else"))
    out = io.StringIO()
    call_command("people_export", "Li Wei 李伟", stdout=out)
    data = json.loads(out.getvalue())
    assert len(data["records"]) == 2
    assert {r["request"] for r in data["records"]} == {student.request.reference, other.reference}
    assert data["records"][0]["atas_determination"]["outcome"] == "required"
    event = AuditEvent.objects.get(action="people.subject_access_export")
    assert "Li Wei" not in event.summary + json.dumps(event.changes, ensure_ascii=False)
    assert len(event.changes["person_ids"]) == 2


def test_people_export_of_an_unknown_name_fails_with_one_line(db):
    with pytest.raises(CommandError, match="No person record has that name"):
        call_command("people_export", "Nobody")
    assert not AuditEvent.objects.filter(action="people.subject_access_export").exists()


def test_admin_action_exports_and_audits(admin_user, student, client):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:assessments_person_changelist"),
        {"action": "subject_access_export", "_selected_action": [student.pk]},
    )
    assert response.status_code == 200
    assert json.loads(response.content)["records"][0]["name"] == "Li Wei 李伟"
    assert AuditEvent.objects.get(action="people.subject_access_export").actor == admin_user


def test_portfolio_export_includes_people_only_for_an_auditor_who_asks(
    tmp_path, student, auditor, reviewer
):
    out = tmp_path / "export.json"
    call_command("export_audit", "--format", "json", "--out", str(out), stdout=io.StringIO())
    assert not (tmp_path / "export.json.people.json").exists()
    assert "Li Wei" not in out.read_text(encoding="utf-8")
    with pytest.raises(CommandError, match="only an auditor"):
        call_command(
            "export_audit",
            "--format",
            "json",
            "--out",
            str(out),
            "--include-people",
            "--by",
            reviewer.username,
        )
    with pytest.raises(CommandError, match="needs --by"):
        call_command("export_audit", "--format", "csv", "--out", str(out), "--include-people")
    call_command(
        "export_audit",
        "--format",
        "csv",
        "--out",
        str(out),
        "--include-people",
        "--by",
        auditor.username,
        stdout=io.StringIO(),
    )
    people = json.loads((tmp_path / "export.json.people.json").read_text(encoding="utf-8"))
    assert people["people"][0]["name"] == "Li Wei 李伟"
    assert AuditEvent.objects.get(action="export.people").actor == auditor


CSV = "list,code,name\nexempt_nationality,GB,\nexempt_nationality,US,\ncah3,CAH07-01-01,physics\nsoc,2119,\n"


def test_atas_import_loads_a_dated_version_used_from_its_date(tmp_path, db):
    path = tmp_path / "atas.csv"
    path.write_text(CSV, encoding="utf-8")
    call_command(
        "atas_import",
        str(path),
        "--label",
        "HC 999",
        "--effective-from",
        "2026-01-01",
        "--source",
        "test",
        "--complete",
        stdout=io.StringIO(),
    )
    version = AtasListVersion.objects.get()
    assert version.exempt_countries == ["GB", "US"] and version.complete
    assert AuditEvent.objects.filter(action="atas_list_loaded").exists()
    from assessments.models import Person

    result = atas_determine(Person(**required_row(nationalities=["FR"])))
    # France is not in this (test) version's exempt list: the version decides, not code.
    assert result.outcome == Outcome.REQUIRED and "HC 999" in result.list_label


def test_a_bad_csv_line_changes_nothing(tmp_path, db):
    path = tmp_path / "atas.csv"
    path.write_text(CSV + "cah3,physics,\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Line 6"):
        call_command(
            "atas_import",
            str(path),
            "--label",
            "x",
            "--effective-from",
            "2026-01-01",
            "--source",
            "t",
        )
    assert not AtasListVersion.objects.exists()


def test_admin_import_view(admin_user, client, tmp_path):
    client.force_login(admin_user)
    url = reverse("admin:assessments_ataslistversion_import")
    assert client.get(url).status_code == 200
    upload = io.BytesIO(CSV.encode())
    upload.name = "atas.csv"
    response = client.post(
        url,
        {"file": upload, "label": "HC 1", "effective_from": "2026-02-01", "source": "s"},
    )
    assert response.status_code == 302
    assert AtasListVersion.objects.get().effective_from == date(2026, 2, 1)
