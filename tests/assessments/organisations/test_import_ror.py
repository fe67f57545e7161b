"""manage.py import_ror: the ROR dump into OrganisationIdentity, streaming, all or nothing."""

import json
import zipfile

import pytest
from django.core.management import CommandError, call_command

from assessments.models import AuditEvent, OrganisationIdentity
from assessments.organisations.ror import RorImportError, ror_import

from .conftest import HIT, HIT_LAB, SAMPLE, WIPM, WIPM_SUCCESSOR


def test_the_sample_imports_every_field_the_issue_names(ror):
    assert (ror.records, ror.added, ror.changed) == (123, 123, 0)
    hit = OrganisationIdentity.objects.get(ror_id=HIT)
    assert hit.name == "Harbin Institute of Technology"
    assert hit.native_name == "哈尔滨工业大学"
    assert hit.acronyms == ["HIT"]
    assert {"value": "哈尔滨工业大学", "lang": "zh", "types": ["label"]} in hit.names
    assert hit.types == ["education", "funder"]
    assert (hit.status, hit.country, hit.city, hit.established) == ("active", "CN", "Harbin", 1920)
    assert hit.external_ids["grid"]["preferred"] == "grid.19373.3f"
    assert hit.external_ids["fundref"]["all"] == ["501100003472"]
    assert set(hit.external_ids) == {"grid", "isni", "wikidata", "fundref"}
    assert hit.website == "https://www.hit.edu.cn"
    assert {"type": "child", "id": HIT_LAB}.items() <= next(
        r for r in hit.relationships if r["id"] == HIT_LAB
    ).items()
    assert OrganisationIdentity.objects.get(ror_id=HIT_LAB).parent_ror_id == HIT
    inactive = OrganisationIdentity.objects.get(ror_id=WIPM)
    assert (inactive.status, inactive.successor_ror_id) == ("inactive", WIPM_SUCCESSOR)
    assert AuditEvent.objects.get(action="ror.import").changes["added"] == 123


def test_the_quirks_of_the_sample_are_kept(ror):
    # A v2 record whose schema_version says 1.0; pinyin tagged zh is not the native name.
    assert OrganisationIdentity.objects.get(ror_id="02wq41p38").schema_version == "1.0"
    tianmushan = OrganisationIdentity.objects.get(ror_id="03smwa682")
    assert tianmushan.native_name == "天目山实验室"
    assert "Tiānmùshān Shíyànshì" in tianmushan.names_of("label", "alias")


def test_a_newer_dump_updates_in_place_and_counts(ror, sample_records, tmp_path):
    records = sample_records
    hit = next(r for r in records if r["id"].endswith(HIT))
    hit["established"] = 1921
    lab = next(r for r in records if r["id"].endswith(HIT_LAB))
    lab["status"] = "withdrawn"
    records.append({**hit, "id": "https://ror.org/0abcdef12", "names": hit["names"][:2]})
    path = tmp_path / "newer.json"
    path.write_text(json.dumps(records, ensure_ascii=False))
    summary = ror_import(path)
    assert (summary.added, summary.changed, summary.withdrawn, summary.unchanged) == (1, 2, 1, 121)
    assert OrganisationIdentity.objects.count() == 124
    assert OrganisationIdentity.objects.get(ror_id=HIT).established == 1921


def test_a_zip_from_zenodo_is_read(db, tmp_path):
    path = tmp_path / "v2.9-2026-06-23-ror-data.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.write(SAMPLE, "v2.9-2026-06-23-ror-data.json")
        archive.writestr("v2.9-2026-06-23-ror-data.csv", "id,name\n")
    assert ror_import(path).added == 123


@pytest.mark.parametrize(
    "content, where",
    [
        (None, "broke after record 2"),  # truncated after two records
        ("[{}]", "record 1 has no valid ROR id"),
        ('[{"id": "https://ror.org/0abcdef12", "name": "Old"}]', "schema v1 layout"),
        ('{"not": "an array"}', "no ROR records"),
        ("", "broke after record 0"),
    ],
)
def test_a_malformed_file_changes_nothing_and_says_where(ror, tmp_path, content, where):
    text = SAMPLE.read_text("utf-8")
    if content is None:
        cut = text.index('"id": "https://ror.org/0060by663"')  # inside the third record
        content = text[:cut]
    OrganisationIdentity.objects.filter(ror_id=HIT).update(name="Renamed before the import")
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(RorImportError, match=where):
        ror_import(path)
    assert OrganisationIdentity.objects.get(ror_id=HIT).name == "Renamed before the import"
    assert OrganisationIdentity.objects.count() == 123


def test_a_failure_midway_rolls_back_records_already_written(db, tmp_path):
    template = json.loads(SAMPLE.read_text("utf-8"))[0]
    records = [{**template, "id": f"https://ror.org/0{i:08d}"} for i in range(2500)]
    records.append({**template, "status": "dissolved"})  # after a batch was written
    path = tmp_path / "late-error.json"
    path.write_text(json.dumps(records))
    with pytest.raises(RorImportError, match=r"record 2501 .* unknown status 'dissolved'"):
        ror_import(path)
    assert not OrganisationIdentity.objects.exists()


def test_the_command_prints_counts_and_fails_in_one_line(db, tmp_path, capsys):
    call_command("import_ror", str(SAMPLE))
    assert "123 added" in capsys.readouterr().out
    bad = tmp_path / "bad.json"
    bad.write_text("[{")
    with pytest.raises(CommandError, match="nothing changed: the file is not a complete JSON"):
        call_command("import_ror", str(bad))
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_ror", str(tmp_path / "missing.zip"))


def test_a_dry_run_writes_nothing(db, capsys):
    call_command("import_ror", str(SAMPLE), "--dry-run")
    assert "Dry run: 123 ROR record(s) read: 123 added" in capsys.readouterr().out
    assert not OrganisationIdentity.objects.exists()
