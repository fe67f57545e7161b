"""The legal reference data in the admin: NSI Act area versions (set the day the announced
version takes effect) and FIRS specified powers (dated rows). Determinations are read-only
here: they are recorded on the request's page or through the API, and audited there."""

from django.contrib import admin

from ..models import FirsSpecifiedPower, LegalDetermination, NsiAreaVersion
from .countries import CountryContextForm
from .readonly import ReadOnlyAdmin


@admin.register(NsiAreaVersion)
class NsiAreaVersionAdmin(admin.ModelAdmin):
    list_display = ["title", "code", "effective_from"]
    fields = ["code", "title", "effective_from", "areas", "source"]
    readonly_fields = ["code"]


class FirsSpecifiedPowerForm(CountryContextForm):
    """A country picked from the list, and an end after the start, as for country context."""

    class Meta:
        model = FirsSpecifiedPower
        fields = ["country", "name", "regulations", "effective_from", "effective_to", "notes"]


@admin.register(FirsSpecifiedPower)
class FirsSpecifiedPowerAdmin(admin.ModelAdmin):
    form = FirsSpecifiedPowerForm
    list_display = ["name", "country", "regulations", "effective_from", "effective_to"]


@admin.register(LegalDetermination)
class LegalDeterminationAdmin(ReadOnlyAdmin):
    list_display = ["request", "regime", "outcome", "recorded_by", "recorded_at", "superseded"]
    list_filter = ["regime", "superseded"]
