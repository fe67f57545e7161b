"""The legal reference data in the admin: NSI Act area versions (set the day the announced
version takes effect) and FIRS specified powers (dated rows). Determinations are read-only
here: they are recorded on the request's page or through the API, and audited there."""

from django import forms
from django.contrib import admin

from ..forms import clean_country, country_choices
from ..models import FirsSpecifiedPower, LegalDetermination, NsiAreaVersion


@admin.register(NsiAreaVersion)
class NsiAreaVersionAdmin(admin.ModelAdmin):
    list_display = ["title", "code", "effective_from"]
    fields = ["code", "title", "effective_from", "areas", "source"]
    readonly_fields = ["code"]


class FirsSpecifiedPowerForm(forms.ModelForm):
    country = forms.ChoiceField(choices=())

    class Meta:
        model = FirsSpecifiedPower
        fields = ["country", "name", "regulations", "effective_from", "effective_to", "notes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = country_choices("— choose —")

    def clean_country(self):
        return clean_country(self.cleaned_data["country"])

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("effective_from"), cleaned.get("effective_to")
        if start and end and end < start:
            self.add_error("effective_to", "The end cannot be before the start.")
        return cleaned


@admin.register(FirsSpecifiedPower)
class FirsSpecifiedPowerAdmin(admin.ModelAdmin):
    form = FirsSpecifiedPowerForm
    list_display = ["name", "country", "regulations", "effective_from", "effective_to"]


@admin.register(LegalDetermination)
class LegalDeterminationAdmin(admin.ModelAdmin):
    list_display = ["request", "regime", "outcome", "recorded_by", "recorded_at", "superseded"]
    list_filter = ["regime", "superseded"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
