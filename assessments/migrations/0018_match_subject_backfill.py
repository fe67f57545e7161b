"""Every existing match was about a partner: fill in its request, organisation and subject key."""

from django.db import migrations


def backfill(apps, schema_editor):
    ScreeningMatch = apps.get_model("assessments", "ScreeningMatch")
    rows = ScreeningMatch.objects.filter(request__isnull=True).values_list(
        "pk", "partner_id", "partner__request_id", "partner__organisation_id"
    )
    for pk, partner_id, request_id, organisation_id in rows.iterator(chunk_size=2000):
        ScreeningMatch.objects.filter(pk=pk).update(
            request_id=request_id,
            organisation_id=organisation_id,
            subject_kind="partner",
            subject_key=f"partner:{partner_id}",
        )


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0017_match_subject_fields"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
