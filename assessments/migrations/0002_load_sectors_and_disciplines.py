"""Reference data: the 17 NSI Act sensitive sectors and the subject categories."""

from django.db import migrations

NSI_SECTORS = [
    ("advanced-materials", "Advanced Materials"),
    ("advanced-robotics", "Advanced Robotics"),
    ("artificial-intelligence", "Artificial Intelligence"),
    ("civil-nuclear", "Civil Nuclear"),
    ("communications", "Communications"),
    ("computing-hardware", "Computing Hardware"),
    ("critical-suppliers-to-government", "Critical Suppliers to Government"),
    ("cryptographic-authentication", "Cryptographic Authentication"),
    ("data-infrastructure", "Data Infrastructure"),
    ("defence", "Defence"),
    ("energy", "Energy"),
    ("military-and-dual-use", "Military and Dual-Use"),
    ("quantum-technologies", "Quantum Technologies"),
    ("satellite-and-space", "Satellite and Space Technologies"),
    ("suppliers-to-emergency-services", "Suppliers to the Emergency Services"),
    ("synthetic-biology", "Synthetic Biology"),
    ("transport", "Transport"),
]

# code, name, group, academic-freedom exposure (social sciences and humanities)
DISCIPLINES = [
    ("agricultural-sciences", "Agricultural Sciences", "stem", False),
    ("arts-humanities", "Arts & Humanities", "non_stem", True),
    ("biology-biochemistry", "Biology & Biochemistry", "stem", False),
    ("chemistry", "Chemistry", "stem", False),
    ("clinical-medicine", "Clinical Medicine", "stem", False),
    ("computer-science", "Computer Science", "stem", False),
    ("economics-business", "Economics & Business", "non_stem", True),
    ("engineering", "Engineering", "stem", False),
    ("environment-ecology", "Environment/Ecology", "stem", False),
    ("geosciences", "Geosciences", "stem", False),
    ("immunology", "Immunology", "stem", False),
    ("materials-science", "Materials Science", "stem", False),
    ("mathematics", "Mathematics", "stem", False),
    ("microbiology", "Microbiology", "stem", False),
    ("molecular-biology-genetics", "Molecular Biology & Genetics", "stem", False),
    ("multidisciplinary", "Multidisciplinary", "multidisciplinary", False),
    ("neuroscience-behaviour", "Neuroscience & Behaviour", "stem", False),
    ("pharmacology-toxicology", "Pharmacology & Toxicology", "stem", False),
    ("physics", "Physics", "stem", False),
    ("plant-animal-science", "Plant & Animal Science", "stem", False),
    ("psychiatry-psychology", "Psychiatry/Psychology", "non_stem", True),
    ("social-sciences", "Social Sciences (general)", "non_stem", True),
    ("space-science", "Space Science", "stem", False),
]


def load(apps, schema_editor):
    Sector = apps.get_model("assessments", "Sector")
    Discipline = apps.get_model("assessments", "Discipline")
    for code, name in NSI_SECTORS:
        Sector.objects.update_or_create(code=code, defaults={"name": name})
    for code, name, group, exposure in DISCIPLINES:
        Discipline.objects.update_or_create(
            code=code,
            defaults={"name": name, "group": group, "academic_freedom_exposure": exposure},
        )


class Migration(migrations.Migration):
    dependencies = [("assessments", "0001_requests_audit_and_watchlists")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
