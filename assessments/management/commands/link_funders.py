"""Link free-text funder names on funding rows to organisations, by resolving each name."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from assessments.models import FundingSource
from assessments.workflow.requests import funder_organisation


class Command(BaseCommand):
    help = (
        "Resolve the funder name of every funding row not yet linked to an organisation "
        "(existing organisation, or a ROR identity registered linked); names resolving to "
        "nothing or to several stay free text. Run after import_ror."
    )

    def add_arguments(self, parser):
        parser.add_argument("--actor", required=True, help="username recorded as registering")

    def handle(self, *args, actor, **options):
        user = get_user_model().objects.filter(username=actor).first()
        if user is None:
            raise CommandError(f"No user named {actor!r}.")
        linked = left = 0
        rows = FundingSource.objects.filter(organisation__isnull=True).exclude(funder_name="")
        for row in rows.order_by("id").iterator(chunk_size=500):
            with transaction.atomic():
                organisation = funder_organisation(
                    name=row.funder_name, country=row.country, actor=user
                )
                if organisation is None:
                    left += 1
                    continue
                FundingSource.objects.filter(pk=row.pk).update(organisation=organisation)
                linked += 1
        self.stdout.write(f"{linked} funding row(s) linked; {left} left as free text.")
