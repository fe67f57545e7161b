"""A match always belongs to a request; one match per subject and entry within it."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0018_match_subject_backfill"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="screeningmatch",
            options={
                "ordering": ["request", "partner", "subject_key", "-score", "id"],
                "verbose_name_plural": "screening matches",
            },
        ),
        migrations.AlterField(
            model_name="screeningmatch",
            name="request",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="screening_matches",
                to="assessments.partnershiprequest",
            ),
        ),
        migrations.AddConstraint(
            model_name="screeningmatch",
            constraint=models.UniqueConstraint(
                fields=("request", "subject_key", "watchlist", "external_id"),
                name="one_match_per_subject_entry",
            ),
        ),
    ]
