"""Load the NSI Act area versions and the FIRS specified powers from
assessments/data/reference/ (sourced; see that folder's README.md)."""

from django.db import migrations


def load(apps, schema_editor):
    from assessments.legal.reference import firs_powers_data, nsi_versions_data

    NsiAreaVersion = apps.get_model("assessments", "NsiAreaVersion")
    FirsSpecifiedPower = apps.get_model("assessments", "FirsSpecifiedPower")
    for version in nsi_versions_data():
        NsiAreaVersion.objects.get_or_create(code=version["code"], defaults=version)
    for power in firs_powers_data():
        FirsSpecifiedPower.objects.get_or_create(
            country=power["country"], effective_from=power["effective_from"], defaults=power
        )


class Migration(migrations.Migration):
    dependencies = [("assessments", "0017_legal_determinations_and_intake_facts")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
