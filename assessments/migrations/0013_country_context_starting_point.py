"""A starting point for the country context table: the countries the sources this project
was built from name, each marked as a starting point for the office to review.

These are not authoritative ratings. Each row says so, and gives the reasoning in a line an
office can check against current guidance and replace (a new row with a later
effective_from; the old row keeps what earlier assessments relied on).
"""

from datetime import date

from django.db import migrations

START = date(2026, 1, 1)
NOTE = "Starting point for the office to review, not an authoritative rating"
ROWS = [
    (
        "CN",
        "high",
        f"{NOTE}: national intelligence and data-security laws",
        "Starting point for the office to review. China is the country the source study "
        "(a 2022 brief on UK academics' engagement with China) is about. Its laws oblige "
        "organisations and citizens to support and cooperate with state intelligence work, "
        "and restrict the export of data; the study reports military-civil fusion, data that "
        "cannot leave the country, and pressure on academic freedom. Those laws apply to every "
        "partner there, whatever its own record, which is why the starter level is high rather "
        "than very high: named institutions with defence links are caught by the watchlists "
        "(e.g. the ASPI tracker) on top of this.",
    ),
    (
        "RU",
        "very_high",
        f"{NOTE}: specified for the FIRS enhanced tier; UK sanctions",
        "Starting point for the office to review. Russia is one of the two foreign powers "
        "specified for the enhanced tier of the Foreign Influence Registration Scheme (in force "
        "since July 2025), so arrangements with it or bodies it controls must be registered, "
        "and it is the subject of a broad UK sanctions regime. Registration and sanctions are "
        "legal gates handled apart from scoring; this row records that any partner or funder "
        "there starts from the highest partner risk.",
    ),
    (
        "IR",
        "very_high",
        f"{NOTE}: specified for the FIRS enhanced tier; UK sanctions",
        "Starting point for the office to review. Iran is the other foreign power specified "
        "for the enhanced tier of the Foreign Influence Registration Scheme, and is subject to "
        "UK sanctions, including on proliferation-sensitive goods and technology. As for "
        "Russia, the legal duties are gates handled apart from scoring; this row sets the "
        "partner-risk starting point.",
    ),
]


def load(apps, schema_editor):
    CountryContext = apps.get_model("assessments", "CountryContext")
    for country, level, source_note, notes in ROWS:
        CountryContext.objects.get_or_create(
            country=country,
            effective_from=START,
            defaults={"level": level, "source_note": source_note, "notes": notes},
        )


def unload(apps, schema_editor):
    CountryContext = apps.get_model("assessments", "CountryContext")
    for country, _, source_note, _ in ROWS:
        CountryContext.objects.filter(
            country=country, effective_from=START, source_note=source_note
        ).delete()


class Migration(migrations.Migration):
    dependencies = [("assessments", "0012_risk_model_v2_axes_intake_and_country_context")]

    operations = [migrations.RunPython(load, unload)]
