"""Existing funding rows name their funder as free text: link each to the organisation
registered under that name (and country, when the row gives one). Rows whose name matches no
organisation, or several, stay unlinked until the request is saved again (the workflow then
resolves the name through the screening index, ROR included) or `manage.py link_funders`."""

from django.db import migrations


def link(apps, schema_editor):
    FundingSource = apps.get_model("assessments", "FundingSource")
    Organisation = apps.get_model("assessments", "Organisation")
    rows = FundingSource.objects.filter(organisation__isnull=True).exclude(funder_name="")
    for row in rows.iterator(chunk_size=2000):
        found = Organisation.objects.filter(name__iexact=row.funder_name.strip())
        if row.country:
            found = found.filter(country=row.country.upper())
        ids = list(found.values_list("id", flat=True)[:2])
        if len(ids) == 1:
            FundingSource.objects.filter(pk=row.pk).update(organisation_id=ids[0])


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0022_funders_and_sub_partners"),
    ]

    operations = [migrations.RunPython(link, migrations.RunPython.noop)]
