from django.core.management import call_command

from assessments.models import ChecklistItem, Sector
from guidance.models import GuidanceItem, Kind, SourceOrganisation, Status
from guidance.starter import STARTER_INSTITUTION


def test_load_guidance_loads_the_starter_content_once(db, capsys):
    call_command("load_guidance")
    items = GuidanceItem.objects.filter(source_institution=STARTER_INSTITUTION)
    assert items.filter(ref_id__startswith="UKCN-GP-").count() == 14
    assert items.filter(ref_id__startswith="UKCN-RISK-").count() == 7
    assert items.filter(ref_id__startswith="UKCN-NSI-").count() == Sector.objects.count() == 17
    assert items.filter(kind=Kind.CONTACT).count() == 7
    assert set(items.values_list("status", flat=True)) == {Status.PUBLISHED}
    for organisation in ("embassy_beijing", "ukri_china", "dbt", "npsa", "uuki", "rcat"):
        assert items.filter(source_organisation=organisation).exists(), organisation
    history_rows = GuidanceItem.history.count()

    call_command("load_guidance")
    assert GuidanceItem.objects.count() == 49  # with the four legal regimes' items
    assert GuidanceItem.history.count() == history_rows
    assert "0 created, 0 updated" in capsys.readouterr().out.splitlines()[-1]


def test_every_nsi_sector_has_its_item(db):
    call_command("load_guidance")
    for sector in Sector.objects.all():
        assert GuidanceItem.objects.filter(
            ref_id__startswith="UKCN-NSI-", sectors=sector
        ).exists(), sector


def test_good_practice_items_link_to_checklist_items_that_exist(db):
    ChecklistItem.objects.create(ref_id="GP-01", group="connections", question="Networks?")
    call_command("load_guidance")
    first = GuidanceItem.objects.get(ref_id="UKCN-GP-01")
    assert list(first.checklist_items.values_list("ref_id", flat=True)) == ["GP-01"]
    assert not GuidanceItem.objects.get(ref_id="UKCN-GP-02").checklist_items.exists()

    # Once the checklist gains GP-02, loading again links it.
    ChecklistItem.objects.create(ref_id="GP-02", group="connections", question="Landscape?")
    call_command("load_guidance")
    second = GuidanceItem.objects.get(ref_id="UKCN-GP-02")
    assert list(second.checklist_items.values_list("ref_id", flat=True)) == ["GP-02"]


def test_load_guidance_keeps_an_editors_change_to_a_starter_item(db):
    call_command("load_guidance")
    item = GuidanceItem.objects.get(ref_id="UKCN-ADV-NPSA")
    item.summary = "Our local contact there is the security team."
    item.save()
    call_command("load_guidance")
    item.refresh_from_db()
    assert item.summary == "Our local contact there is the security team."
    assert item.source_organisation == SourceOrganisation.NPSA
