"""What a screening match is about: its request, the kind of subject, the organisation screened."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0016_merge_real_lists"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="screeningmatch",
            name="one_match_per_partner_entry",
        ),
        migrations.AddField(
            model_name="screeningmatch",
            name="request",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="screening_matches",
                to="assessments.partnershiprequest",
            ),
        ),
        migrations.AddField(
            model_name="screeningmatch",
            name="subject_kind",
            field=models.CharField(
                choices=[
                    ("partner", "Partner"),
                    ("funder", "Funder"),
                    ("sub_partner", "Sub-partner"),
                    ("ancestor", "Parent organisation"),
                    ("person", "Person"),
                ],
                db_index=True,
                default="partner",
                max_length=20,
            ),
        ),
        migrations.AddField(
            model_name="screeningmatch",
            name="subject_key",
            field=models.CharField(blank=True, max_length=80),
        ),
        migrations.AddField(
            model_name="screeningmatch",
            name="organisation",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="screening_matches",
                to="assessments.organisation",
            ),
        ),
        migrations.AlterField(
            model_name="screeningmatch",
            name="partner",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="screening_matches",
                to="assessments.partner",
            ),
        ),
        migrations.AlterField(
            model_name="screeningdismissal",
            name="organisation",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="screening_dismissals",
                to="assessments.organisation",
            ),
        ),
    ]
