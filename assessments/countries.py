"""The country context table as the scorer reads it: the row in force for each country."""

from datetime import date

from django.db.models import Q
from django.utils import timezone
from django_countries import countries

from .models import CountryContext
from .scoring.points import CountryFact


def country_facts(codes, *, day: date | None = None) -> tuple[CountryFact, ...]:
    """The country context rows in force on `day` (today by default) for these ISO codes."""
    day = day or timezone.localdate()
    wanted = sorted({code for code in codes if code})
    rows = (
        CountryContext.objects.filter(country__in=wanted, effective_from__lte=day)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gt=day))
        .order_by("country", "-effective_from")
    )
    found = {}
    for row in rows:
        found.setdefault(row.country, row)
    return tuple(
        CountryFact(
            code=row.country,
            name=countries.name(row.country) or row.country,
            level=row.level,
            source_note=row.source_note,
        )
        for row in found.values()
    )
